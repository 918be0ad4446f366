"""BM25F scores of every section for a set of query terms, in numpy.

The same scores as Whoosh's ``searcher.search(Or(terms), limit)`` with BM25F,
computed from per-term postings that are read once and cached: Whoosh scores
every matching posting in Python on every query, which grows with the help
centre. The keyword index (:mod:`kb.index.keyword`) decides which terms a
question has; this module only scores them.
"""

from __future__ import annotations

import threading

import numpy as np

BM25_B, BM25_K1 = 0.75, 1.2  # Whoosh's BM25F defaults
MAX_CACHED_TERMS = 50_000
DEFAULT_LIMIT = 1000  # sections kept per query, as Whoosh's searcher keeps its best hits


class BM25FScorer:
    """Scores over one Whoosh searcher; thread-safe (reads of the searcher share ``lock``)."""

    def __init__(self, searcher, lock: threading.Lock, uids: np.ndarray) -> None:
        """``uids`` maps Whoosh document numbers to section numbers (-1: deleted)."""
        self._searcher = searcher
        self._lock = lock
        self._uids = uids
        self._doc_count = len(uids)
        self._schema_fields = set(searcher.schema.names())
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}

    def scores(self, terms: list[tuple[str, str]], n_sections: int, limit: int = DEFAULT_LIMIT) -> np.ndarray:
        """BM25F score of every section for (field, token) ``terms`` (0 where nothing
        matched; only the best ``limit`` sections kept)."""
        acc = np.zeros(self._doc_count, dtype=np.float64)
        any_term = False
        for field, token in terms:
            docs, contrib = self._term_scores(field, token)
            if len(docs):
                acc[docs] += contrib
                any_term = True
        scores = np.zeros(n_sections, dtype=np.float32)
        if not any_term:
            return scores
        hit = top_documents(np.flatnonzero(acc > 0), acc, limit)
        scores[self._uids[hit]] = acc[hit]
        return scores

    def in_sections(self, field: str, token: str, sections: range) -> bool:
        """Whether the term occurs in one of these sections."""
        docs, _ = self._term_scores(field, token)
        found = self._uids[docs]
        return bool(((found >= sections.start) & (found < sections.stop)).any())

    def _term_scores(self, field: str, token: str) -> tuple[np.ndarray, np.ndarray]:
        """Documents containing the term and its BM25F contribution to each (cached)."""
        key = (field, token)
        cached = self._postings.get(key)
        if cached is not None:
            return cached
        with self._lock:
            reader = self._searcher.reader()
            if field not in self._schema_fields or (field, token) not in reader:
                cached = (np.zeros(0, dtype=np.int64), np.zeros(0))
            else:
                cached = self._read_postings(reader, field, token)
            if len(self._postings) >= MAX_CACHED_TERMS:
                self._postings.pop(next(iter(self._postings)))
            self._postings[key] = cached
        return cached

    def _read_postings(self, reader, field: str, token: str) -> tuple[np.ndarray, np.ndarray]:
        lengths = self._lengths.get(field)
        if lengths is None:
            lengths = self._lengths[field] = np.array(
                [reader.doc_field_length(d, field, 1) for d in range(self._doc_count)], dtype=np.float64)
        idf = self._searcher.idf(field, token)
        avgfl = self._searcher.avg_field_length(field) or 1
        m = reader.postings(field, token)
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        docs = np.array(ids, dtype=np.int64)
        tf = np.array(weights, dtype=np.float64)
        contrib = idf * ((tf * (BM25_K1 + 1)) /
                         (tf + BM25_K1 * ((1 - BM25_B) + BM25_B * lengths[docs] / avgfl)))
        return docs, contrib


def top_documents(docs: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` best of ``docs`` (ascending document numbers) by their ``scores``
    (indexed by document number), ties to the lower number, as Whoosh keeps them; by
    partial selection, not a sort. In no particular order."""
    if len(docs) <= limit:
        return docs
    scores = scores[docs]
    kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
    above = docs[scores > kth]
    return np.r_[above, docs[scores == kth][:limit - len(above)]]
