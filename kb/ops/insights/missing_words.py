"""Words customers search with that no article uses: the help centre's missing vocabulary.

Which words count is the caller's decision (``reads_as``): the web layer reads each word as
the search reads it (a typo as the word meant, umlauts where typed without them) and asks the
live index whether any article uses that word (lemmas, compound parts), and the language's
dictionaries whether it is a word at all. A word the search reads as an article's word is
answered, not missing, and a typo the search cannot repair is in no row.

A row is one word in the forms and spellings customers typed it: "rücksendeetikett",
"rücksendeetiketts" and "ruecksendeetikett" share a form (:func:`word_form`) and are one row,
counted once per search, shown as the customers' most frequent spelling that needs no repair,
with the other spellings beside it. Only the masked wording of a search is stored and read
(kb/ops/database.py): its placeholders are no words. This module only reads the stored
searches and helpful votes.

A word the search has to read through its speller takes milliseconds, and a busy period has
tens of thousands of distinct words: the report reads the period's most frequent
:data:`MAX_WORDS_READ` distinct words (per language), and says so (:class:`MissingWords`)
when there were more. The rarest words are the ones an editor acts on last.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from kb.content.text import ALNUM_WORD, MASKED
from kb.ops.database import Store
from kb.ops.insights.customers import CUSTOMER_SEARCH
from kb.ops.insights.period import bounds, check_limit
from kb.ops.insights.results import MissingWord, ordered
from kb.ops.insights.words import collapse, is_stop_word, word_form

MIN_LETTERS = 3  # shorter tokens are abbreviations, units and leftovers more often than words
WORDINGS_SHOWN = 3
SPELLINGS_SHOWN = 5  # other spellings of a row's word: the commonest say enough
# distinct (word, language) a report reads: a page answers within seconds (a word the speller
# reads takes up to 4 ms cold), and words searched once or twice are the least telling
MAX_WORDS_READ = 2_000

# (word as typed, language or None) -> the word no article uses that the search reads it
# as, or None (kb/search/unused_words.py)
ReadsAs = Callable[[str, "str | None"], "str | None"]


class MissingWords(list):
    """The report's rows, with how many of the period's distinct (word, language) were read:
    ``cut`` when there were more than the most frequent ``words_checked``."""

    def __init__(self, rows: Iterable[MissingWord], words_checked: int, distinct_words: int) -> None:
        super().__init__(rows)
        self.words_checked = words_checked
        self.distinct_words = distinct_words

    @property
    def cut(self) -> bool:
        return self.distinct_words > self.words_checked


@dataclass
class _Tally:
    """One row's searches: ``spellings`` as typed, ``readings`` as the search read them."""
    searches: int = 0
    answered: int = 0
    last: str = ""
    wordings: Counter = field(default_factory=Counter)
    helpful: Counter = field(default_factory=Counter)
    spellings: Counter = field(default_factory=Counter)
    readings: Counter = field(default_factory=Counter)


def missing_words(store: Store, days: int = 30, limit: int | None = 20, *, reads_as: ReadsAs,
                  now: datetime | None = None, zone: tzinfo | None = None,
                  max_words: int | None = None) -> MissingWords:
    """Words of the period's customer searches (not agents') that ``reads_as`` says stand for
    a word no article uses, one row per word with its spellings, most searched first, each
    with the article customers voted helpful after such a search most often: a vote counts
    when the search showed the article, as for learned questions (kb/ops/learning.py).
    ``limit=None`` returns all. Only the ``max_words`` (:data:`MAX_WORDS_READ`) most frequent
    distinct words are read."""
    check_limit(limit)
    max_words = MAX_WORDS_READ if max_words is None else max_words
    since, until = bounds(days, now, zone)
    rows = store.query(
        "SELECT s.id, s.query, s.lang, s.answered, s.at, s.results, f.article_id FROM searches s "
        "LEFT JOIN feedback f ON f.search_token = s.token AND f.helpful = 1 "
        f"WHERE s.at >= ? AND s.at < ? AND s.{CUSTOMER_SEARCH} AND s.query <> '' ORDER BY s.id, f.id",
        (since, until))
    tallies: dict[str, _Tally] = {}
    counted: set[tuple[int, str]] = set()  # a search with two helpful votes counts once
    # (word, lang) -> the missing word it stands for; None: none, or not read (past max_words)
    verdicts, distinct = _unread(rows, max_words)
    forms: dict[str, str] = {}  # word read -> its row: one form, whichever language read it first
    for r in rows:
        found: dict[str, list[tuple[str, str]]] = {}  # row -> (typed, read) of this search
        for typed, read in _missing_in(r["query"], r["lang"], reads_as, verdicts):
            found.setdefault(forms.setdefault(read, word_form(read, r["lang"])), []).append((typed, read))
        for form, words in found.items():
            tally = tallies.setdefault(form, _Tally())
            if r["article_id"] and r["article_id"] in json.loads(r["results"]):
                tally.helpful[r["article_id"]] += 1
            if (r["id"], form) not in counted:
                counted.add((r["id"], form))
                _count(tally, r, words)
    result = ordered((_row(t) for t in tallies.values()),
                     (lambda m: m.count, True), (lambda m: m.last_seen, True), (lambda m: m.word, False))
    return MissingWords(result if limit is None else result[:limit], min(distinct, max_words), distinct)


