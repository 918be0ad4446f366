"""Keyword side of the hybrid search: a Whoosh BM25F index over sections.

One set of fields per language, each with that language's stemming analyzer,
so "Lieferungen" finds "Lieferung" and "refunds" finds "refund". Queries are
built from analysed tokens, never parsed as Whoosh syntax: a customer typing
``title:*`` or ``(((`` gets a keyword search for those words, not an error.

Documents are keyed by (article id, section number within the article), not by
their position in a build, so a new build can start from a copy of the previous
keyword index and replace only the changed articles' sections
(:func:`update_keyword_index`): analysing and writing every section again took
15 s at 10,000 sections. Like Lucene, Whoosh keeps counting deleted documents
in its statistics until segments merge; :data:`MAX_DELETED_SHARE` bounds that
drift by rebuilding from scratch.
"""

from __future__ import annotations

import re
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.analysis import LanguageAnalyzer, LowercaseFilter, RegexTokenizer, StemmingAnalyzer
from whoosh.fields import ID, NUMERIC, TEXT, Schema
from whoosh.query import Or, Term

FIELD_BOOSTS = {"title": 3.0, "extra": 2.0, "heading": 1.5, "text": 1.0}
WORD = re.compile(r"\w+", re.UNICODE)
MAX_QUERY_TERMS = 64
BM25_B, BM25_K1 = 0.75, 1.2  # Whoosh's BM25F defaults
MAX_CACHED_TERMS = 50_000
MAX_DELETED_SHARE = 0.1  # above this share of deleted documents, rebuild from scratch


def analyzer_for(lang: str):
    """Snowball stemming + stop words where Whoosh has them, plain stemming otherwise."""
    try:
        return LanguageAnalyzer(lang)
    except Exception:
        return StemmingAnalyzer()


def analyzer_settings(langs: list[str]) -> dict[str, str]:
    """Recorded in the manifest so a reader can tell how the index was analysed."""
    out = {}
    for lang in langs:
        try:
            LanguageAnalyzer(lang)
            out[lang] = f"whoosh LanguageAnalyzer('{lang}'): snowball stemmer + stop words"
        except Exception:
            out[lang] = "whoosh StemmingAnalyzer (English stemmer)"
    return out


def build_schema(langs: list[str]) -> Schema:
    fields = {"article": ID(stored=True), "part": NUMERIC(stored=True), "lang": ID(stored=False),
              "spell": TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), spelling=True)}
    for lang in langs:
        analyzer = analyzer_for(lang)
        for name, boost in FIELD_BOOSTS.items():
            fields[f"{name}_{lang}"] = TEXT(analyzer=analyzer, field_boost=boost)
    return Schema(**fields)


@dataclass(frozen=True)
class KeywordDoc:
    article: str  # article id
    part: int  # section number within the article
    lang: str
    title: str
    extra: str  # tags, summary and front matter questions
    heading: str
    text: str


def _add(writer, d: KeywordDoc) -> None:
    writer.add_document(**{
        "article": d.article, "part": d.part, "lang": d.lang,
        "spell": " ".join((d.title, d.heading, d.text)),
        f"title_{d.lang}": d.title, f"extra_{d.lang}": d.extra,
        f"heading_{d.lang}": d.heading, f"text_{d.lang}": d.text,
    })


