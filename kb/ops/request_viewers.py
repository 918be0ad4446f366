"""A light "being worked on" mark: which agent has had a contact request open, and since when.

When an agent opens a request, their user name and the time are kept (table ``request_viewers``,
schema migration 10). Another agent who opens the list or the request within VIEWER_MINUTES reads
"anna has had this open since 10:42" and can leave the customer to anna. Nothing is locked and
nothing needs unlocking: the mark ends by itself VIEWER_MINUTES after anna last opened the request,
so a colleague who went home blocks nobody. Only agents' user names and times are kept, nothing of
the customer; rows past that time are deleted whenever any request is opened (the last marks of a
quiet evening wait for the next one), and `kb db copy` leaves the table out: it holds the team's
last quarter hour of work, no history of who read what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kb.ops.database import Store

VIEWER_MINUTES = 15  # how long an opened request counts as being worked on by its agent
STAMP = "%Y-%m-%dT%H:%M:%SZ"  # UTC, seconds: "since 10:42" is read to the minute, the window to the second
MAX_IDS = 500  # ids asked about at once (one inbox page has far fewer)


@dataclass(frozen=True)
class Viewer:
    agent: str  #: the agent's user name
    since: str  #: UTC (STAMP): when they opened the request, this time


def _stamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime(STAMP)


def record_view(store: Store, request_id: int, agent: str, now: datetime | None = None) -> None:
    """``agent`` has the request open now. An agent back within VIEWER_MINUTES keeps their first
    time ("since 10:42" stays while they work on it); after a longer pause the time starts anew."""
    now = now or datetime.now(timezone.utc)
    stamp, expired = _stamp(now), _stamp(now - timedelta(minutes=VIEWER_MINUTES))
    with store.transaction() as db:
        db.execute("DELETE FROM request_viewers WHERE seen < ?", (expired,))
        db.execute("INSERT INTO request_viewers (request_id, agent, since, seen) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT(request_id, agent) DO UPDATE SET seen = excluded.seen",
                   (request_id, agent, stamp, stamp))


def viewers(store: Store, request_ids: list[int], but: str | None,
            now: datetime | None = None) -> dict[int, list[Viewer]]:
    """The agents other than ``but`` who opened each request within VIEWER_MINUTES, earliest first;
    requests nobody else has open are left out. An agent's own mark would only say what they know."""
    ids = list(dict.fromkeys(request_ids))[:MAX_IDS]
    if not ids:
        return {}
    expired = _stamp((now or datetime.now(timezone.utc)) - timedelta(minutes=VIEWER_MINUTES))
    marks = ", ".join("?" * len(ids))
    rows = store.query(f"SELECT request_id, agent, since FROM request_viewers WHERE request_id IN ({marks}) "
                       "AND seen >= ? AND agent <> ? ORDER BY since, agent", (*ids, expired, but or ""))
    found: dict[int, list[Viewer]] = {}
    for row in rows:
        found.setdefault(int(row["request_id"]), []).append(Viewer(row["agent"], row["since"]))
    return found
