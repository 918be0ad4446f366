"""Rate-limit keys that name no one: keyed digests in place of addresses, articles and words.

The limiter's storage (this process's memory, or the Redis the replicas share) keeps
a count under each key for up to a day. A key is an HMAC of the client's network and,
where a budget is per item (an article, a search's wording), of that item. The HMAC's
key comes from the app's secret key and the shop's date:

* replicas with the same ``KB_SECRET_KEY`` derive the same keys and so share one budget;
* nobody without the secret key can tell whose count a key is, not even by hashing
  every IPv4 address;
* each day gives every client new keys, which cannot be linked to the day before.

A client's network is its IPv4 address, or its IPv6 /64: a provider gives a line a
whole /64 and its owner can use any address in it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress

from flask import current_app
from flask_limiter.util import get_remote_address

from kb.web.local_time import site_today

IPV6_CLIENT_PREFIX = 64
DIGEST_HEX_CHARS = 32  # 128 bits: no two clients or accounts share a count
# the day key is derived for this use alone: it reveals nothing of the secret key that signs cookies
DAY_KEY_LABEL = b"kb rate-limit keys of "
_SEPARATOR = "\x1f"  # no address, article id or word holds it: the parts cannot run into each other


def client_network() -> str:
    """The client's IPv4 address or IPv6 /64 (``REMOTE_ADDR``: behind ``KB_TRUSTED_PROXY``
    the address the proxy reports, kb/web/deployment.py)."""
    address = get_remote_address()
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:  # not an IP address (a unix socket's peer): counted as it is
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped is not None:  # "::ffff:203.0.113.7": an IPv4 client on a dual-stack socket
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network((ip, IPV6_CLIENT_PREFIX), strict=False))


def client_key(*item: str) -> str:
    """This client's key, or its key for one item (``client_key(article_id)``); the limiter's
    ``key_func`` with no item."""
    return _digest("client", client_network(), *item)


def account_key(username: str) -> str:
    """The key of a user name as sign-in looks it up, whether or not the account exists."""
    return _digest("account", _folded(username))


def account_network_key(username: str) -> str:
    """The key of a user name tried from this client's network. The network comes before the
    name: a name may hold any character, the separator too, and must not pose as another
    name tried from another network."""
    return _digest("account from network", client_network(), _folded(username))


def _folded(username: str) -> str:
    """A user name as the accounts look it up (kb/ops/accounts.py folds case and outer spaces)."""
    return username.strip().lower()


def _digest(*parts: str) -> str:
    message = _SEPARATOR.join(parts).encode()
    return hmac.new(_day_key(), message, hashlib.sha256).hexdigest()[:DIGEST_HEX_CHARS]


def _day_key() -> bytes:
    """The HMAC key of today: the shop's date, so a day's budgets (RATE_LIMIT_VIEWS) start
    again at the shop's midnight, where the portal's count of article views moves to the next
    date too (kb/web/portal.py)."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    today = site_today(current_app.config.get("KB_SITE")).isoformat().encode()
    return hmac.new(secret, DAY_KEY_LABEL + today, hashlib.sha256).digest()