def write_keyword_index(directory: Path, docs: list[KeywordDoc], langs: list[str]) -> None:
    """A new keyword index of ``docs`` in ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(directory), build_schema(langs))
    writer = ix.writer(limitmb=256)
    for d in docs:
        _add(writer, d)
    writer.commit()


def update_keyword_index(previous: Path, directory: Path, replace: set[str],
                         docs: list[KeywordDoc]) -> bool:
    """Copy the keyword index at ``previous`` to ``directory``, drop the sections of the
    articles in ``replace`` and add ``docs`` (the new sections of those articles).

    Returns False, leaving nothing in ``directory``, when the copy cannot be used
    (unreadable, or too many deleted documents): the caller builds a new index.
    """
    try:
        shutil.copytree(previous, directory)
        ix = whoosh_index.open_dir(str(directory))
        writer = ix.writer(limitmb=64)
        for article in sorted(replace):
            writer.delete_by_term("article", article)
        for d in docs:
            _add(writer, d)
        writer.commit()
        with ix.reader() as reader:
            deleted = reader.doc_count_all() - reader.doc_count()
            ok = deleted <= MAX_DELETED_SHARE * max(1, reader.doc_count_all())
        ix.close()
    except Exception:  # a damaged previous index is a reason to rebuild, not to fail the build
        ok = False
    if not ok:
        shutil.rmtree(directory, ignore_errors=True)
    return ok


class KeywordIndex:
    """Read side: BM25F scores per section and spelling corrections."""

    def __init__(self, directory: Path, langs: list[str], section_of: dict[tuple[str, int], int]) -> None:
        """``section_of`` maps (article id, part) to the section number of this build."""
        self.ix = whoosh_index.open_dir(str(directory))
        self.langs = langs
        self._analyzers = {lang: analyzer_for(lang) for lang in langs}
        self._searcher = self.ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
        self._lock = threading.Lock()  # Whoosh readers are not thread-safe
        reader = self._searcher.reader()
        self._doc_count = reader.doc_count_all()
        # document number -> section number; deleted documents never appear in postings
        self._uids = np.full(self._doc_count, -1, dtype=np.int64)
        for docnum, stored in reader.iter_docs():
            self._uids[docnum] = section_of[stored["article"], stored["part"]]
        if reader.doc_count() != len(section_of):
            raise ValueError(f"{reader.doc_count()} keyword documents for {len(section_of)} sections")
        self._schema_fields = set(self.ix.schema.names())
        self._lengths: dict[str, np.ndarray] = {}
        self._postings: dict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = {}
        self._spell_words = set(self._searcher.lexicon("spell"))
        self._speller = _Speller(self._searcher.reader(), "spell")

    def close(self) -> None:
        self._searcher.close()

    def _query(self, text: str):
        terms = []
        for lang, analyzer in self._analyzers.items():
            tokens = list(dict.fromkeys(t.text for t in analyzer(text)))[:MAX_QUERY_TERMS]
            for field in FIELD_BOOSTS:
                terms.extend(Term(f"{field}_{lang}", tok) for tok in tokens)
        return Or(terms) if terms else None

    def search_whoosh(self, text: str, n_sections: int, limit: int = 1000) -> np.ndarray:
        """BM25F score of every section by Whoosh's own searcher (the reference for `search`)."""
        scores = np.zeros(n_sections, dtype=np.float32)
        query = self._query(text)
        if query is None:
            return scores
        with self._lock:
            for hit in self._searcher.search(query, limit=limit):
                scores[self._uids[hit.docnum]] = hit.score
        return scores

    def search(self, text: str, n_sections: int, limit: int = 1000) -> np.ndarray:
        """BM25F score of every section (0 where nothing matched; only the best ``limit`` kept).

        The same scores as Whoosh's ``searcher.search(Or(terms), limit)`` with BM25F
        (``search_whoosh``), computed in numpy from per-term postings that are read
        once and cached: Whoosh scores every matching posting in Python on every
        query, which grows with the help centre (most of a search at 10,000 sections).
        """
        acc = np.zeros(self._doc_count, dtype=np.float64)
        any_term = False
        for lang, analyzer in self._analyzers.items():
            tokens = list(dict.fromkeys(t.text for t in analyzer(text)))[:MAX_QUERY_TERMS]
            for field in FIELD_BOOSTS:
                for tok in tokens:
                    docs, contrib = self._term_scores(f"{field}_{lang}", tok)
                    if len(docs):
                        acc[docs] += contrib
                        any_term = True
        scores = np.zeros(n_sections, dtype=np.float32)
        if not any_term:
            return scores
        hit = top_documents(np.flatnonzero(acc > 0), acc, limit)
        scores[self._uids[hit]] = acc[hit]
        return scores

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
                lengths = self._lengths.get(field)
                if lengths is None:
                    lengths = self._lengths[field] = np.array(
                        [reader.doc_field_length(d, field, 1) for d in range(self._doc_count)],
                        dtype=np.float64)
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
                cached = (docs, contrib)
            if len(self._postings) >= MAX_CACHED_TERMS:
                self._postings.pop(next(iter(self._postings)))
            self._postings[key] = cached
        return cached

    def corrections(self, text: str) -> dict[str, str]:
        """Unknown words with their most likely spelling from the articles' vocabulary."""
        fixes = {}
        for word in WORD.findall(text.lower())[:MAX_QUERY_TERMS]:
            if len(word) < 4 or word.isdigit() or word.encode() in self._spell_words:
                continue
            suggestion = self._speller.suggest(word, maxdist=2 if len(word) > 6 else 1)
            if suggestion:
                fixes[word] = suggestion
        return fixes


