"""One word of a customer's question as the public search reads it.

A search reads a word as typed only when it needs no repair: a word typed without umlauts
is read with them ("ruecksendung": kb/search/umlauts.py), a typo one edit from a known word
as that word (kb/search/typo_words.py), and the keyword search reads an unknown word as the
speller's correction towards the articles' words (kb/search/spelling.py; "lapel" in a German
question is "label"). The editors' report of missing words (kb/search/unused_words.py) asks
this for each word of the stored searches: a word the search reads as an article's word is
answered, not missing. The stored search keeps the customer's words, not their readings, so
each word is read again alone, in the language the search was made in.

A report reads thousands of words no customer searches with again soon: its reading has its
own speller, typo words and bounded caches (:data:`REPORT_CACHE`), built from the same
vocabulary as the live search's, so a report never evicts the words customers' searches
keep in the live search's caches.
"""

from __future__ import annotations

from functools import partial

from kb.index.loaded import LoadedIndex
from kb.index.vocabulary import word_counts
from kb.search.cache import LRU
from kb.search.spelling import Spelling
from kb.search.typo_words import TypoWords
from kb.search.umlauts import restored_word

PUBLIC = True  # customers search the public articles: their words are what the speller knows
UMLAUT_LANGS = (None, "de")  # umlauts are restored only where a question may be German
REPORT_CACHE = 5_000  # readings a report keeps: its capped words (kb/ops/insights/missing_words.py)


class WordReading:
    """(lower-case word, question language or None) -> the lower-case word the search reads."""

    def __init__(self, spelling: Spelling, typos: TypoWords, cache_size: int = REPORT_CACHE) -> None:
        """A speller and typo words for public searches of the report's own, whose caches no
        live search shares; ``cache_size`` bounds the readings kept."""
        self._spelling = spelling
        self._typos = typos
        self._in_help_centre = partial(spelling.known, public=PUBLIC)
        self._read = LRU(cache_size)  # (word, language) -> its reading

    @classmethod
    def of_counts(cls, counts: dict, cache_size: int = REPORT_CACHE) -> "WordReading":
        """A reading of the vocabulary's words per language and audience
        (kb.index.vocabulary.word_counts), as the engine's search reads them, with caches of
        its own."""
        spelling = Spelling(counts)
        typos = TypoWords(partial(spelling.known, public=PUBLIC), {lang: c[PUBLIC] for lang, c in counts.items()},
                          cache_size)
        return cls(spelling, typos, cache_size)

    @classmethod
    def of_index(cls, index: LoadedIndex) -> "WordReading":
        """A reading built from the index alone, for a report outside a server (bench)."""
        return cls.of_counts(word_counts(index.vocabulary, index.articles))

    def __call__(self, word: str, lang: str | None) -> str:
        key = (word, lang)
        found = self._read.get(key)
        if found is None:
            found = self._reading(word, lang)
            self._read.put(key, found)
        return found

    def _reading(self, word: str, lang: str | None) -> str:
        if lang in UMLAUT_LANGS:
            word = restored_word(word, self._in_help_centre) or word
        word = self._typos.retyped(word, lang)
        return self._spelling.corrections(word, lang, PUBLIC).get(word, word)
