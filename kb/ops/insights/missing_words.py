"""Words customers search with that no article uses: the help centre's missing vocabulary.

Which words count is the caller's decision (``unknown``): the web layer asks the live
index whether any article uses the word as the search analyses it (lemmas, compound
parts) and the language's dictionaries whether it is a word at all, so a typo is no
missing word. This module only reads the stored searches and helpful votes.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from kb.content.text import ALNUM_WORD, MASKED
from kb.ops.database import Store
from kb.ops.insights.period import bounds, check_limit
from kb.ops.insights.results import MissingWord, ordered
from kb.ops.insights.words import collapse, is_stop_word

MIN_LETTERS = 3  # shorter tokens are abbreviations, units and leftovers more often than words
WORDINGS_SHOWN = 3

# (word, language or None) -> the word is a real word no article uses
UnknownWord = Callable[[str, "str | None"], bool]


@dataclass
class _Tally:
    searches: int = 0
    answered: int = 0
    last: str = ""
    wordings: Counter = field(default_factory=Counter)
    helpful: Counter = field(default_factory=Counter)


def missing_words(store: Store, days: int = 30, limit: int | None = 20, *, unknown: UnknownWord,
                  now: datetime | None = None, zone: tzinfo | None = None) -> list[MissingWord]:
    """Words of the period's customer searches (not agents') that ``unknown`` says no
    article uses, most searched first, each with the article customers voted helpful
    after such a search most often: a vote counts when the search showed the article, as
    for learned questions (kb/ops/learning.py). ``limit=None`` returns all."""
    check_limit(limit)
    since, until = bounds(days, now, zone)
    rows = store.query(
        "SELECT s.id, s.query, s.lang, s.answered, s.at, s.results, f.article_id FROM searches s "
        "LEFT JOIN feedback f ON f.search_token = s.token AND f.helpful = 1 "
        "WHERE s.at >= ? AND s.at < ? AND s.channel != 'agent' AND s.query <> ''", (since, until))
    tallies: dict[str, _Tally] = {}
    counted: set[tuple[int, str]] = set()  # a search with two helpful votes counts once
    verdicts: dict[tuple[str, str | None], bool] = {}
    for r in rows:
        for word in _candidate_words(r["query"]):
            key = (word, r["lang"])
            if key not in verdicts:
                verdicts[key] = unknown(word, r["lang"])
            if not verdicts[key]:
                continue
            tally = tallies.setdefault(word, _Tally())
            if r["article_id"] and r["article_id"] in json.loads(r["results"]):
                tally.helpful[r["article_id"]] += 1
            if (r["id"], word) in counted:
                continue
            counted.add((r["id"], word))
            tally.searches += 1
            tally.answered += bool(r["answered"])
            tally.last = max(tally.last, r["at"])
            tally.wordings[collapse(r["query"].lower())] += 1
    result = ordered((_row(word, t) for word, t in tallies.items()),
                     (lambda m: m.count, True), (lambda m: m.last_seen, True), (lambda m: m.word, False))
    return result if limit is None else result[:limit]


def _candidate_words(query: str) -> list[str]:
    """The query's distinct lower-case words that could name a topic: letters, not a stop word."""
    words = ALNUM_WORD.findall(MASKED.sub(" ", query).lower())
    return list(dict.fromkeys(w for w in words if len(w) >= MIN_LETTERS and w.isalpha() and not is_stop_word(w)))


def _row(word: str, t: _Tally) -> MissingWord:
    best = min(t.helpful.items(), key=lambda kv: (-kv[1], kv[0]), default=(None, 0))
    return MissingWord(word=word, count=t.searches, answered_share=t.answered / t.searches,
                       wordings=tuple(w for w, _ in sorted(t.wordings.items(), key=lambda kv: (-kv[1], kv[0]))
                                      [:WORDINGS_SHOWN]),
                       article_id=best[0], helpful_votes=best[1], last_seen=t.last)
