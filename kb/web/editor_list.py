"""The editors' list of every article, with the filters that find work to do.

Which drafts wait, which articles lack a translation, which were not updated
for months, which readers find unhelpful: each is a filter on one table of
articles on disk joined with the views and votes of the last 90 days.
"""

from __future__ import annotations

import datetime as dt
from datetime import tzinfo
from dataclasses import dataclass

from kb.content.article_ids import id_problem
from kb.content.articles import Article
from kb.ops import insights
from kb.ops.article_review import ReviewRequest
from kb.search.engine import MAX_QUERY_CHARS, QueryError
from kb.web.i18n import UI_LANGS

STATS_DAYS = 90
SEARCH_LIMIT = 50
STATUSES = ("", "draft", "review", "published")
DAYS_PER_MONTH = 30.44


@dataclass
class Filters:
    q: str = ""
    lang: str = ""
    category: str = ""
    audience: str = ""
    status: str = ""
    untranslated: bool = False
    stale_months: int | None = None
    helpful_below: int | None = None   # percent
    min_views: int | None = None
    error: str | None = None


@dataclass
class Row:
    article: Article
    status: str
    views: int
    helpful_ratio: float | None
    translated: bool
    editable: bool = True  # False: its file name is no id the editor opens (kb/content/article_ids.py)


def _number(args, name: str, low: int, high: int, f: Filters) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if raw.isascii() and raw.isdigit() and low <= int(raw) <= high:  # "²" is a digit to isdigit, not to int
        return int(raw)
    f.error = f"'{name}' must be a whole number from {low} to {high}, got '{raw[:20]}'"
    return None


def list_filters(args) -> Filters:
    """Filters from the query string; a bad value is reported (and ignored), never a 500."""
    # the language filter is ?language=: ?lang= is the page's language, as on every page
    f = Filters(q=(args.get("q") or "").strip()[:MAX_QUERY_CHARS], lang=(args.get("language") or "")[:10],
                category=(args.get("category") or "")[:200], audience=(args.get("audience") or "")[:20],
                untranslated=args.get("untranslated") == "1")
    status = args.get("status") or ""
    f.status = status if status in STATUSES else ""
    f.stale_months = _number(args, "stale", 1, 120, f)
    f.helpful_below = _number(args, "helpful_below", 1, 100, f)
    f.min_views = _number(args, "min_views", 0, 10**9, f)
    return f


def _search_ids(engine, articles: list[Article], q: str) -> list[str]:
    """The product's own search (internal articles included), then drafts by words of their title."""
    try:
        found = [h.id for h in engine.search(q, limit=SEARCH_LIMIT, audience="internal").results]
    except QueryError:
        found = []
    words = q.casefold().split()
    found += [a.id for a in articles if a.draft and all(w in a.title.casefold() for w in words)]
    return found


def published_articles(index_articles: list[dict]) -> list[Article]:
    """The published index's articles as rows of the list: a server that holds no articles
    folder it may write still shows staff every article it serves (no drafts: they are on disk only)."""
    return [Article(id=a["id"], path=a["id"], title=a["title"], lang=a["lang"], category=a["category"],
                    body=a["body"], body_line=0, tags=tuple(a["tags"]), summary=a["summary"],
                    audience=a["audience"], questions=tuple(a["questions"]), translation=a["translation"],
                    updated=_date(a.get("updated")), content_hash=a.get("content_hash", ""))
            for a in index_articles]


def _date(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def article_rows(articles: list[Article], f: Filters, store, engine,
                 pending: dict[str, ReviewRequest], zone: tzinfo | None = None) -> list[Row]:
    stats = {s.article_id: s for s in insights.article_stats(store, days=STATS_DAYS, zone=zone)}
    keys = {(a.translation, a.lang) for a in articles if a.translation}
    today = dt.date.today()
    order = {i: n for n, i in enumerate(_search_ids(engine, articles, f.q))} if f.q else None
    rows = []
    for a in articles:
        stat = stats.get(a.id)
        status = "published" if not a.draft else "review" if a.id in pending else "draft"
        translated = bool(a.translation) and all((a.translation, lang) in keys for lang in UI_LANGS)
        row = Row(a, status, stat.views if stat else 0, stat.helpful_ratio if stat else None, translated,
                  id_problem(a.id) is None)
        if _keep(row, f, today) and (order is None or a.id in order):
            rows.append(row)
    rows.sort(key=lambda r: order[r.article.id] if order is not None else r.article.id)
    return rows


def _keep(row: Row, f: Filters, today: dt.date) -> bool:
    a = row.article
    if (f.lang and a.lang != f.lang) or (f.category and a.category != f.category):
        return False
    if (f.audience and a.audience != f.audience) or (f.status and row.status != f.status):
        return False
    if f.untranslated and row.translated:
        return False
    if f.stale_months is not None and a.updated is not None \
            and (today - a.updated).days < f.stale_months * DAYS_PER_MONTH:
        return False
    if f.helpful_below is not None and (row.helpful_ratio is None or row.helpful_ratio * 100 >= f.helpful_below):
        return False
    return f.min_views is None or row.views >= f.min_views
