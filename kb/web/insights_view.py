"""The editors' insights page: which reports, their column names and explanations, and cells as people read them.

The reports (:mod:`kb.ops.insights`) return plain rows with English field
names, as the CSV download keeps them; the page shows translated column
headers, article titles linked to the article, local times, and leaves out
chart rows where nothing happened.
"""

from __future__ import annotations

from dataclasses import fields

from markupsafe import Markup, escape

from kb.web.i18n import _

# name: (title, function in kb.ops.insights, what it tells the editor)
TABLES = {
    "top-searches": ("Top searches", "top_searches",
                     "The most frequent searches. “Answered” is the share of these searches for which the "
                     "help centre found a fitting article."),
    "unanswered": ("Searches without an answer, grouped by wording", "unanswered_groups",
                   "Searches no article answered, grouped when they ask the same thing in other words "
                   "(also with typos or without umlauts). The biggest groups are the articles to write next."),
    "missing-words": ("Customers' words no article uses", "missing_words",
                      "Words customers searched with that no article uses (nor a form of them), as they typed "
                      "them, with the article they voted helpful after such a search. The forms and spellings "
                      "of a word are one row; a typo counts for the word the search read it as, and a word "
                      "the search read as an article's word is not listed: it found its article. Adding the "
                      "word to that article's tags or questions lets the next customers who use it find the "
                      "article."),
    "competing": ("Articles customers could not tell apart", "competing_articles",
                  "Searches answered with a choice because two articles fitted about equally, per pair of "
                  "articles. A clearer title or summary, or one of the wordings added to the right article's "
                  "questions, settles it."),
    "not-helpful": ("Articles voted not helpful", "not_helpful_articles",
                    "Articles readers voted “not helpful”, with their latest comments. “Helpful share” is "
                    "helpful votes divided by all votes of the article."),
    "articles": ("Views and helpful votes per article", "article_stats",
                 "How often each article was read and how readers voted. “Helpful share” is helpful votes "
                 "divided by all votes; empty when nobody voted."),
    "deflection": ("Deflection over time", "deflection",
                   "Self-service rate = searches that ended on an article voted helpful, divided by those "
                   "plus the contact requests sent in the same period. It rises when customers find their "
                   "answer instead of writing to the team. Periods without any activity are left out."),
    "learned": ("Found by learned questions", "learned_effect",
                "Customer searches whose wording is a question editors accepted from real traffic "
                "(Agents › Questions) and that showed its article first."),
}
COLUMNS = {
    "query": "Searched for", "count": "Searches", "answered_share": "Answered", "last_seen": "Last searched",
    "representative": "Most frequent wording", "variants": "Different wordings", "wordings": "Wordings",
    "keywords": "Key words", "article_id": "Article", "no_votes": "Not helpful", "yes_votes": "Helpful",
    "helpful_ratio": "Helpful share", "comments": "Comments", "views": "Views", "bucket": "Period",
    "start": "From", "end": "To", "searches": "Searches", "helpful_searches": "Helpful searches",
    "contact_requests": "Contact requests", "rate": "Self-service rate",
    "phrasings": "Learned questions", "first_accepted": "Accepted on",
    "other_article_id": "Competing article", "word": "Word", "helpful_votes": "Helpful votes",
    "other_spellings": "Also typed as",
    "lang": "Language",
}
ARTICLE_COLUMNS = ("article_id", "other_article_id")
# deflection: start and end say the same, in words people read; unanswered: the key words are
# stems for grouping ("zuruckschick"), the wordings say it in the customers' words
HIDDEN = {"deflection": ("bucket",), "unanswered": ("keywords",)}
TIME_COLUMNS = ("last_seen",)


def visible_rows(name: str, rows: list) -> list:
    """Leave out chart buckets in which nothing happened: a table of zeros says nothing."""
    if name != "deflection":
        return rows
    return [r for r in rows if r.searches or r.helpful_searches or r.contact_requests]


def columns(name: str, rows: list) -> list[tuple[str, str]]:
    """(field, translated header) of the table's columns."""
    if not rows:
        return []
    return [(f.name, _(COLUMNS.get(f.name, f.name))) for f in fields(rows[0]) if f.name not in HIDDEN.get(name, ())]


def header_names(row_type: type) -> list[str]:
    """The CSV header a person reads: the page's column names in the reader's language."""
    return [_(COLUMNS.get(f.name, f.name)) for f in fields(row_type)]


def cell(column: str, value, *, titles: dict[str, str], article_link, time, date) -> Markup:
    """One table cell as HTML (everything escaped): titles linked, times local, shares in per cent."""
    if value is None or value == ():
        return Markup("—")
    if column in ARTICLE_COLUMNS:
        title = titles.get(value)
        if title is None:   # deleted or renamed since: the id is all there is
            return escape(value)
        return Markup('<a href="{}">{}</a>').format(article_link(value), title)
    if column in TIME_COLUMNS:
        return escape(time(value))
    if column in ("start", "end"):
        return escape(date(value))
    if isinstance(value, float):
        return escape(f"{value:.0%}" if 0.0 <= value <= 1.0 else f"{value:.2f}")
    if isinstance(value, (list, tuple)):
        return escape(" · ".join(str(v) for v in value))
    return escape(str(value))
