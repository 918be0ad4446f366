"""Insights for editors: what customers look for, what is missing, what does not help.

The portal stores searches, article views, votes and contact requests
(:mod:`kb.ops.database`). Editors do not need raw rows; they need short, ranked
answers to "which article should I write next?" and "which article should I
fix first?". Every function here is a pure read: it takes a
:class:`kb.ops.database.Store`, a period and a limit, and returns a list of small
frozen dataclasses that the web layer renders as a table, a chart
(:func:`deflection_svg`) or a download (:func:`to_csv`).

Conventions shared by all functions:

* The period is ``days`` calendar days ending with today (``now``): UTC days, or
  with ``zone`` the shop's days (a search at 00:30 in Berlin counts for the day
  it was made): ``days=1`` is today only, ``days=30`` is today and the 29 days
  before it.
  Rows from the future (clock skew) are ignored as well. ``now`` exists so
  tests and reports can be pinned to a date.
* Aggregation happens in SQL where SQLite can do it cheaply (grouping by the
  exact stored text, by day, by article); text normalisation that SQLite
  cannot do (Unicode case folding, accents, stemming) happens in Python on the
  already-grouped, much smaller result. The ``searches_at`` index bounds every
  scan of ``searches`` to the period.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta, timezone, tzinfo
from typing import Any, Literal

from kb.ops.database import Store
from kb.ops.insights.customers import CUSTOMER_SEARCH, CUSTOMER_VOTE
from kb.ops.insights.period import bounds, check_limit, day_bounds, period
from kb.ops.insights.results import (ArticleStat, DeflectionPoint, NotHelpfulArticle, TopSearch, ordered,
                                     ratio)


def top_searches(store: Store, days: int = 30, limit: int | None = 20, *,
                 now: datetime | None = None, zone: tzinfo | None = None) -> list[TopSearch]:
    """The most frequent customer queries of the period, case and whitespace normalised.

    SQLite groups by ``lower(query)`` (ASCII-only lowering, already shrinks
    the rows a lot); Python then merges what only Unicode lowering and
    whitespace collapsing make equal ('Ärger' / 'ärger', 'a  b' / 'a b').
    Sorted by count, then most recently seen, then text. ``limit=None``
    returns all queries.
    """
    check_limit(limit)
    since, until = bounds(days, now, zone)
    rows = store.query(
        "SELECT lower(query) AS q, COUNT(*) AS n, SUM(CASE WHEN answered != 0 THEN 1 ELSE 0 END) AS answered, "
        "MAX(at) AS last "
        f"FROM searches WHERE at >= ? AND at < ? AND query <> '' AND {CUSTOMER_SEARCH} GROUP BY lower(query)",
        (since, until))
    merged: dict[str, list] = {}
    for r in rows:
        key = " ".join(r["q"].lower().split())
        if not key:
            continue
        entry = merged.get(key)
        if entry is None:
            merged[key] = [r["n"], r["answered"], r["last"]]
        else:
            entry[0] += r["n"]
            entry[1] += r["answered"]
            entry[2] = max(entry[2], r["last"])
    result = ordered((TopSearch(query=q, count=n, answered_share=a / n, last_seen=last)
                       for q, (n, a, last) in merged.items()),
                      (lambda t: t.count, True), (lambda t: t.last_seen, True), (lambda t: t.query, False))
    return result if limit is None else result[:limit]




def not_helpful_articles(store: Store, days: int = 30, limit: int | None = 20, *,
                         now: datetime | None = None, zone: tzinfo | None = None) -> list[NotHelpfulArticle]:
    """Articles with the most "not helpful" votes in the period, with their latest comments.

    Only articles with at least one "not helpful" vote are listed. Sorted by
    "not helpful" votes, then by the lower helpful ratio, then article id.
    Comments are those left with "not helpful" votes in the period: they say
    what is wrong, which is what an editor fixing the article needs.
    """
    check_limit(limit)
    since, until = bounds(days, now, zone)
    # portable SQL (SQLite and PostgreSQL): sums over CASE, ranking outside the grouping
    rows = store.query(
        "SELECT article_id, no, yes FROM ("
        "  SELECT article_id, SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END) AS no, "
        "    SUM(CASE WHEN helpful != 0 THEN 1 ELSE 0 END) AS yes FROM feedback "
        f"  WHERE at >= ? AND at < ? AND {CUSTOMER_VOTE} GROUP BY article_id) AS votes WHERE no > 0 "
        "ORDER BY no DESC, yes * 1.0 / (yes + no) ASC, article_id ASC" + ("" if limit is None else " LIMIT ?"),
        (since, until) if limit is None else (since, until, limit))
    if not rows:
        return []
    comments: dict[str, list[str]] = defaultdict(list)
    ids = [r["article_id"] for r in rows]
    for r in store.query(
            "SELECT article_id, comment FROM ("
            "  SELECT article_id, comment, ROW_NUMBER() OVER ("
            "    PARTITION BY article_id ORDER BY at DESC, id DESC) AS rn FROM feedback "
            "  WHERE helpful = 0 AND comment IS NOT NULL AND trim(comment) != '' "
            f"    AND at >= ? AND at < ? AND {CUSTOMER_VOTE} AND article_id IN ({', '.join('?' * len(ids))})"
            ") AS latest WHERE rn <= 5 ORDER BY article_id, rn",
            (since, until, *ids)):
        comments[r["article_id"]].append(r["comment"])
    return [NotHelpfulArticle(article_id=r["article_id"], no_votes=r["no"], yes_votes=r["yes"],
                              helpful_ratio=r["yes"] / (r["yes"] + r["no"]),
                              comments=tuple(comments.get(r["article_id"], ())))
            for r in rows]



def article_stats(store: Store, days: int = 30, limit: int | None = None, *,
                  now: datetime | None = None, zone: tzinfo | None = None) -> list[ArticleStat]:
    """Views and votes per article in the period, most viewed first.

    Articles that were voted on but have no recorded views in the period are
    included with ``views=0`` (votes can come through the API). Ties are
    ordered by article id.
    """
    check_limit(limit)
    since, until = bounds(days, now, zone)
    first_day, day_after = day_bounds(*period(days, now, zone))  # views are counted per (the shop's) day
    views = {r["article_id"]: r["views"] for r in store.query(
        "SELECT article_id, SUM(views) AS views FROM article_views "
        "WHERE day >= ? AND day < ? GROUP BY article_id", (first_day, day_after))}
    votes = {r["article_id"]: (r["yes"], r["no"]) for r in store.query(
        "SELECT article_id, SUM(CASE WHEN helpful != 0 THEN 1 ELSE 0 END) AS yes, "
        "SUM(CASE WHEN helpful = 0 THEN 1 ELSE 0 END) AS no FROM feedback "
        f"WHERE at >= ? AND at < ? AND {CUSTOMER_VOTE} GROUP BY article_id", (since, until))}
    stats = []
    for article_id in views.keys() | votes.keys():
        yes, no = votes.get(article_id, (0, 0))
        stats.append(ArticleStat(article_id=article_id, views=views.get(article_id, 0),
                                 yes_votes=yes, no_votes=no, helpful_ratio=ratio(yes, yes + no)))
    stats.sort(key=lambda s: (-s.views, s.article_id))
    return stats if limit is None else stats[:limit]



def deflection(store: Store, days: int = 30, bucket: Literal["week", "day"] = "week", *,
               now: datetime | None = None, zone: tzinfo | None = None) -> list[DeflectionPoint]:
    """Searches, helpful searches, contact requests and deflection rate per day or ISO week.

    Every bucket that overlaps the period is returned, oldest first, also when
    nothing happened in it (zeros, ``rate=None``), so a chart has no gaps on
    the time axis. Weeks start on Monday (UTC); the first and last week may be
    cut by the period (see ``start`` / ``end``).

    A search counts as helpful in the bucket of the *search* (not of the
    vote) when at least one "helpful" vote carries its token. Contact
    requests count in the bucket they were sent in. All counting is grouped
    by day in SQL; days are folded into weeks in Python. Searches deleted after
    the retention period count by the hourly totals kept of them.

    With ``zone`` (the shop's time zone) the days are the shop's: counting is
    grouped by UTC hour in SQL and each hour goes to the local day it starts in
    (exact for zones a whole number of hours from UTC), so a search at 00:30 in
    Berlin counts for the day it was made.
    """
    if bucket not in ("week", "day"):
        raise ValueError(f"bucket must be 'week' or 'day', not {bucket!r}")
    first, last = period(days, now, zone)
    since, until = day_bounds(first, last, zone)
    cut = 10 if zone is None else 13  # "2026-03-01" or "2026-03-01T09": a UTC day or hour
    per_day, helpful = _searches_per_day(store, cut, since, until, zone)
    contacts = _per_local_day(store.query(
        f"SELECT substr(at, 1, {cut}) AS d, COUNT(*) AS n FROM contact_requests "
        "WHERE at >= ? AND at < ? GROUP BY d", (since, until)), zone)

    points: list[DeflectionPoint] = []
    acc: dict[str, Any] | None = None
    day = first
    while day <= last:
        if bucket == "day":
            key = day.isoformat()
        else:
            year, week, _ = day.isocalendar()
            key = f"{year:04d}-W{week:02d}"
        if acc is None or acc["bucket"] != key:
            if acc is not None:
                points.append(_point(acc))
            acc = {"bucket": key, "start": day, "end": day, "searches": 0, "helpful": 0, "contacts": 0}
        d = day.isoformat()
        acc["end"] = day
        acc["searches"] += per_day.get(d, 0)
        acc["helpful"] += helpful.get(d, 0)
        acc["contacts"] += contacts.get(d, 0)
        day += timedelta(days=1)
    if acc is not None:
        points.append(_point(acc))
    return points


def _searches_per_day(store: Store, cut: int, since: str, until: str,
                      zone: tzinfo | None) -> tuple[dict[str, int], dict[str, int]]:
    """Searches and helpful searches per day: those stored, and the hourly counts of those
    deleted after the retention period (kb/ops/retention.py), so the chart keeps its past."""
    searches = _per_local_day(store.query(
        f"SELECT substr(at, 1, {cut}) AS d, COUNT(*) AS n FROM searches "
        f"WHERE at >= ? AND at < ? AND {CUSTOMER_SEARCH} GROUP BY d", (since, until)), zone)
    # feedback drives the join (CROSS JOIN fixes the order in SQLite): each helpful vote
    # looks its search up through the unique token index instead of scanning searches.
    helpful = _per_local_day(store.query(
        f"SELECT substr(s.at, 1, {cut}) AS d, COUNT(DISTINCT s.token) AS n "
        "FROM feedback AS f CROSS JOIN searches AS s "
        "WHERE s.token = f.search_token AND f.helpful != 0 AND f.search_token IS NOT NULL AND s.at >= ? AND s.at < ? "
        f"AND s.{CUSTOMER_SEARCH} "
        "GROUP BY d", (since, until)), zone)
    folded = store.query(f"SELECT substr(hour, 1, {cut}) AS d, SUM(searches) AS n, SUM(helpful) AS h "
                         "FROM search_counts WHERE hour >= ? AND hour < ? GROUP BY d", (since, until))
    for counts, column in ((searches, "n"), (helpful, "h")):
        for day, n in _per_local_day([{"d": r["d"], "n": r[column]} for r in folded], zone).items():
            counts[day] = counts.get(day, 0) + n
    return searches, helpful


def _per_local_day(rows, zone: tzinfo | None) -> dict[str, int]:
    """Counts per UTC day as they are, or per UTC hour ("2026-03-01T23") summed into local days."""
    if zone is None:
        return {r["d"]: r["n"] for r in rows}
    days: dict[str, int] = {}
    for r in rows:
        hour = datetime.strptime(r["d"], "%Y-%m-%dT%H").replace(tzinfo=timezone.utc)
        key = hour.astimezone(zone).date().isoformat()
        days[key] = days.get(key, 0) + r["n"]
    return days


def _point(acc: dict[str, Any]) -> DeflectionPoint:
    helpful, contacts = acc["helpful"], acc["contacts"]
    return DeflectionPoint(bucket=acc["bucket"], start=acc["start"].isoformat(), end=acc["end"].isoformat(),
                           searches=acc["searches"], helpful_searches=helpful, contact_requests=contacts,
                           rate=ratio(helpful, helpful + contacts))
