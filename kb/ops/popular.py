""""Frequently asked" on the home page: only articles with enough evidence behind them.

A handful of views (the editor checking a page, one curious customer) must
not reshuffle the home page. An article counts as frequently asked when it
had at least ``MIN_VIEWS`` views in the last ``WINDOW_DAYS`` days; helpful
votes lift it and "not helpful" votes push it down (3 views each). Until six
articles qualify, the editors' list (site.yml ``featured``) fills the
remaining places, so a new help centre starts with a chosen list and moves
to a measured one as evidence comes in.
"""

from __future__ import annotations

from kb.ops.database import Store

MIN_VIEWS = 20
WINDOW_DAYS = 30
VOTE_WEIGHT = 3


def frequently_asked(store: Store, limit: int = 24, min_views: int = MIN_VIEWS,
                     days: int = WINDOW_DAYS) -> list[str]:
    """Article ids with enough views in the window, most asked first."""
    rows = store.query(
        "SELECT a.article_id, SUM(a.views) AS views, "
        "  COALESCE((SELECT SUM(CASE WHEN helpful THEN 1 ELSE -1 END) FROM feedback f "
        "            WHERE f.article_id = a.article_id AND f.at >= date('now', ?)), 0) AS votes "
        "FROM article_views a WHERE a.day >= date('now', ?) GROUP BY a.article_id "
        "HAVING SUM(a.views) >= ? ORDER BY SUM(a.views) + ? * votes DESC, a.article_id LIMIT ?",
        (f"-{int(days)} days", f"-{int(days)} days", int(min_views), VOTE_WEIGHT, int(limit)))
    return [r["article_id"] for r in rows]
