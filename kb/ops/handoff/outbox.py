"""The outbox: every hand-off waits here until the helpdesk took it (at-least-once).

A contact request is first stored, then one outbox row per configured
channel is written; a deliverer claims one due row just before it sends it,
sends it and marks it sent, or records the error and retries later with
exponential backoff. A row is not dropped for failing: when the helpdesk is
down for a day, the request arrives when it is back.

Claiming leases the row: ``next_at`` moves forward by a lease longer than the
deadline every send ends by, succeeded or not (:func:`lease_for`), and ``lease_token``
takes a random token of this claim. So the deliverer threads of several ``kb serve``
replicas and ``kb outbox deliver`` from cron never send the same row at the same
time: a row is claimed one at a time, right before its send, never a batch
whose later rows wait in one deliverer's queue while their leases run out.
Marking the row sent or failed is an update on the condition that the row still
carries this claim (its token and its lease's end); the mark says whether it
did. A deliverer whose lease another one took over records nothing, so each
attempt is counted once, by the deliverer that holds the row. A lease that ran
out unclaimed is still held: a claim and a mark are each one conditional update,
and whichever commits first wins, so the late send is recorded rather than
repeated. A deliverer that dies mid-send (or stalls past its lease: a paused
machine, a database that takes longer than the margin to record the outcome)
leaves the row due again after the lease: the helpdesk may then get it twice
(at-least-once, not exactly-once: receivers drop duplicates by ``ref``, which
every payload carries).

A row is given up only for the customer's privacy: ``kb privacy erase`` cancels the
customer's hand-offs not yet delivered, and ``kb privacy purge`` those older than the
retention period (kb/ops/retention.py, kb/ops/erasure.py). Their payload is cleared,
``cancelled`` says why, and ``next_at`` moves to :data:`NEVER_DUE`: this release's deliverers
skip cancelled rows, and a replica of the previous release, which runs beside the migrated
schema during a rolling upgrade and claims ``sent_at IS NULL AND next_at <= now`` without
knowing ``cancelled``, never finds them due (it would send a payload without its ``ref``).
A row a deliverer holds while it is cancelled keeps its claim: its send is still recorded.
"""

from __future__ import annotations

