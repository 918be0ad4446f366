"""Spelling corrections for a question, from the vocabulary its audience may see.

An anonymous search corrects only towards words of public articles, so no
correction reveals a word that only internal articles use; a staff search
corrects towards all. Corrections come from the question's language when it
is known (an English question never gets a German word, nor any word when no
article is in English), from all languages otherwise. A word any article of the audience uses, in any language, is left
as typed, and so is a word of the language's dictionary (simplemma's): a help
centre's few thousand words do not hold "woanders" or "bestelle", and turning
them into "anders" and "bestellen" only adds wrong keywords. Whether a correction is shown or applied is the engine's decision:
only when it turns an unanswered question into an answered one.
"""

from __future__ import annotations

import threading
from collections import Counter

from kb.content.text import WORD_CHARS
from kb.content.word_forms import dictionary_word
from kb.index.speller import Speller

ANY_LANGUAGE = None


class Spelling:
    """Per audience and language, a speller built on first use (staff spellers only
    when staff search)."""

    def __init__(self, counts: dict[str, dict[bool, dict[str, int]]]) -> None:
        """``counts``: lang -> {public only?: word -> count} (kb.index.vocabulary.word_counts)."""
        self._counts = counts
        self._known = {public: frozenset(w for c in counts.values() for w in c[public]) for public in (True, False)}
        self._spellers: dict[tuple[bool, str | None], Speller] = {}
        self._lock = threading.Lock()

    def known(self, word: str, public: bool) -> bool:
        """Whether an article of the audience uses the (lower-case) word, in any language."""
        return word in self._known[public]

    def _speller(self, public: bool, lang: str | None) -> Speller | None:
        """None for a language no article is written in: nothing to correct towards."""
        if lang is not None and lang not in self._counts:
            return None
        key = (public, lang)
        speller = self._spellers.get(key)
        if speller is None:
            with self._lock:
                speller = self._spellers.get(key)
                if speller is None:
                    if key[1] is ANY_LANGUAGE:
                        totals: Counter = Counter()
                        for c in self._counts.values():
                            totals.update(c[public])
                    else:
                        totals = self._counts[key[1]][public]
                    speller = self._spellers[key] = Speller(dict(totals))
        return speller

    def corrections(self, text: str, lang: str | None, public: bool) -> dict[str, str]:
        """Unknown words of ``text`` with their most likely spelling."""
        speller = self._speller(public, lang)
        if not speller:
            return {}
        langs = [lang] if lang is not None else list(self._counts)
        return {word: fix for word, fix in speller.corrections(text, self._known[public]).items()
                if not any(dictionary_word(word, each) for each in langs)}


def corrected(text: str, fixes: dict[str, str]) -> str:
    """The question with its corrected words replaced."""
    return WORD_CHARS.sub(lambda m: fixes.get(m.group(0).lower(), m.group(0)), text)
