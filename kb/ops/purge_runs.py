"""When ``kb privacy purge`` last ran, and with which period: what /privacy may promise.

The server purges nothing itself; cron runs the purge with its own ``--older-than``, or
nobody does. So the privacy page states a period only as the purges really apply it:
each purge writes its period and time here (table ``purge_runs``, schema migration 8),
in its own transaction, and the page reads the latest run.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from kb.ops.database import Store

STAMP = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class PurgeRun:
    at: datetime   # UTC
    days: int      # what was older than this many days was removed


def record_run(db, days: int, at: datetime) -> None:
    """Write one purge's period and time with connection ``db`` (inside the purge's transaction,
    so a purge that fails is not recorded as run)."""
    db.execute("INSERT INTO purge_runs (at, days) VALUES (?, ?) ON CONFLICT(at) DO UPDATE SET days = excluded.days",
               (at.astimezone(timezone.utc).strftime(STAMP), days))


def last_run(store: Store) -> PurgeRun | None:
    """The latest purge recorded; None when none ever ran in this database."""
    rows = store.query("SELECT at, days FROM purge_runs ORDER BY at DESC LIMIT 1")
    if not rows:
        return None
    at = datetime.strptime(rows[0]["at"], STAMP).replace(tzinfo=timezone.utc)
    return PurgeRun(at=at, days=int(rows[0]["days"]))
