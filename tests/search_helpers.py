"""Shared pieces for search tests that load no model.

``FakeEncoder`` gives deterministic vectors: hashed bags of word prefixes,
L2-normalised, so questions sharing words with a passage are close to it and
the cosine is the share of shared words. ``fake_engine`` is a real index (FAISS
vectors, Whoosh keyword index, vocabulary) of the fixture articles built with
two fake encoders, one multilingual and one English-only, as the real models are.
``reference_bm25f`` scores BM25F one document at a time from Whoosh's postings, the
reference for the numpy scorer. ``CountingEncoder`` wraps a real encoder and records what a
build asked it to encode.
"""
import hashlib
import shutil
from pathlib import Path

import numpy as np
import pytest

from kb.content.text import WORD_CHARS, fold

FIXTURES = Path(__file__).parent / "fixtures" / "articles"
FAKE_MODELS = "fake-multi,fake-en@en"
FAKE_DIM = 256
PREFIX = 5  # a crude stem: "Lieferung" and "Lieferungen" share "liefe"


class CountingEncoder:
    """Wraps a real encoder and records what it was asked to encode."""

    def __init__(self, inner):
        self.inner, self.name, self.dim, self.languages = inner, inner.name, inner.dim, inner.languages
        self.seen: list[str] = []

    def encode(self, texts, batch_size=64):
        self.seen.extend(texts)
        return self.inner.encode(texts, batch_size)


class FakeEncoder:
    def __init__(self, name: str, languages: frozenset[str] | None, dim: int = FAKE_DIM) -> None:
        self.name, self.languages, self.dim = name, languages, dim
        self.calls = 0

    def _slot(self, word: str) -> int:
        digest = hashlib.blake2b(f"{self.name}:{word}".encode(), digest_size=4).digest()
        return int.from_bytes(digest, "little") % self.dim

    def encode(self, texts, batch_size: int = 64) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in WORD_CHARS.findall(fold(text)):
                out[row, self._slot(word[:PREFIX])] += 1.0
            norm = np.linalg.norm(out[row])
            if norm:
                out[row] /= norm
        return out


def fake_encoders() -> tuple[FakeEncoder, FakeEncoder]:
    return FakeEncoder("fake-multi", None), FakeEncoder("fake-en", frozenset({"en"}))


def build_fake_engine(articles, location):
    from kb.index.build import build_index
    from kb.index.loaded import LoadedIndex
    from kb.search.engine import SearchEngine
    encoders = fake_encoders()
    build_index(articles, location, lambda: encoders, FAKE_MODELS)
    return SearchEngine(LoadedIndex(location, FAKE_MODELS), encoders)


def ranks_as(engine, typed: str, plain: str, lang: str = "de") -> bool:
    """Whether ``typed`` is searched as the question ``plain`` and ranks exactly as it."""
    a, b = engine.search(typed, lang=lang), engine.search(plain, lang=lang)
    return bool(b.results) and a.query == b.query == plain and \
        [(h.id, h.score) for h in a.results] == [(h.id, h.score) for h in b.results]


@pytest.fixture(scope="session")
def fake_engine(tmp_path_factory):
    base = tmp_path_factory.mktemp("fake")
    shutil.copytree(FIXTURES, base / "articles")
    return build_fake_engine(base / "articles", base / "index")


def reference_bm25f(index, text: str, limit: int = 1000) -> np.ndarray:
    """BM25F score of every section, written out per document from the textbook formula
    (Robertson and Zaragoza 2009, section 3.6) over Whoosh's postings: per word, the
    boosted length-normalised field frequencies summed, saturated once, times one IDF
    over the documents holding the word in any field. The best ``limit`` kept, ties to
    the lower document number."""
    import math
    from collections import defaultdict

    from kb.index.bm25f import BM25_B, BM25_K1
    first = {index.articles[a]["id"]: int(start) for a, start in
             zip(index.section_article[index.section_starts].tolist(), index.section_starts)}
    words = defaultdict(set)
    for field, token in index.keywords.terms(text):
        words[field.rsplit("_", 1)[1], token].add(field)
    total = defaultdict(float)
    with index.keywords.ix.searcher() as searcher:
        reader = searcher.reader()
        for (_, token), fields in words.items():
            pseudo = defaultdict(float)
            for field in fields:
                if (field, token) not in reader:
                    continue
                average = searcher.avg_field_length(field)
                for doc, weight in reader.postings(field, token).items_as("weight"):
                    length = reader.doc_field_length(doc, field, 1)
                    pseudo[doc] += weight / (1 - BM25_B + BM25_B * length / average)
            idf = math.log(reader.doc_count_all() / (len(pseudo) + 1)) + 1
            for doc, freq in pseudo.items():
                total[doc] += idf * freq * (BM25_K1 + 1) / (BM25_K1 + freq)
        kept = sorted(total, key=lambda doc: (-total[doc], doc))[:limit]
        scores = np.zeros(len(index.sections), dtype=np.float32)
        for doc in kept:
            stored = reader.stored_fields(doc)
            scores[first[stored["article"]] + stored["part"]] = total[doc]
    return scores
