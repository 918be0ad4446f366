"""The outbox: every hand-off waits here until the helpdesk took it (at-least-once).

A contact request is first stored, then one outbox row per configured
channel is written; a deliverer claims due rows, sends them and marks them
sent, or records the error and retries later with exponential backoff. A
row is not dropped for failing: when the helpdesk is down for a day, the
request arrives when it is back. Claiming moves ``next_at`` forward by a lease, so
the worker thread of ``kb serve`` and ``kb outbox deliver`` from cron never
send the same row at the same time; a deliverer that dies mid-send leaves
the row due again after the lease (hence at-least-once, not exactly-once:
receivers drop duplicates by ``ref``).

A row is given up only for the customer's privacy: ``kb privacy erase`` cancels the
customer's hand-offs not yet delivered, and ``kb privacy purge`` those older than the
retention period (kb/ops/retention.py, kb/ops/erasure.py). Their payload is cleared and
``cancelled`` says why; no deliverer claims them again.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from datetime import datetime, timezone

from kb.ops.database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS handoff_outbox (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL,                   -- the contact request's reference
    channel TEXT NOT NULL,               -- email | webhook
    payload TEXT NOT NULL,               -- JSON, built when the request was stored
    created_at TEXT NOT NULL,            -- UTC
    next_at REAL NOT NULL,               -- unix time the row is due (again)
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,                        -- UTC; NULL while not delivered
    last_error TEXT,
    UNIQUE (ref, channel)
);
CREATE INDEX IF NOT EXISTS handoff_outbox_due ON handoff_outbox(sent_at, next_at);
-- why a row is never delivered: erasure (the customer asked) | retention (older than the period);
-- NULL for a row still on its way or delivered
ALTER TABLE handoff_outbox ADD COLUMN cancelled TEXT;
"""

BASE_DELAY_S = 30        # first retry after half a minute ...
MAX_DELAY_S = 3600       # ... doubling up to one hour between tries, for as long as it takes
LEASE_S = 120            # a claimed row is left alone this long (longer than any send's timeout)
CLAIM_BATCH = 20
_WAITING = "sent_at IS NULL AND cancelled IS NULL"  # rows still to be delivered


@dataclass(frozen=True)
class Delivery:
    id: int
    ref: str
    channel: str
    payload: dict
    attempts: int


@dataclass(frozen=True)
class DeliveryState:
    """How far one request's hand-off got on one channel, for the inbox."""

    channel: str
    sent_at: str | None
    attempts: int
    last_error: str | None
    next_at: float
    cancelled: str | None = None  # erasure | retention: never delivered, for the customer's privacy

    @property
    def state(self) -> str:
        if self.sent_at:  # a send already under way when it was cancelled went through all the same
            return "delivered"
        if self.cancelled:
            return "cancelled"
        return "retrying" if self.attempts else "queued"


def backoff(attempts: int) -> float:
    """Seconds to wait after the ``attempts``-th failed try: 30 s, 60 s, 2 min, ... at most 1 h."""
    return float(min(MAX_DELAY_S, BASE_DELAY_S * 2 ** max(0, attempts - 1)))


def _utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Outbox:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)

    def enqueue(self, ref: str, payload: dict, channels: tuple[str, ...], now: float | None = None) -> int:
        """One row per channel, due at once; a second call for the same request adds nothing."""
        now = time.time() if now is None else now
        added = 0
        with self.store.transaction() as db:
            for channel in channels:
                added += db.execute(
                    "INSERT INTO handoff_outbox (ref, channel, payload, created_at, next_at) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT (ref, channel) DO NOTHING",
                    (ref, channel, json.dumps(payload, ensure_ascii=False), _utc(), now)).rowcount
        return added

    def claim_due(self, now: float | None = None, limit: int = CLAIM_BATCH) -> list[Delivery]:
        """Due rows, each leased to this caller alone (a row claimed elsewhere is skipped)."""
        now = time.time() if now is None else now
        rows = self.store.query(
            "SELECT id, ref, channel, payload, attempts, next_at FROM handoff_outbox "
            f"WHERE {_WAITING} AND next_at <= ? ORDER BY next_at, id LIMIT ?", (now, limit))
        claimed = []
        for r in rows:
            with self.store.transaction() as db:
                # a row cancelled since it was read is not won: its payload is gone for good
                won = db.execute("UPDATE handoff_outbox SET next_at = ? WHERE id = ? AND next_at = ? "
                                 f"AND {_WAITING}", (now + LEASE_S, r["id"], r["next_at"])).rowcount
            if won:
                claimed.append(Delivery(r["id"], r["ref"], r["channel"], json.loads(r["payload"]), r["attempts"]))
        return claimed

    def mark_sent(self, delivery: Delivery) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE handoff_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL "
                       "WHERE id = ?", (_utc(), delivery.id))

    def mark_failed(self, delivery: Delivery, error: str, now: float | None = None) -> float:
        """Record the error; returns when the row is due again."""
        now = time.time() if now is None else now
        due = now + backoff(delivery.attempts + 1)
        with self.store.transaction() as db:
            db.execute("UPDATE handoff_outbox SET attempts = attempts + 1, last_error = ?, next_at = ? "
                       "WHERE id = ?", (error[:500], due, delivery.id))
        return due

    def states(self, refs: list[str]) -> dict[str, list[DeliveryState]]:
        """Delivery state per request reference (requests without hand-off are missing)."""
        if not refs:
            return {}
        rows = self.store.query(
            "SELECT ref, channel, sent_at, attempts, last_error, next_at, cancelled FROM handoff_outbox "
            f"WHERE ref IN ({', '.join('?' * len(refs))}) ORDER BY ref, channel", tuple(refs))
        out: dict[str, list[DeliveryState]] = {}
        for r in rows:
            out.setdefault(r["ref"], []).append(DeliveryState(
                r["channel"], r["sent_at"], r["attempts"], r["last_error"], r["next_at"], r["cancelled"]))
        return out

    def pending(self) -> int:
        return self.store.query(f"SELECT COUNT(*) AS n FROM handoff_outbox WHERE {_WAITING}")[0]["n"]
