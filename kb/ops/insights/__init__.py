"""Insights for editors: what customers look for, what is missing, what does not help.

One job per module: :mod:`.queries` (SQL reports), :mod:`.grouping` (unanswered
searches grouped by wording), :mod:`.missing_words` (words no article uses),
:mod:`.competing` (articles that hedged searches could not tell apart), :mod:`.learned`
(articles found by the questions editors accepted from real traffic),
:mod:`.words` (text folding and stemming for the grouping), :mod:`.period` (the
reporting period), :mod:`.results` (the result rows), :mod:`.chart` (the SVG
chart) and :mod:`.export` (CSV). Imports only
:mod:`kb.ops.database` and, for the table of learned questions, :mod:`kb.ops.learning`.

Every report counts customers: staff searches (``channel = 'agent'``) and the votes after them
are left out (:mod:`.customers`).

The reports that list wordings read only searches with one (``query <> ''``): a purge keeps
the newest old search with its wording cleared (kb/ops/retention.py), and an empty wording
tells an editor nothing.
"""

from kb.ops.insights.chart import deflection_svg
from kb.ops.insights.competing import competing_articles
from kb.ops.insights.export import PLAIN, Spreadsheet, spreadsheet_for, to_csv, to_csv_note
from kb.ops.insights.grouping import unanswered_groups
from kb.ops.insights.missing_words import missing_words
from kb.ops.insights.queries import article_stats, deflection, not_helpful_articles, top_searches
from kb.ops.insights.results import (ArticleStat, CompetingArticles, DeflectionPoint, MissingWord,
                                     NotHelpfulArticle, TopSearch, UnansweredGroup)
from kb.ops.insights.words import content_words
from kb.ops.insights.learned import LearnedEffect, learned_effect

__all__ = [
    "TopSearch", "UnansweredGroup", "MissingWord", "CompetingArticles", "NotHelpfulArticle", "ArticleStat",
    "DeflectionPoint", "missing_words",
    "top_searches", "unanswered_groups", "competing_articles", "not_helpful_articles", "article_stats", "deflection",
    "deflection_svg", "to_csv", "to_csv_note", "PLAIN", "Spreadsheet", "spreadsheet_for", "content_words",
    "LearnedEffect", "learned_effect",
]
