"""Health checks for the operator and the load balancer."""

from __future__ import annotations

import threading
import time

from flask import Blueprint, current_app, jsonify

from kb.config import shown_address
from kb.ops.database import StoreUnavailable
from kb.ops.migrations import replica_name
from kb.web import limits

bp = Blueprint("ops", __name__)

# A load balancer asks every few seconds; a flood of /readyz calls must not become a flood of
# database writes: one write check answers the calls within this time.
WRITE_CHECK_SECONDS = 5.0


@bp.record_once
def _one_write_check(state) -> None:
    state.app.extensions["kb.write_check"] = _WriteCheck()


class _WriteCheck:
    """The store's last write check and when it ran, shared by the process's threads."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._at = -WRITE_CHECK_SECONDS
        self._answer = "ok"

    def __call__(self, store) -> str:
        with self._lock:
            if time.monotonic() - self._at >= WRITE_CHECK_SECONDS:
                try:
                    store.check_writable()
                    self._answer = "ok"
                except StoreUnavailable as exc:
                    self._answer = str(exc)
                self._at = time.monotonic()
            return self._answer


@bp.get("/healthz")
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to answer customers: an index is loaded; the database state is reported too.

    The database counts as fine only when a write commits (a small heartbeat
    row per replica, at most one per WRITE_CHECK_SECONDS): a disk that is full or read-only, or a PostgreSQL that
    is down, still answers a read but loses every vote and request. Searches
    keep working then, so the answer stays 200 with ``status: degraded``; a
    load balancer takes a replica out only when it cannot search at all.
    ``build`` is the index build this replica serves, so an operator sees
    which replicas have picked up a new ``kb index``. ``rate_limits`` says where the
    counts live; shared counts (Redis) that cannot be reached make it degraded too:
    each replica then counts alone, and a client gets each replica's budget.
    """
    live = current_app.extensions["kb.live"]
    loaded = live.current
    store = current_app.extensions["kb.store"]
    body = {"build": loaded.build.name, "replica": replica_name(),
            "index": {"build": loaded.build.name, "articles": loaded.engine.index.n_articles,
                      "models": current_app.config["KB_MODELS"]}}
    if live.error:
        body["index"]["problem"] = live.error
    body["database"] = current_app.extensions["kb.write_check"](store)
    body["database_engine"] = store.engine
    storage = current_app.config.get("RATELIMIT_STORAGE_URI", limits.MEMORY)
    shared = storage == limits.MEMORY or limits.shared_counts_reachable()
    body["rate_limits"] = {"storage": shown_address(storage), "reachable": shared}
    body["status"] = "ready" if body["database"] == "ok" and not live.error and shared else "degraded"
    return jsonify(body), 200
