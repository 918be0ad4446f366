"""The nearest known word to a typo.

Among the known words within the fewest edits (up to ``maxdist``), the most
frequent, ties to the lexicographically greatest: "bleiebn" is "bleiben" (one
swap), not the more frequent "bleibt" (two edits). An edit is an insertion,
deletion, substitution or a swap of two neighbouring letters (optimal string
alignment distance): swapped letters ("retrun") are the commonest typo and
count as one. The words
are filtered in numpy by length and by a character-histogram bound (each edit
changes the histogram's L1 norm by at most 2, a swap not at all), and only the
few survivors get an exact distance (RapidFuzz). Results are cached per word:
customers repeat their words.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np
from rapidfuzz.distance import OSA

from kb.content.text import WORD_CHARS

MAX_QUERY_WORDS = 64
MIN_CORRECTED_CHARS = 4  # shorter words are too often right and too close to many others
ABBREVIATED_ENDINGS = ("nr",)  # German "Nummer" abbreviated, words of no dictionary
LONG_WORD_CHARS = 7  # from this length on, two edits are allowed
CACHED_SUGGESTIONS = 20_000
HISTOGRAM_BUCKETS = 61


def edit_distance(a: str, b: str, limit: int) -> int:
    """Edits (insert, delete, substitute, swap neighbours) from ``a`` to ``b``, or
    limit + 1 when more than ``limit``."""
    return OSA.distance(a, b, score_cutoff=limit)


def correctable(word: str) -> bool:
    """Long enough to be a typo worth correcting, not a number and no abbreviation of
    "…nummer" ("Bestellnr.", "Kundennr": one edit from "Besteller" and "Kunden")."""
    return len(word) >= MIN_CORRECTED_CHARS and not word.isdigit() and not word.lower().endswith(ABBREVIATED_ENDINGS)


def allowed_edits(word: str) -> int:
    return 2 if len(word) >= LONG_WORD_CHARS else 1


def _histogram(word: str) -> np.ndarray:
    h = np.zeros(HISTOGRAM_BUCKETS, dtype=np.int16)
    for ch in word:
        h[ord(ch) % HISTOGRAM_BUCKETS] += 1
    return h


class Speller:
    """The words of a vocabulary with their frequencies, and the nearest of them to a typo."""

    def __init__(self, totals: dict[str, float]) -> None:
        """``totals``: word -> how often the sections use it."""
        words = sorted(totals)
        self.words = words
        self.known = frozenset(words)
        self.freqs = np.array([max(1.0, totals[w]) for w in words], dtype=np.float64)
        self.lengths = np.array([len(w) for w in words], dtype=np.int32)
        self.hist = (np.stack([_histogram(w) for w in words]) if words
                     else np.zeros((0, HISTOGRAM_BUCKETS), dtype=np.int16))
        self._cache: OrderedDict[tuple[str, int], str | None] = OrderedDict()
        self._lock = threading.Lock()

    def corrections(self, text: str, known: frozenset[str] | None = None) -> dict[str, str]:
        """Words of ``text`` that are not ``known`` (default: this speller's words) with
        their most likely spelling."""
        known = self.known if known is None else known
        fixes = {}
        for word in WORD_CHARS.findall(text.lower())[:MAX_QUERY_WORDS]:
            if not correctable(word) or word in known:
                continue
            suggestion = self.suggest(word, allowed_edits(word))
            if suggestion:
                fixes[word] = suggestion
        return fixes

    def suggest(self, word: str, maxdist: int) -> str | None:
        key = (word, maxdist)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._suggest(word, maxdist)
        with self._lock:
            self._cache[key] = found
            if len(self._cache) > CACHED_SUGGESTIONS:
                self._cache.popitem(last=False)
        return found

    def _suggest(self, word: str, maxdist: int) -> str | None:
        for edits in range(1, maxdist + 1):
            found = self._most_frequent_within(word, edits)
            if found is not None:
                return found
        return None

    def _most_frequent_within(self, word: str, maxdist: int) -> str | None:
        if not self.words:
            return None
        near = np.flatnonzero(np.abs(self.lengths - len(word)) <= maxdist)
        if not len(near):
            return None
        l1 = np.abs(self.hist[near] - _histogram(word)).sum(axis=1)
        near = near[l1 <= 2 * maxdist]
        best = None
        for i in near[np.argsort(-self.freqs[near], kind="stable")]:
            cand = self.words[i]
            if best is not None and self.freqs[i] < best[0]:
                break  # sorted by frequency: nothing later can win
            if cand != word and edit_distance(word, cand, maxdist) <= maxdist:
                if best is None or (self.freqs[i], cand) > best:
                    best = (self.freqs[i], cand)
        return best[1] if best else None
