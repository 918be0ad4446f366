"""Keyword analysis by dictionary lemmas and German compound parts.

Snowball stems conflate words that mean different things ("package" and
"packaging" both become "packag", so a question about a parcel finds the
packaging article); simplemma's lemmas keep them apart while still joining
inflections ("packages" -> "package", "Lieferungen" -> "Lieferung").

German writes compounds as one word ("Rücksendeetikett", "Lieferadresse") where
a customer may use a part ("Etikett", "Adresse") or another compound of the same
parts. The compound filter adds the parts (compound-split's character n-gram
model) after the whole word; the whole word stays the token's first term, which
is what highlights and coverage use.
"""

from __future__ import annotations

from functools import lru_cache

import simplemma
from compound_split import char_split
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stopwords_for_language

LEMMA_CACHE = 200_000
MIN_PART = 4  # shorter heads or tails are mostly suffixes ("Pak|ete", "Bez|ahlen")
MIN_SPLIT_SCORE = -0.9  # compound-split's confidence below which a split is a guess
MIN_COMPOUND = 2 * MIN_PART + 1  # shorter words are not split
MAX_COMPOUND = 40  # longer "words" are codes or noise; splitting costs grow with length
MAX_DEPTH = 2  # "Versandkostenpauschale" -> Versandkosten | Pauschale -> Versand | Kosten


@lru_cache(maxsize=LEMMA_CACHE)
def lemma(word: str, lang: str) -> str:
    """The lower-cased dictionary lemma of a lower-cased word (the word itself if unknown).

    German nouns are looked up capitalised too: customers type "rechnungen".
    """
    found = simplemma.lemmatize(word, lang=lang)
    if found.lower() == word and lang == "de":
        found = simplemma.lemmatize(word.capitalize(), lang=lang)
    return found.lower()


@lru_cache(maxsize=LEMMA_CACHE)
def compound_parts(word: str, depth: int = MAX_DEPTH) -> tuple[str, ...]:
    """The lemmas of a German compound's parts, () when the word is not a confident compound."""
    if depth == 0 or not MIN_COMPOUND <= len(word) <= MAX_COMPOUND or not word.isalpha():
        return ()
    score, head, tail = char_split.split_compound(word)[0]
    head, tail = head.lower(), tail.lower()
    if score < MIN_SPLIT_SCORE or min(len(head), len(tail)) < MIN_PART:
        return ()
    parts = []
    for part in (head, tail):
        base = lemma(part, "de")
        parts.append(base)
        parts.extend(compound_parts(part, depth - 1))
    return tuple(dict.fromkeys(parts))


class LemmaFilter(Filter):
    """Replaces each token by its lemma."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other):
        return type(other) is type(self) and other.lang == self.lang

    def __call__(self, tokens):
        for t in tokens:
            t.text = lemma(t.text, self.lang)
            yield t


class CompoundFilter(Filter):
    """After each (lemmatised) token, its compound parts, marked ``part`` (see
    :func:`whole_words`)."""

    def __call__(self, tokens):
        for t in tokens:
            word = t.text
            t.part = False  # the tokenizer reuses one token object
            yield t
            for part in compound_parts(word):
                if part != word:
                    t.text, t.part = part, True
                    yield t


def whole_words(analyzer, text: str) -> list[str]:
    """The distinct terms of ``text`` without compound parts: one per word, as the
    help centre's vocabulary records them (kb/index/vocabulary.py), so the share of
    a question's words the articles use does not fall for a compound."""
    return list(dict.fromkeys(t.text for t in analyzer(text) if not getattr(t, "part", False)))


def lemma_analyzer(lang: str, compounds: bool):
    """Words, lower case, the language's stop words, lemmas (and German compound parts)."""
    chain = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords_for_language(lang),
                                                               minsize=2) | LemmaFilter(lang)
    return chain | CompoundFilter() if compounds else chain
