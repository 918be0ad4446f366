"""Articles that searches could not tell apart: the pairs behind hedged answers."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from kb.ops.database import Store
from kb.ops.insights.customers import CUSTOMER_SEARCH
from kb.ops.insights.period import bounds, check_limit
from kb.ops.insights.results import CompetingArticles, ordered
from kb.ops.insights.words import collapse

MAX_WORDINGS = 5  # wordings shown per pair


@dataclass
class _Pair:
    firsts: Counter = field(default_factory=Counter)  # article id -> searches that showed it first
    wordings: Counter = field(default_factory=Counter)
    last_seen: str = ""


def competing_articles(store: Store, days: int = 30, limit: int | None = 20, *,
                       now: datetime | None = None, zone: tzinfo | None = None) -> list[CompetingArticles]:
    """Pairs of articles shown first and second by searches answered with a hedge, most
    searches first (then most recently seen, then article id).

    The pair is unordered (either may have led); ``article_id`` is the one shown
    first more often. Pairs are of language versions, as shown: an editor sharpens
    each version in its own words. Wordings are merged when only case and spacing
    differ. SQL groups equal searches; Python pairs the much fewer rows.
    """
    check_limit(limit)
    since, until = bounds(days, now, zone)
    pairs: dict[tuple[str, str], _Pair] = {}
    for r in store.query("SELECT query, results, COUNT(*) AS n, MAX(at) AS last FROM searches "
                         f"WHERE at >= ? AND at < ? AND hedged != 0 AND query <> '' AND {CUSTOMER_SEARCH} "
                         "GROUP BY query, results", (since, until)):
        shown = json.loads(r["results"])
        if len(shown) < 2:
            continue
        pair = pairs.setdefault(tuple(sorted(shown[:2])), _Pair())
        pair.firsts[shown[0]] += r["n"]
        pair.wordings[collapse(r["query"]).lower()] += r["n"]
        pair.last_seen = max(pair.last_seen, r["last"])
    rows = []
    for (a, b), pair in pairs.items():
        first = a if pair.firsts[a] >= pair.firsts[b] else b
        rows.append(CompetingArticles(
            article_id=first, other_article_id=b if first == a else a, count=sum(pair.firsts.values()),
            wordings=tuple(w for w, _ in ordered(pair.wordings.items(), (lambda kv: kv[1], True),
                                                 (lambda kv: kv[0], False))[:MAX_WORDINGS]),
            last_seen=pair.last_seen))
    result = ordered(rows, (lambda r: r.count, True), (lambda r: r.last_seen, True), (lambda r: r.article_id, False))
    return result if limit is None else result[:limit]
