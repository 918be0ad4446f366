"""Health checks for the operator and the load balancer."""

from __future__ import annotations

import math
import threading
import time

from flask import Blueprint, current_app, jsonify

from kb.config import shown_address
from kb.ops.backends import waits_at_most
from kb.ops.database import StoreUnavailable
from kb.ops.migrations import replica_name
from kb.web import limits

bp = Blueprint("ops", __name__)

# A load balancer asks every few seconds; a flood of /readyz calls must not become a flood of
# database writes: one write check answers the calls within this time.
WRITE_CHECK_SECONDS = 5.0
# /readyz answers within about a second whatever the database does (a load balancer's health
# check gives up after a few seconds, and a waiting probe holds a request thread that a search
# needs): the probe that starts a check waits this long for its result, then answers without it.
ANSWER_WAIT = 0.8
# The check's own waits for a server that accepted the statement and went silent end after
# this long, not after the store's timeout plus backends.WAIT_MARGIN: a stalled database is
# reported within seconds. A connection that cannot be opened still takes backends.CONNECT_TIMEOUT.
CHECK_WAIT = 2.0


@bp.record_once
def _one_write_check(state) -> None:
    state.app.extensions["kb.write_check"] = _WriteCheck()


class _WriteCheck:
    """The store's last write check, shared by the process's threads.

    The check runs in a thread of its own, one at a time: a database that stalls holds
    that thread, never a request thread. The probe that starts a check waits at most
    ANSWER_WAIT for it; every other probe answers at once with the last result, and
    says so once a check has been under way longer than that. Each check reads the
    schema version again too: a newer release may migrate the database while this
    replica serves, and /readyz then says so (``database_schema``).
    """

    def __init__(self) -> None:
        self._turn = threading.Condition()
        self._at = -math.inf  # when the last check ended (monotonic)
        self._answer: str | None = None  # the last check's result; None: no check has ended yet
        self._started: float | None = None  # when the check under way began; None: none is

    def __call__(self, store) -> str:
        with self._turn:
            if self._started is None and time.monotonic() - self._at >= WRITE_CHECK_SECONDS:
                self._started = time.monotonic()
                threading.Thread(target=self._check, args=(store,), name="kb-write-check", daemon=True).start()
                self._turn.wait_for(lambda: self._started is None, ANSWER_WAIT)
            return self._report()

    def _report(self) -> str:
        """The last result, or that the check under way has not answered for too long (or
        that the first check has not answered yet: no result to report stands for "ok")."""
        waited = time.monotonic() - self._started if self._started is not None else 0.0
        if self._answer is None:
            return (f"write check pending: the database has not answered for {waited:.1f} s "
                    "(no check before it)")
        if self._started is not None and waited >= ANSWER_WAIT:
            return (f"write check pending: the database has not answered for {waited:.1f} s "
                    f"(the check before: {self._answer})")
        return self._answer

    def _check(self, store) -> None:
        """One write check in this thread; its connection is closed with it (the thread ends)."""
        try:
            with waits_at_most(CHECK_WAIT):
                store.check_writable()
                _read_schema_version(store)
            answer = "ok"
        except StoreUnavailable as exc:
            answer = str(exc)
        except Exception as exc:  # noqa: BLE001 - a check that broke must not stay "pending" for ever
            answer = f"write check failed: {exc!r}"
        finally:
            store.release_connection()
        with self._turn:
            self._answer, self._at, self._started = answer, time.monotonic(), None
            self._turn.notify_all()


def _read_schema_version(store) -> None:
    """The store's schema warning brought up to date (one SELECT MAX(version)), so a replica
    started before a newer release migrated reports it until this replica is upgraded."""
    refresh = getattr(store, "refresh_schema_warning", None)  # a store without migrations has none
    if refresh is not None:
        refresh()


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
    load balancer takes a replica out only when it cannot search at all. The
    check runs beside the request (see _WriteCheck): a database that stalls makes
    the answer ``degraded`` with "write check pending" within ANSWER_WAIT, never a
    slow answer that a health check's timeout would count as a dead replica.
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
    if getattr(store, "schema_warning", None):  # a newer release migrated it: this replica is the older one
        body["database_schema"] = store.schema_warning
    storage = current_app.config.get("RATELIMIT_STORAGE_URI", limits.MEMORY)
    shared = storage == limits.MEMORY or limits.shared_counts_reachable()
    body["rate_limits"] = {"storage": shown_address(storage), "reachable": shared}
    body["status"] = "ready" if body["database"] == "ok" and not live.error and shared else "degraded"
    return jsonify(body), 200
