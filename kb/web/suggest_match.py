"""Whether an article title fits what a customer has typed so far, for the type-ahead.

Typed words before the last one are finished: they must appear as words
(or word beginnings of at least ``MIN_STEM_CHARS`` letters, so "paket"
finds "Pakete"). Only the last word may be cut off and matches any word
beginning. Question and filler words ("wo", "ist", "mein", "how", "my")
say nothing about the topic, so on their own they only match a title that
begins with exactly what was typed: "wo ist" suggests "Wo ist mein Paket?",
never "Wie nachhaltig ist die Verpackung?".
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from whoosh.lang import stopwords_for_language

MIN_STEM_CHARS = 4
QUESTION_WORDS = """wo wie was wann warum wieso weshalb wer wen wem welche welcher welches woher wohin womit
    kann koennen konnen muss bitte gibt mein meine meinen meinem meiner
    where what when why who which how can could my do does is are"""


@lru_cache(maxsize=1)
def filler_words(fold) -> frozenset[str]:
    words = set(QUESTION_WORDS.split())
    for lang in ("de", "en"):
        words.update(stopwords_for_language(lang))
    return frozenset(fold(w) for w in words)


@dataclass(frozen=True)
class Typed:
    """The folded text typed so far, split into finished words, the word being typed, and the topic words."""

    text: str
    finished: tuple[str, ...]
    partial: str | None
    topic: tuple[tuple[str, bool], ...]   #: (word, is the partial last word) without filler words


def typed(query: str, fold, words_of) -> Typed:
    text = " ".join(words_of(fold(query)))
    words = words_of(fold(query))[:8]
    ends_word = not query or not query[-1].isalnum()
    finished, partial = (tuple(words), None) if ends_word else (tuple(words[:-1]), words[-1] if words else None)
    fillers = filler_words(fold)
    topic = tuple((w, False) for w in finished if w not in fillers)
    if partial and not any(f.startswith(partial) for f in fillers):   # "m" may still become "mein"
        topic += ((partial, True),)
    return Typed(text, finished, partial, topic)


def word_fits(typed_word: str, is_partial: bool, words: set[str]) -> bool:
    if is_partial:
        return any(w.startswith(typed_word) for w in words)
    if len(typed_word) >= MIN_STEM_CHARS:
        return any(w.startswith(typed_word) for w in words)
    return typed_word in words


def topic_uses(t: Typed, uses) -> int:
    """How often an article's tags, questions and summary (``uses``: word -> count) use words
    that fit the typed topic words."""
    return sum(n for w, n in uses.items() for word, is_partial in t.topic if word_fits(word, is_partial, {w}))


def title_rank(t: Typed, title_text: str, title: set[str], other: set[str]) -> tuple[int, int] | None:
    """(0 = the title begins with the typed text, else 1; topic words found only outside the title),
    or None when the article does not fit."""
    if t.text and title_text.startswith(t.text):
        return 0, 0
    if not t.topic:
        return None
    outside = 0
    for word, is_partial in t.topic:
        if word_fits(word, is_partial, title):
            continue
        if not word_fits(word, is_partial, other):
            return None
        outside += 1
    return 1, outside
