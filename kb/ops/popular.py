""""Frequently asked" on the home page: only articles with enough evidence behind them.

A handful of views (the editor checking a page, one curious customer) must
not reshuffle the home page. An article counts as frequently asked when it
had at least ``MIN_VIEWS`` views in the last ``WINDOW_DAYS`` days; helpful
votes lift it and "not helpful" votes push it down (``VOTE_WEIGHT`` views each).
Until the home page's list is full, the editors' list (site.yml ``featured``) fills the
remaining places, so a new help centre starts with a chosen list and moves
to a measured one as evidence comes in.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from kb.ops.database import Store

MIN_VIEWS = 20
WINDOW_DAYS = 30
VOTE_WEIGHT = 3


def frequently_asked(store: Store, limit: int = 24, min_views: int = MIN_VIEWS,
                     days: int = WINDOW_DAYS, *, today: date | None = None) -> list[str]:
    """Article ids with enough views in the window, most asked first (votes weigh in)."""
    since = ((today or datetime.now(timezone.utc).date()) - timedelta(days=int(days))).isoformat()
    views = {r["article_id"]: r["views"] for r in store.query(
        "SELECT article_id, SUM(views) AS views FROM article_views WHERE day >= ? "
        "GROUP BY article_id HAVING SUM(views) >= ?", (since, int(min_views)))}
    votes = {r["article_id"]: r["votes"] for r in store.query(
        "SELECT article_id, SUM(CASE WHEN helpful != 0 THEN 1 ELSE -1 END) AS votes FROM feedback "
        "WHERE at >= ? GROUP BY article_id", (since,))}
    ranked = sorted(views, key=lambda a: (-(views[a] + VOTE_WEIGHT * votes.get(a, 0)), a))
    return ranked[:int(limit)]
