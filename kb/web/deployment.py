"""Settings that matter once several replicas serve one shop.

With SQLite the portal is one process on one machine and may generate its own
secret key into the instance folder. With a shared database (PostgreSQL) there
are replicas behind a load balancer: a session cookie or CSRF token signed by
one must be accepted by the next, so all of them need the same
``KB_SECRET_KEY`` from the environment, and starting without it is refused
with a message that says what to do.
"""

from __future__ import annotations

import os

from kb.ops.backends import parse_url
from kb.ops.database import Store, StoreUnavailable

SECRET_KEY_HINT = ("set the same long random KB_SECRET_KEY on every replica, e.g. "
                   "KB_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')")


class ConfigurationError(RuntimeError):
    """The deployment's settings cannot work; the message says which and how to fix it."""


def is_shared_database(url: str) -> bool:
    try:
        return parse_url(url)[0] != "sqlite"
    except ValueError as exc:
        raise ConfigurationError(f"KB_DATABASE_URL: {exc}") from exc


MIN_SECRET_KEY_CHARS = 32  # token_hex(32) gives 64; a word or a phrase can be guessed
MIN_SECRET_KEY_DISTINCT = 10  # "kkkk…" or spaces are no secret; hex has 16 letters to draw from
PLACEHOLDER_MARK = "CHANGE-ME"  # deploy/systemd/kb.env's example value


def checked_secret_key(key: str) -> str:
    """KB_SECRET_KEY as given, refused when anyone could guess it: whoever knows it can
    sign a session cookie for any account."""
    if PLACEHOLDER_MARK in key:
        raise ConfigurationError("KB_SECRET_KEY is still the example's placeholder: " + SECRET_KEY_HINT)
    if len(key.strip()) < MIN_SECRET_KEY_CHARS:
        raise ConfigurationError(f"KB_SECRET_KEY has {len(key.strip())} characters; at least {MIN_SECRET_KEY_CHARS} "
                                 "random ones are needed: " + SECRET_KEY_HINT)
    if len(set(key)) < MIN_SECRET_KEY_DISTINCT:
        raise ConfigurationError(f"KB_SECRET_KEY repeats {len(set(key))} characters; a random key has many "
                                 "different ones: " + SECRET_KEY_HINT)
    return key


def require_shared_secret(database_url: str) -> None:
    """Refuse a per-replica generated secret key when replicas share a database."""
    if is_shared_database(database_url) and not os.environ.get("KB_SECRET_KEY"):
        raise ConfigurationError("KB_SECRET_KEY is required when the database is not SQLite "
                                 "(replicas must accept each other's sessions and CSRF tokens): "
                                 + SECRET_KEY_HINT)


def open_store(database_url: str, timeout: float) -> Store:
    """The store, with its schema upgraded; a clear error when it cannot be reached or is misconfigured."""
    is_shared_database(database_url)  # a bad URL says so here, not as a traceback
    try:
        return Store(database_url, timeout)
    except StoreUnavailable as exc:
        raise ConfigurationError(f"the database cannot be used: {exc}") from exc


def proxy_settings() -> dict:
    """waitress settings for a reverse proxy in front (``KB_TRUSTED_PROXY``: its address, or ``*``).

    Only requests from that address may tell the client's address
    (``X-Forwarded-For``, which rate limits count by) and scheme
    (``X-Forwarded-Proto``); from anyone else these headers are dropped.
    """
    proxy = os.environ.get("KB_TRUSTED_PROXY", "").strip()
    settings = {"clear_untrusted_proxy_headers": True}
    if proxy:
        settings.update(trusted_proxy=proxy, trusted_proxy_count=1,
                        trusted_proxy_headers={"x-forwarded-for", "x-forwarded-proto"})
    return settings
