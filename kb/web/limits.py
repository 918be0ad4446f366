"""Rate limits: enough for any person, too few for a script that floods us.

Client addresses are used for counting only and are never stored: the counts are
kept under keyed digests (kb/web/limit_keys.py), an IPv6 client's by its /64.
Sign-in has three budgets: attempts per client; failed attempts per user name from one
client network, which locks a guesser out of that name without locking the account's
owner out elsewhere; and a looser one of failed attempts per user name from all networks,
which a script rotating through many addresses meets all the same.
Limits come from the app config (``RATE_LIMIT_*``; ``RATELIMIT_ENABLED=False``
or ``KB_RATE_LIMITS=off`` switches them off, e.g. behind a proxy that limits
already, or for a load test from one address).

Counts live in this process's memory by default. Replicas behind a load
balancer share one budget per client through Redis
(``KB_RATE_LIMIT_STORAGE=redis://host:6379/0``, any storage URI of the
``limits`` library works); should Redis fail, each replica counts in its own
memory until it is back instead of failing requests. Behind a reverse proxy
the address counted is the client's that the proxy reports (``KB_TRUSTED_PROXY``,
see :func:`kb.web.deployment.proxy_settings`).
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Callable

from flask import Response, current_app
from flask_limiter import HeaderNames, Limiter
from limits import parse_many
from werkzeug.exceptions import HTTPException

from kb.config import shown_address
from kb.content.phrasing import fold
from kb.web.deployment import ConfigurationError
from kb.web.errors import TOO_MANY_REQUESTS
from kb.web.limit_keys import DIGEST_HEX_CHARS, account_key, account_network_key, client_key

DEFAULTS = {
    "RATE_LIMIT_SEARCH": "120 per minute; 2000 per hour",
    "RATE_LIMIT_SUGGEST": "600 per minute",
    "RATE_LIMIT_WRITE": "20 per minute; 200 per hour",     # feedback and contact requests
    "RATE_LIMIT_LOGIN": "10 per minute; 50 per hour",
    # wrong passwords per user name and client network: each costs a password hash (argon2);
    # spending it refuses that name from that network only, so a guesser locks out no one else
    "RATE_LIMIT_LOGIN_FAILURES": "10 per 15 minutes",
    # wrong passwords per user name from all networks: bounds guessing spread over many
    # addresses. It holds more than two networks can spend within RATE_LIMIT_LOGIN_FAILURES
    # in its window, so locking a name out everywhere takes a guesser with many networks
    "RATE_LIMIT_LOGIN_FAILURES_PER_NAME": "120 per hour",
    # an article's views counted per client (the page is always served): one client
    # reloading a page cannot push it into "Frequently asked" (kb/ops/popular.py)
    "RATE_LIMIT_VIEWS": "2 per day",
    # votes that count as evidence for or against a learned question (kb/ops/learning.py), per
    # client, article and wording: one client repeating a search and its vote is one voice
    "RATE_LIMIT_EVIDENCE": "1 per day",
}
MEMORY = "memory://"
UNAUTHORIZED = 401  # a wrong user name or password (kb/web/auth.py)
log = logging.getLogger(__name__)
WORD_KEY_LETTERS = 4  # typos are rarest in a word's first letters
# a slow Redis must not hold a request: fail fast, count in memory meanwhile
REDIS_TIMEOUTS = {"socket_timeout": 0.5, "socket_connect_timeout": 0.5}


# The limiter would put its window's Retry-After on every answer of a limited route: a
# search's 200, and a 503 whose own Retry-After (kb/web/errors.py: "a few seconds") it
# overwrote with 60. It writes that header under another name; only a 429 is given it.
LIMITER_RETRY_AFTER = "X-RateLimit-Retry-After"
limiter = Limiter(key_func=client_key, headers_enabled=True,
                  header_name_mapping={HeaderNames.RETRY_AFTER: LIMITER_RETRY_AFTER})
_KEY_DIGEST = re.compile(rf"\b[0-9a-f]{{{DIGEST_HEX_CHARS}}}\b")


class _NoClients(logging.Filter):
    """The limiter logs the key it counted under when a limit is exceeded ("ratelimit 10 per
    1 minute (<key>) exceeded"): the log keeps the limit and the route, not who it was (a
    key's digest would link one client's requests of a day)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = _KEY_DIGEST.sub("[client]", record.getMessage()), ()
        return True


logging.getLogger("flask-limiter").addFilter(_NoClients())


def _limit(name: str, methods: list[str] | None = None):
    """One budget per kind of request, shared by the portal and the API routes of that kind."""
    return limiter.shared_limit(lambda: current_app.config[name], scope=name.lower(), methods=methods,
                                error_message=TOO_MANY_REQUESTS)


search = _limit("RATE_LIMIT_SEARCH")
suggest = _limit("RATE_LIMIT_SUGGEST")
write = _limit("RATE_LIMIT_WRITE")
write_post = _limit("RATE_LIMIT_WRITE", ["POST"])  # routes that also show a form on GET
login_post = _limit("RATE_LIMIT_LOGIN", ["POST"])


