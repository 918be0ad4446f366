"""BM25F scores of every section for a set of query terms, in numpy.

True BM25F (Robertson and Zaragoza, "The Probabilistic Relevance Framework",
2009, section 3.6): for each word of a question, a section's field frequencies
are length-normalised per field, weighted by the field's boost and summed into
one pseudo-frequency, which is saturated once; the word has one IDF, from the
sections that hold it in any field. A word that is in a section's title,
questions, heading and text therefore counts as one strong match, not four
matches: summing per-field BM25 scores let a frequent verb that one article
repeats everywhere ("versendet") outweigh a rare word that names the topic
("Polen").

The field boosts are in the postings' weights (Whoosh multiplies a term's
frequency by its field's ``field_boost`` when it indexes), so a field's
pseudo-frequency is ``weight / ((1 - b) + b * length / average length)``.
Postings are read once per (field, token) and cached; the combined scores of a
word are cached too. The keyword index (:mod:`kb.index.keyword`) decides which
terms a question has; this module only scores them.
"""

from __future__ import annotations

import math
import threading

import numpy as np

BM25_B, BM25_K1 = 0.75, 1.2  # Whoosh's BM25F defaults
MAX_CACHED_TERMS = 50_000
DEFAULT_LIMIT = 1000  # sections kept per query, as Whoosh's searcher keeps its best hits

Postings = tuple[np.ndarray, np.ndarray]  # document numbers, one value per document
_EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0))


def word_groups(terms: list[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, ...]]:
    """(language, token) -> the fields a question looks the token up in. Fields are
    named ``<field>_<language>``; the same token in two languages' fields is two words,
    because each language's analyzer made it from different text. A word the question
    repeats counts once."""
    groups: dict[tuple[str, str], dict[str, None]] = {}
    for field, token in terms:
        lang = field.rsplit("_", 1)[-1]
        groups.setdefault((lang, token), {})[field] = None
    return {word: tuple(fields) for word, fields in groups.items()}


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
        self._cache: dict[tuple, Postings] = {}

    def scores(self, terms: list[tuple[str, str]], n_sections: int, limit: int = DEFAULT_LIMIT) -> np.ndarray:
        """BM25F score of every section for (field, token) ``terms`` (0 where nothing
        matched; only the best ``limit`` sections kept)."""
        acc = np.zeros(self._doc_count, dtype=np.float64)
        any_term = False
        for (_, token), fields in word_groups(terms).items():
            docs, contrib = self._word_scores(fields, token)
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
        docs, _ = self._field_frequencies(field, token)
        found = self._uids[docs]
        return bool(((found >= sections.start) & (found < sections.stop)).any())

    def _word_scores(self, fields: tuple[str, ...], token: str) -> Postings:
        """Documents holding the token in any of ``fields`` and its BM25F score in each."""
        key = ("word", fields, token)
        cached = self._cache.get(key)
        if cached is None:
            cached = self._store(key, combine([self._field_frequencies(f, token) for f in fields],
                                              self._doc_count))
        return cached

    def _field_frequencies(self, field: str, token: str) -> Postings:
        """Documents holding the term and its boosted, length-normalised frequency there:
        read once, shared by the word scores and ``in_sections``."""
        key = ("field", field, token)
        cached = self._cache.get(key)
        if cached is None:
            with self._lock:
                cached = self._read_postings(field, token)
            cached = self._store(key, cached)
        return cached

    def _store(self, key: tuple, value: Postings) -> Postings:
        with self._lock:
            if len(self._cache) >= MAX_CACHED_TERMS:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = value
        return value

    def _read_postings(self, field: str, token: str) -> Postings:
        """Called under the lock: Whoosh readers are not thread-safe."""
        reader = self._searcher.reader()
        if field not in self._schema_fields or (field, token) not in reader:
            return _EMPTY
        lengths = self._lengths.get(field)
        if lengths is None:
            lengths = self._lengths[field] = np.array(
                [reader.doc_field_length(d, field, 1) for d in range(self._doc_count)], dtype=np.float64)
        avgfl = self._searcher.avg_field_length(field) or 1
        m = reader.postings(field, token)
        ids, weights = [], []
        while m.is_active():
            ids.append(m.id())
            weights.append(m.weight())
            m.next()
        docs = np.array(ids, dtype=np.int64)
        return docs, np.array(weights, dtype=np.float64) / ((1 - BM25_B) + BM25_B * lengths[docs] / avgfl)


def combine(parts: list[Postings], doc_count: int) -> Postings:
    """One word's BM25F score per document from its fields' pseudo-frequencies: summed
    per document, saturated once, weighted by the word's IDF (Whoosh's formula, over
    the documents holding it in any field)."""
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return _EMPTY
    if len(parts) == 1:  # one field holds the word: its postings are already one per document
        docs, freq = parts[0]
    else:
        docs, where = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
        freq = np.bincount(where, weights=np.concatenate([p[1] for p in parts]))
    idf = math.log(doc_count / (len(docs) + 1)) + 1
    return docs, idf * freq * (BM25_K1 + 1) / (BM25_K1 + freq)


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