import json
import secrets
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
-- the random token of the claim that leases the row until next_at; NULL when nobody holds it
ALTER TABLE handoff_outbox ADD COLUMN lease_token TEXT;
"""

BASE_DELAY_S = 30        # first retry after half a minute ...
MAX_DELAY_S = 3600       # ... doubling up to one hour between tries, for as long as it takes
LEASE_S = 120            # a claimed row is left alone at least this long ...
SEND_WAITS = 10          # one send ends within this many timeouts, whatever the receiver does: about
                         # the network waits of an SMTP conversation (connect, EHLO, STARTTLS, EHLO,
                         # AUTH, MAIL, RCPT, DATA, message, QUIT), so a slow helpdesk still gets through
LEASE_MARGIN_S = 20      # ... and the lease outlasts that deadline by this much: recording the outcome
                         # (a database wait, the store's 10 s timeout) and the replicas' clocks differing
CLAIM_CANDIDATES = 10    # due rows read per try; another deliverer may win some of them
CLAIM_ROUNDS = 3         # tries before a claim gives up, leaving the rest to the other deliverers
TOKEN_BYTES = 12         # a claim's random token: no two claims ever carry the same one
# the next_at of a cancelled row (9999-12-31T23:59:59Z): no deliverer of any release finds it due
NEVER_DUE = 253402300799.0
_WAITING = "sent_at IS NULL AND cancelled IS NULL"  # rows still to be delivered
# the row still carries the caller's claim (id, token, lease end): nobody claimed it since.
# next_at too, not only the token: a deliverer of an older release claims without a token.
# A cancellation meanwhile moved next_at to NEVER_DUE, where no claim of any release reaches it:
# the token alone then says the claim is still the caller's.
_HELD = f"id = ? AND lease_token = ? AND (next_at = ? OR next_at = {NEVER_DUE!r}) AND sent_at IS NULL"


@dataclass(frozen=True)
class Delivery:
    id: int
    ref: str
    channel: str
    payload: dict
    attempts: int
    lease_token: str      # this claim's token: the row is this deliverer's while it carries it
    leased_until: float   # the lease's end, as written to next_at


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


def send_deadline(timeout: float) -> float:
    """Seconds one send may take in all, from the claim of its row to the helpdesk's complete
    answer, for a channel whose every network wait ends after ``timeout``: connecting, TLS,
    each command, and each read of the answer wait at most ``timeout`` and never past this
    deadline (kb/ops/handoff/channels.py), so a receiver that drips its answer, or an SMTP
    server that answers each command just within ``timeout``, cannot stretch a send further."""
    return float(SEND_WAITS * timeout)


def lease_for(timeout: float) -> float:
    """Seconds a claim lasts for a channel with this ``timeout``: the send's deadline
    (:func:`send_deadline`, counted from before the claim) plus ``LEASE_MARGIN_S``, at least
    ``LEASE_S``. So by construction a live deliverer's send ends ``LEASE_MARGIN_S`` before its
    lease does, and no other deliverer claims the row while the send is under way; that margin
    is left for recording the outcome and for the replicas' clocks not agreeing to the second."""
    return float(max(LEASE_S, send_deadline(timeout) + LEASE_MARGIN_S))


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

    def claim_next(self, now: float | None = None, lease_s: float | None = None,
                   due_by: float | None = None) -> Delivery | None:
        """The first row due by ``due_by`` (default ``now``), leased to this caller alone until
        ``now + lease_s``, or None when none is left. One row at a time: the caller claims
        the next just before sending it, so no claimed row waits while its lease runs out."""
        now = time.time() if now is None else now
        due_by = now if due_by is None else due_by
        until = now + (LEASE_S if lease_s is None else lease_s)
        for _round in range(CLAIM_ROUNDS):
            rows = self.store.query(f"SELECT id, next_at FROM handoff_outbox WHERE {_WAITING} AND next_at <= ? "
                                    "ORDER BY next_at, id LIMIT ?", (due_by, CLAIM_CANDIDATES))
            if not rows:
                return None
            for r in rows:
                won = self._lease(r["id"], r["next_at"], until)
                if won is not None:
                    return won
        return None

    def _lease(self, row_id: int, seen_next_at: float, until: float) -> Delivery | None:
        """The row leased until ``until``, read inside the claim: a payload an erasure changed
        before is sent as changed. None when another deliverer (or a cancellation) came first."""
        token = secrets.token_hex(TOKEN_BYTES)
        with self.store.transaction() as db:
            won = db.execute(f"UPDATE handoff_outbox SET next_at = ?, lease_token = ? WHERE id = ? AND next_at = ? "
                             f"AND {_WAITING}", (until, token, row_id, seen_next_at)).rowcount
            if not won:
                return None
            r = db.execute("SELECT ref, channel, payload, attempts FROM handoff_outbox WHERE id = ?",
                           (row_id,)).fetchone()
        return Delivery(row_id, r["ref"], r["channel"], json.loads(r["payload"]), r["attempts"], token, until)

    def mark_sent(self, delivery: Delivery) -> bool:
        """Record the delivery; False, recording nothing, when the row no longer carries this
        claim (another deliverer took it over after the lease ran out: its attempt counts)."""
        with self.store.transaction() as db:
            return db.execute("UPDATE handoff_outbox SET sent_at = ?, attempts = attempts + 1, last_error = NULL, "
                              f"lease_token = NULL WHERE {_HELD}",
                              (_utc(), delivery.id, delivery.lease_token, delivery.leased_until)).rowcount == 1

    def mark_failed(self, delivery: Delivery, error: str, now: float | None = None) -> float | None:
        """Record the error; returns when the row is due again, or None, recording nothing,
        when the row no longer carries this claim (see :meth:`mark_sent`)."""
        now = time.time() if now is None else now
        due = now + backoff(delivery.attempts + 1)
        with self.store.transaction() as db:
            # a row cancelled while it was being sent stays never due
            held = db.execute("UPDATE handoff_outbox SET attempts = attempts + 1, last_error = ?, "
                              f"next_at = CASE WHEN cancelled IS NULL THEN ? ELSE {NEVER_DUE!r} END, "
                              f"lease_token = NULL WHERE {_HELD}",
                              (error[:500], due, delivery.id, delivery.lease_token, delivery.leased_until)).rowcount
        return due if held else None

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
