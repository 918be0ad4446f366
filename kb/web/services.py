"""What a request works with, as the app factory (kb/web/__init__.py) set it up: the index
being served and the database, and the writes on the way (a count, a log) that must not cost
the reader the page. One place, so every blueprint reads the same."""

from __future__ import annotations

from flask import current_app

from kb.ops.database import Store, StoreUnavailable
from kb.web.live_index import Loaded


def live() -> Loaded:
    """The index, engine and catalog serving this request (a newer build from the next one on)."""
    return current_app.extensions["kb.live"].current


def store() -> Store:
    return current_app.extensions["kb.store"]


def try_store(write, *args, **kwargs):
    """Counting and logging must never cost the customer their answer."""
    try:
        return write(*args, **kwargs)
    except StoreUnavailable as exc:
        current_app.logger.warning("not recorded: %s", exc)
        return None