def top_documents(docs: np.ndarray, scores: np.ndarray, limit: int) -> np.ndarray:
    """The ``limit`` best of ``docs`` (ascending document numbers) by their ``scores``
    (indexed by document number), ties to the lower number, as Whoosh keeps them; by
    partial selection, not a sort (5.4 against 0.5 ms for 60,000 hits at 100,000
    sections). In no particular order."""
    if len(docs) <= limit:
        return docs
    scores = scores[docs]
    kth = np.partition(scores, len(scores) - limit)[len(scores) - limit]
    above = docs[scores > kth]
    return np.r_[above, docs[scores == kth][:limit - len(above)]]


def _levenshtein(a: str, b: str, limit: int) -> int:
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


class _Speller:
    """Whoosh's ``ReaderCorrector.suggest(word, limit=1, maxdist)``, without its automaton walk.

    Same answer: among the field's terms within ``maxdist`` edits (Levenshtein),
    the most frequent, ties to the lexicographically greatest. Whoosh walks a
    Levenshtein automaton over the term file (30 ms a word at 350 sections,
    most of a search); here the terms are filtered in numpy by length and by a
    character-histogram bound (each edit changes the histogram's L1 norm by at
    most 2), and only the few survivors get an exact distance. Results are
    cached per word: customers repeat their words.
    """

    BUCKETS = 61

    def __init__(self, reader, field: str) -> None:
        # per segment, summed: a multi-segment reader (an updated index) looks up every
        # term in every segment instead, 1.4 s of the server's start at 10,000 sections
        totals: dict[str, float] = {}
        for leaf, _ in reader.leaf_readers():
            for term, info in leaf.iter_field(field):
                word = term.decode("utf-8") if isinstance(term, bytes) else term
                totals[word] = totals.get(word, 0.0) + float(info.weight())
        words = sorted(totals)
        freqs = [max(1.0, totals[w]) for w in words]
        self.words = words
        self.freqs = np.array(freqs, dtype=np.float64)
        self.lengths = np.array([len(w) for w in words], dtype=np.int32)
        hist = np.zeros((len(words), self.BUCKETS), dtype=np.int16)
        for i, w in enumerate(words):
            for ch in w:
                hist[i, ord(ch) % self.BUCKETS] += 1
        self.hist = hist
        self._cache: OrderedDict[tuple[str, int], str | None] = OrderedDict()
        self._lock = threading.Lock()

    def suggest(self, word: str, maxdist: int) -> str | None:
        key = (word, maxdist)
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        found = self._suggest(word, maxdist)
        with self._lock:
            self._cache[key] = found
            if len(self._cache) > 20_000:
                self._cache.popitem(last=False)
        return found

    def _suggest(self, word: str, maxdist: int) -> str | None:
        if not self.words:
            return None
        near = np.flatnonzero(np.abs(self.lengths - len(word)) <= maxdist)
        if not len(near):
            return None
        h = np.zeros(self.BUCKETS, dtype=np.int16)
        for ch in word:
            h[ord(ch) % self.BUCKETS] += 1
        l1 = np.abs(self.hist[near] - h).sum(axis=1)
        near = near[l1 <= 2 * maxdist]
        best = None
        for i in near[np.argsort(-self.freqs[near], kind="stable")]:
            cand = self.words[i]
            if best is not None and self.freqs[i] < best[0]:
                break  # sorted by frequency: nothing later can win
            if cand != word and _levenshtein(word, cand, maxdist) <= maxdist:
                if best is None or (self.freqs[i], cand) > best:
                    best = (self.freqs[i], cand)
        return best[1] if best else None