def _unread(rows, max_words: int) -> tuple[dict[tuple[str, str | None], None], int]:
    """(the distinct (word, language) of the searches past the ``max_words`` most searched
    (ties alphabetical), each None: not read; how many distinct ones there are)."""
    searched: Counter = Counter()
    seen: set[int] = set()
    for r in rows:
        if r["id"] not in seen:  # a search with two helpful votes is one search
            seen.add(r["id"])
            searched.update((word, r["lang"]) for word in _candidate_words(r["query"]))
    ranked = sorted(searched.items(), key=lambda kv: (-kv[1], kv[0][0], kv[0][1] or ""))
    return {key: None for key, _ in ranked[max_words:]}, len(ranked)


def _missing_in(query: str, lang: str | None, reads_as: ReadsAs,
                verdicts: dict[tuple[str, str | None], str | None]) -> Iterable[tuple[str, str]]:
    """(typed, read) of the query's words that stand for a missing word; ``reads_as`` is asked
    once per word and language of the whole report."""
    for word in _candidate_words(query):
        key = (word, lang)
        if key not in verdicts:
            verdicts[key] = reads_as(word, lang)
        if verdicts[key] is not None:
            yield word, verdicts[key]


def _count(tally: _Tally, search, words: list[tuple[str, str]]) -> None:
    """One search in a row, with the spellings it typed the row's word in."""
    tally.searches += 1
    tally.answered += bool(search["answered"])
    tally.last = max(tally.last, search["at"])
    tally.wordings[collapse(search["query"].lower())] += 1
    tally.spellings.update({typed for typed, _ in words})
    tally.readings.update({read for _, read in words})


def _candidate_words(query: str) -> list[str]:
    """The query's distinct lower-case words that could name a topic: letters, not a stop word."""
    words = ALNUM_WORD.findall(MASKED.sub(" ", query).lower())
    return list(dict.fromkeys(w for w in words if len(w) >= MIN_LETTERS and w.isalpha() and not is_stop_word(w)))


def _most_frequent(counts: Counter, among: Iterable[str] | None = None) -> list[str]:
    """The words of ``counts`` (those ``among`` only), most frequent first, ties alphabetical."""
    allowed = set(counts if among is None else among)
    return [w for w, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])) if w in allowed]


def _row(t: _Tally) -> MissingWord:
    """The row as editors read it: the word in the customers' most frequent spelling that the
    search reads as typed (no typo, umlauts as written), else as the search read it."""
    as_typed = set(t.spellings) & set(t.readings)
    word = next(iter(_most_frequent(t.spellings, as_typed) or _most_frequent(t.readings)))
    best = min(t.helpful.items(), key=lambda kv: (-kv[1], kv[0]), default=(None, 0))
    return MissingWord(word=word,
                       other_spellings=tuple(w for w in _most_frequent(t.spellings) if w != word)[:SPELLINGS_SHOWN],
                       count=t.searches, answered_share=t.answered / t.searches,
                       wordings=tuple(_most_frequent(t.wordings)[:WORDINGS_SHOWN]),
                       article_id=best[0], helpful_votes=best[1], last_seen=t.last)
