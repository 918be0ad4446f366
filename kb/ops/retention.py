"""Personal data kept no longer than it serves: ``kb privacy purge``, safe to run from cron.

What customers left behind is removed once it is older than the retention period
(``KB_RETENTION_DAYS``, default ``DEFAULT_RETENTION_DAYS``):

* searches are deleted: their wording is masked, but it is still a customer's own. The
  deflection chart of insights keeps, per hour, how many customers' searches there were (not
  staff's) and how many a "helpful" vote followed (``search_counts``, read by
  kb/ops/insights/queries.py); the
  reports that list wordings (top and unanswered searches, competing articles, missing
  words, learned questions) cover the period searches are kept;
* the comments of votes are cleared; the votes stay (article, helpful or not, time): views,
  helpful ratios and "frequently asked" count them, and they identify nobody;
* a contact request answered before the period began loses its reply address and the
  order number given with it; its masked question stays for the inbox, which says the
  address was removed after the retention period (``email_removed``), not that the customer
  gave none. An open request keeps both, however old: the customer still waits for the answer;
* a hand-off delivered before the period began loses its payload (question, reply address,
  order number as sent); the row stays, so the inbox still says "delivered";
* a hand-off queued before the period began and still not delivered is given up: its payload
  is dropped and ``cancelled`` keeps it from ever being sent (the inbox says "cancelled").
  Otherwise a helpdesk unreachable for months, or a channel taken out of the settings, would
  keep the customer's message and address past the period and hand them over long after the
  customer stopped waiting. The request itself stays in the inbox, where agents answer it.

One purge is one transaction: interrupted, it removes nothing; run again, it finds
nothing more to remove.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from kb.ops.contact_details import ContactDetails
from kb.ops.database import Store
from kb.ops.handoff.outbox import NEVER_DUE, Outbox
from kb.ops.purge_runs import record_run

RETENTION_SETTING = "KB_RETENTION_DAYS"
DEFAULT_RETENTION_DAYS = 90
MAX_RETENTION_DAYS = 36_500  # a century: a longer period is a typo (and one far enough back overflows the dates)
CLEARED_PAYLOAD = "{}"  # what a delivered hand-off keeps (the column takes no NULL)
# contact_requests.email_removed of an address this purge removed (the inbox tells it from none
# given), and handoff_outbox.cancelled of a hand-off it gave up
REMOVED_BY_RETENTION = "retention"
_DAYS = re.compile(r"\s*(\d+)\s*(?:d|days?|tage?)?\s*", re.I)
# a request no longer open, received and answered before the cutoff (two parameters: the cutoff twice)
_ANSWERED_BEFORE = "status <> 'open' AND at < ? AND (status_at IS NULL OR status_at < ?)"


class RetentionError(ValueError):
    """A retention period that is no whole number of days from 1 to MAX_RETENTION_DAYS."""


@dataclass(frozen=True)
class PurgeReport:
    cutoff: str            # UTC: what is older than this was purged
    searches: int          # deleted, their number kept per hour
    comments: int          # comments of votes cleared, the votes kept
    emails: int            # reply addresses of answered requests cleared
    order_numbers: int     # order numbers of answered requests cleared
    payloads: int          # payloads of delivered hand-offs cleared
    undelivered: int       # hand-offs never delivered within the period: payload dropped, delivery cancelled


def parse_days(text: str, where: str) -> int:
    """Days from "90", "90d" or "90 days"; RetentionError naming ``where`` otherwise."""
    found = _DAYS.fullmatch(text)
    if not found:
        raise RetentionError(f"{where} takes a number of days such as 90 or 90d, not {text!r}")
    days = int(found.group(1))
    if not 1 <= days <= MAX_RETENTION_DAYS:
        raise RetentionError(f"{where} must be from 1 to {MAX_RETENTION_DAYS} days, not {days}")
    return days


def retention_days(environ: dict | None = None) -> int:
    """The retention period the shop set in ``KB_RETENTION_DAYS``, else the default."""
    raw = (os.environ if environ is None else environ).get(RETENTION_SETTING, "").strip()
    return parse_days(raw, RETENTION_SETTING) if raw else DEFAULT_RETENTION_DAYS


def purge(store: Store, days: int, now: datetime | None = None) -> PurgeReport:
    """Remove the personal data older than ``days`` days (see the module's docstring)."""
    ContactDetails(store)  # their tables, in a database that never handed anything off
    Outbox(store)
    ran_at = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    cutoff = ran_at - timedelta(days=days)
    minute = cutoff.strftime("%Y-%m-%dT%H:%MZ")  # as searches, votes and requests write times
    second = cutoff.strftime("%Y-%m-%dT%H:%M:%SZ")  # as the outbox writes them
    with store.transaction() as db:
        # two purges at once (cron on two replicas) would each count the same searches
        store.backend.lock_schema(db)
        record_run(db, days, ran_at)  # what /privacy states (kb/ops/purge_runs.py); undone if the purge fails
        searches = _fold_searches(db, minute)
        comments = db.execute("UPDATE feedback SET comment = NULL WHERE at < ? AND comment IS NOT NULL",
                              (minute,)).rowcount
        order_numbers = db.execute(
            "UPDATE contact_details SET order_number = NULL WHERE order_number IS NOT NULL AND ref IN "
            f"(SELECT ref FROM contact_requests WHERE {_ANSWERED_BEFORE})", (minute, minute)).rowcount
        emails = db.execute("UPDATE contact_requests SET email = NULL, email_removed = ? "
                            f"WHERE email IS NOT NULL AND {_ANSWERED_BEFORE}",
                            (REMOVED_BY_RETENTION, minute, minute)).rowcount
        payloads = db.execute("UPDATE handoff_outbox SET payload = ? WHERE sent_at IS NOT NULL AND sent_at < ? "
                              "AND payload <> ?", (CLEARED_PAYLOAD, second, CLEARED_PAYLOAD)).rowcount
        # never due again, for a deliverer of the previous release too (kb/ops/handoff/outbox.py)
        undelivered = db.execute("UPDATE handoff_outbox SET payload = ?, cancelled = ?, next_at = ? "
                                 "WHERE sent_at IS NULL AND cancelled IS NULL AND created_at < ?",
                                 (CLEARED_PAYLOAD, REMOVED_BY_RETENTION, NEVER_DUE, second)).rowcount
    return PurgeReport(minute, searches, comments, emails, order_numbers, payloads, undelivered)


def _fold_searches(db, minute: str) -> int:
    """Delete the searches before ``minute``, adding their number per hour to ``search_counts``.

    The newest search stays (its wording cleared) even when it is older: SQLite gives a new row
    the largest id + 1, and kb/ops/learning.py tells the searches after an editor's decision by
    their ids, so an id must never be handed out twice."""
    newest = db.execute("SELECT MAX(id) FROM searches").fetchone()[0]
    if newest is None:
        return 0
    hours = db.execute(  # customers' searches: the insights leave staff's out (kb/ops/insights/customers.py)
        "SELECT substr(s.at, 1, 13) AS hour, COUNT(*) AS n, "
        "SUM(CASE WHEN h.search_token IS NULL THEN 0 ELSE 1 END) AS helpful FROM searches AS s "
        "LEFT JOIN (SELECT DISTINCT search_token FROM feedback WHERE helpful != 0 AND search_token IS NOT NULL) AS h "
        "ON h.search_token = s.token WHERE s.at < ? AND s.id < ? AND s.channel != 'agent' "
        "GROUP BY substr(s.at, 1, 13)", (minute, newest)).fetchall()
    for row in hours:
        db.execute("INSERT INTO search_counts (hour, searches, helpful) VALUES (?, ?, ?) ON CONFLICT(hour) DO UPDATE "
                   "SET searches = search_counts.searches + excluded.searches, "
                   "helpful = search_counts.helpful + excluded.helpful", (row[0] + ":00Z", row[1], row[2]))
    deleted = db.execute("DELETE FROM searches WHERE at < ? AND id < ?", (minute, newest)).rowcount
    cleared = db.execute("UPDATE searches SET query = '', results = '[]' WHERE id = ? AND at < ? AND query <> ''",
                         (newest, minute)).rowcount
    return deleted + cleared
