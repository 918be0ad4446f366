"""Text normalisation for grouping searches: folding, stop words, stemming, content words, word forms."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.lang import stopwords_for_language

from kb.content.text import ALNUM_WORD, MASKED as _PLACEHOLDER, fold as _fold, snowball_stem as _stem, stem as _lemma

_SPACE = re.compile(r"\s+")
# A doubled letter counts once: the commonest typo ("Rückerstatung") then groups with the right word.
_DOUBLED = re.compile(r"([^\W\d_])\1+")

# Question and filler words that the stop-word lists lack but that say nothing
# about the topic of a help-centre search; English contractions as typed without
# their apostrophe ("cant", "dont").
_EXTRA_STOP = """
    wann warum wieso weshalb woher wohin womit wozu wer wen wem bitte gibt geht hallo danke
    mal gerne moechte mochte kann koennen konnen muss muessen mussen jemand etwa
    how can could would please hello hi thanks get got does
    cant dont doesnt didnt wont isnt arent wasnt werent havent hasnt couldnt wouldnt shouldnt
    im ive youre thats whats theres
"""


def _build_stop_words() -> frozenset[str]:
    words: set[str] = set(_EXTRA_STOP.split())
    for lang in ("de", "en"):
        words.update(stopwords_for_language(lang))
    return frozenset(_fold(w) for w in words)


_STOP_WORDS = _build_stop_words()


def is_stop_word(word: str) -> bool:
    """Whether a (lower-case) word is a German or English stop or filler word."""
    return _fold(word) in _STOP_WORDS


@lru_cache(maxsize=65536)
def content_words(text: str, lang: str | None = "de") -> frozenset[str]:
    """The stemmed content words of a query, as used to group unanswered searches.

    Case-folded, accents stripped (ä -> a), punctuation and PII placeholders
    removed, German and English stop words dropped, doubled letters written
    once ("rückerstatung" = "ruckerstattung"), then stemmed with the
    Snowball stemmer of ``lang`` (English for 'en', German otherwise — the
    shop's main language). One-letter tokens are dropped. When a query
    consists of stop words only ("wo ist es?"), its folded words are returned
    instead, so it still groups with its own repetitions.
    """
    stemmer_lang = _stemmer_lang(lang)
    tokens = [t for t in ALNUM_WORD.findall(_fold(_PLACEHOLDER.sub(" ", text))) if len(t) > 1 or t.isdigit()]
    content = [t for t in tokens if t not in _STOP_WORDS]
    if not content:
        return frozenset(tokens)
    return frozenset(_stem(_DOUBLED.sub(r"\1", t), stemmer_lang) for t in content)


def _stemmer_lang(lang: str | None) -> str:
    """English for 'en', German otherwise: the shop's main language."""
    return "en" if lang == "en" else "de"


@lru_cache(maxsize=65536)
def word_form(word: str, lang: str | None) -> str:
    """The form a (lower-case) word shares with its other forms and spellings, to count them
    as one word: its lemma as the keyword search reads it in ``lang`` ("gutscheine" ->
    "gutschein"), folded and Snowball-stemmed, so that a word no dictionary holds joins its
    inflections too ("rücksendeetiketts" and "rücksendeetikett": "rucksendeetikett").
    Typos play no part: the word given is the one the search read (a typo repaired)."""
    stemmer_lang = _stemmer_lang(lang)
    return _stem(_fold(_lemma(stemmer_lang, word) or word), stemmer_lang)


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
