"""One word of a customer's question as the public search reads it.

A search reads a word as typed only when it needs no repair: a word typed without umlauts
is read with them ("ruecksendung": kb/search/umlauts.py), a typo one edit from a known word
as that word (kb/search/typo_words.py), and the keyword search reads an unknown word as the
speller's correction towards the articles' words (kb/search/spelling.py; "lapel" in a German
question is "label"). The editors' report of missing words (kb/search/unused_words.py) asks
this for each word of the stored searches: a word the search reads as an article's word is
answered, not missing. The stored search keeps the customer's words, not their readings, so
each word is read again alone, in the language the search was made in.
"""

from __future__ import annotations

from functools import partial

from kb.index.loaded import LoadedIndex
from kb.index.vocabulary import word_counts
from kb.search.spelling import Spelling
from kb.search.typo_words import TypoWords
from kb.search.umlauts import restored_word

PUBLIC = True  # customers search the public articles: their words are what the speller knows
UMLAUT_LANGS = (None, "de")  # umlauts are restored only where a question may be German


class WordReading:
    """(lower-case word, question language or None) -> the lower-case word the search reads."""

    def __init__(self, spelling: Spelling, typos: TypoWords) -> None:
        """The search engine's own speller and typo words for public searches, whose caches
        the live searches fill with the same words."""
        self._spelling = spelling
        self._typos = typos
        self._in_help_centre = partial(spelling.known, public=PUBLIC)

    @classmethod
    def of_index(cls, index: LoadedIndex) -> "WordReading":
        """A reading built from the index alone, for a report outside a server (bench):
        what the engine builds from the same vocabulary, without its encoders."""
        counts = word_counts(index.vocabulary, index.articles)
        spelling = Spelling(counts)
        typos = TypoWords(partial(spelling.known, public=PUBLIC), {lang: c[PUBLIC] for lang, c in counts.items()})
        return cls(spelling, typos)

    def __call__(self, word: str, lang: str | None) -> str:
        if lang in UMLAUT_LANGS:
            word = restored_word(word, self._in_help_centre) or word
        word = self._typos.retyped(word, lang)
        return self._spelling.corrections(word, lang, PUBLIC).get(word, word)
