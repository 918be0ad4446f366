"""Found by learned questions: how often customers found an article by a phrasing editors accepted for it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo

from kb.content.phrasing import fold
from kb.ops.database import Store
from kb.ops.insights.customers import CUSTOMER_SEARCH
from kb.ops.insights.period import bounds
from kb.ops.learning import decisions


@dataclass(frozen=True)
class LearnedEffect:
    article_id: str
    searches: int  # customer searches by an accepted phrasing (folded) that showed the article first
    phrasings: tuple[str, ...]  # accepted for this article, most used first
    first_accepted: str


def learned_effect(store: Store, days: int = 30, limit: int | None = None, *,
                   now: datetime | None = None, zone: tzinfo | None = None) -> list[LearnedEffect]:
    """Per article, how often customers found it by a phrasing accepted for it in the
    ``days`` calendar days (the shop's, with ``zone``) ending on the day of ``now``."""
    accepted = decisions(store, "accepted")
    if not accepted:
        return []
    since = {(d["article_id"], d["key"]): d["last_search"] for d in accepted}
    counts = dict.fromkeys(since, 0)
    window = bounds(days, now, zone)
    rows = store.query(f"SELECT id, query, results FROM searches WHERE at >= ? AND at < ? AND {CUSTOMER_SEARCH} "
                       "AND query <> '' AND id > ?", (*window, min(since.values())))
    for r in rows:
        results = json.loads(r["results"])
        key = (results[0], fold(r["query"])) if results else None
        if key in counts and r["id"] > since[key]:
            counts[key] += 1
    per_article: dict[str, list[dict]] = {}
    for d in accepted:
        per_article.setdefault(d["article_id"], []).append(d)
    out = [LearnedEffect(article_id, sum(counts[article_id, d["key"]] for d in found),
                         tuple(d["phrasing"] for d in sorted(found, key=lambda d: -counts[article_id, d["key"]])),
                         min(d["at"] for d in found))
           for article_id, found in per_article.items()]
    out.sort(key=lambda e: (-e.searches, e.article_id))
    return out[:limit] if limit else out
