"""Spelling corrections from the words of the indexed sections.

Whoosh's ``ReaderCorrector.suggest(word, limit=1, maxdist)`` gives the answer
this module gives, without its automaton walk: among the field's terms within
``maxdist`` edits (Levenshtein), the most frequent, ties to the
lexicographically greatest. Whoosh walks a Levenshtein automaton over the term
file, most of a search's time; here the terms are filtered in numpy by length
and by a character-histogram bound (each edit changes the histogram's L1 norm
by at most 2), and only the few survivors get an exact distance. Results are
cached per word: customers repeat their words.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from kb.content.text import WORD_CHARS

MAX_QUERY_WORDS = 64
MIN_CORRECTED_CHARS = 4  # shorter words are too often right and too close to many others
LONG_WORD_CHARS = 7  # from this length on, two edits are allowed
CACHED_SUGGESTIONS = 20_000
HISTOGRAM_BUCKETS = 61


def levenshtein(a: str, b: str, limit: int) -> int:
    """Edit distance (insert, delete, substitute), or limit + 1 as soon as it exceeds limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


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

    @classmethod
    def from_reader(cls, reader, field: str) -> "Speller":
        """The terms of a Whoosh field, per segment summed: a multi-segment reader (an
        updated index) would otherwise look up every term in every segment."""
        totals: dict[str, float] = {}
        for leaf, _ in reader.leaf_readers():
            for term, info in leaf.iter_field(field):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                totals[word] = totals.get(word, 0.0) + float(info.weight())
        return cls(totals)

    def corrections(self, text: str) -> dict[str, str]:
        """Unknown words of ``text`` with their most likely spelling."""
        fixes = {}
        for word in WORD_CHARS.findall(text.lower())[:MAX_QUERY_WORDS]:
            if len(word) < MIN_CORRECTED_CHARS or word.isdigit() or word in self.known:
                continue
            suggestion = self.suggest(word, maxdist=2 if len(word) >= LONG_WORD_CHARS else 1)
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
            if cand != word and levenshtein(word, cand, maxdist) <= maxdist:
                if best is None or (self.freqs[i], cand) > best:
                    best = (self.freqs[i], cand)
        return best[1] if best else None