def failed_sign_ins(username: Callable[[], str]):
    """The budgets of refused passwords for the user name ``username()`` reads from the sign-in
    form, as the accounts look it up: RATE_LIMIT_LOGIN_FAILURES from this client's network,
    RATE_LIMIT_LOGIN_FAILURES_PER_NAME from all networks. Only a refused password (401) counts,
    for an account that exists or not alike. Once either budget is spent, every attempt it
    covers is refused before its password is hashed, with the same 429 as the budget per
    client: the correct password too, since checking it would let guessing go on. A failure
    counts once its answer is known: attempts already running when a budget is spent still
    get their answer (at most one per request thread of each replica)."""
    from_this_network = _failed_sign_ins("RATE_LIMIT_LOGIN_FAILURES", account_network_key, username)
    from_all_networks = _failed_sign_ins("RATE_LIMIT_LOGIN_FAILURES_PER_NAME", account_key, username)
    return lambda view: from_this_network(from_all_networks(view))


def _failed_sign_ins(budget: str, key_of: Callable[[str], str], username: Callable[[], str]):
    def key() -> str:
        try:
            return key_of(username())
        except HTTPException:  # a form that cannot be read (too large, cut off): the view answers it
            return key_of("")
    return limiter.limit(lambda: current_app.config[budget], key_func=key, methods=["POST"],
                         deduct_when=_password_refused, error_message=TOO_MANY_REQUESTS)


def _password_refused(response: Response) -> bool:
    return response.status_code == UNAUTHORIZED


def init_app(app) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    if os.environ.get("KB_RATE_LIMITS", "").lower() in ("off", "0", "false", "no"):
        app.config["RATELIMIT_ENABLED"] = False
    app.config.setdefault("RATELIMIT_ENABLED", True)  # explicit: the limiter object is shared
    storage = app.config.setdefault("RATELIMIT_STORAGE_URI", os.environ.get("KB_RATE_LIMIT_STORAGE") or MEMORY)
    if storage.startswith(("redis://", "rediss://")):
        app.config.setdefault("RATELIMIT_STORAGE_OPTIONS", REDIS_TIMEOUTS)
    if storage != MEMORY:
        app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)
        app.config.setdefault("RATELIMIT_SWALLOW_ERRORS", True)
    app.after_request(_retry_after_only_when_limited)  # registered first: runs after the limiter's
    try:
        limiter.init_app(app)
    except Exception as exc:  # noqa: BLE001 - an unknown scheme, a missing driver, a bad URL, a cluster unreachable
        raise ConfigurationError(f"KB_RATE_LIMIT_STORAGE={shown_address(storage)} cannot be used ({exc}): "
                                 "use redis://host:6379/0, or leave it unset to count in memory") from exc
    if storage != MEMORY and not shared_counts_reachable():
        log.warning("rate limits: %s cannot be reached; each server counts in its own memory until it "
                    "is back", shown_address(storage))


def counts_as_a_view(article_id: str) -> bool:
    """Whether this client's view of the article still counts for the insights and the
    frequently asked list (RATE_LIMIT_VIEWS per client and article, per shop day)."""
    return _within("RATE_LIMIT_VIEWS", "views", article_id)


def evidence_search(store, article_id: str, search_token: str | None) -> str | None:
    """The search a customer's vote is linked to, which makes the vote evidence for or
    against learning the search's wording (kb/ops/learning.py). A client that voted on the
    same article after the same wording before (RATE_LIMIT_EVIDENCE; typos and word order
    aside) keeps its vote, unlinked: repeating a search and a vote must not make a phrasing
    look like many customers' (nor push one out)."""
    if not search_token:
        return search_token
    found = store.search_by_token(search_token)
    if found is None or found["channel"] == "agent":
        return search_token
    return search_token if _within("RATE_LIMIT_EVIDENCE", "evidence", article_id, wording_key(found["query"])) \
        else None


def wording_key(query: str) -> str:
    """The words of a wording by their first letters, in order of the alphabet: one key for
    "rücküberweisung paypal", "paypall rückuberweisung" and "Rueckueberweisung PayPal"."""
    return " ".join(sorted({w[:WORD_KEY_LETTERS] for w in fold(query).split()}))


def _within(budget: str, scope: str, *item: str) -> bool:
    """Whether this client is within the named budget for ``item``: counted under the keyed
    digest of the client and the item, so the storage holds neither."""
    if not current_app.config.get("RATELIMIT_ENABLED", True):
        return True
    key = client_key(*item)
    try:
        return all(limiter.limiter.hit(limit, scope, key) for limit in parse_many(current_app.config[budget]))
    except Exception:  # noqa: BLE001 - the counts' storage failing costs nothing
        return True


def shared_counts_reachable() -> bool:
    """Whether the configured storage answers (a replica counts in memory while it does not)."""
    try:
        return bool(limiter.storage.check())
    except Exception:  # noqa: BLE001 - any driver error means "not reachable"
        return False


def _retry_after_only_when_limited(response):
    wait = response.headers.pop(LIMITER_RETRY_AFTER, None)
    if response.status_code == 429 and wait is not None:
        response.headers["Retry-After"] = wait
    return response
