"""Text normalisation for grouping searches: folding, stop words, stemming, content words."""

from __future__ import annotations

import re
from functools import lru_cache

from whoosh.lang import stopwords_for_language

from kb.content.text import ALNUM_WORD, MASKED as _PLACEHOLDER, fold as _fold, snowball_stem as _stem

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
    stemmer_lang = "en" if lang == "en" else "de"
    tokens = [t for t in ALNUM_WORD.findall(_fold(_PLACEHOLDER.sub(" ", text))) if len(t) > 1 or t.isdigit()]
    content = [t for t in tokens if t not in _STOP_WORDS]
    if not content:
        return frozenset(tokens)
    return frozenset(_stem(_DOUBLED.sub(r"\1", t), stemmer_lang) for t in content)


def collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()
