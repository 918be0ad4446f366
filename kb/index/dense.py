"""One encoder's vectors of a loaded build, and the cosine of a question with every passage.

Exact indexes are searched with one BLAS product over the vectors held as
float32 in aligned, transposed memory; HNSW graphs (above ``HNSW_THRESHOLD``
texts, see kb/index/vectors.py) through FAISS, memory-mapped, with a fixed
sample of articles scored exactly so that the ranker's z-scores keep their scale.
"""

from __future__ import annotations

import os
from pathlib import Path

import faiss
import numpy as np

from kb.content.passages import encoded_rows
from kb.index.layout import nodes_path, vectors_path

APPROXIMATE_NEIGHBOURS = 2000  # passages taken from an HNSW index per query and encoder
Z_SAMPLE_ARTICLES = 1000  # articles scored exactly beside an HNSW search, for the z-scores
# an HNSW search's beam: FAISS keeps its default of 16 even when asked for 2,000 neighbours,
# too narrow to find the exact top 10 of a large help centre (recall in bench/RESULTS.md)
HNSW_EF_SEARCH = 256
CACHE_LINE = 64  # bytes: where the float32 matrices start


class DenseUnavailable(RuntimeError):
    """A vector file is missing, damaged or does not fit the manifest (message: which)."""


def _aligned(shape: tuple[int, int]) -> np.ndarray:
    """A float32 matrix whose data starts on a cache line."""
    nbytes = shape[0] * shape[1] * 4
    buffer = np.empty(nbytes + CACHE_LINE, dtype=np.uint8)
    start = -buffer.ctypes.data % CACHE_LINE
    return buffer[start:start + nbytes].view(np.float32).reshape(shape)


def _stored_matrix(index: faiss.Index, path: Path) -> np.ndarray | None:
    """The vectors of an exact index as float32, one row per text, laid out transposed
    (each dimension's values contiguous) in 64-byte aligned memory.

    `kb index` stores them as float16 (QT_fp16), half the bytes on disk; they are
    searched as float32 because numpy has no fast float16 product. Transposed,
    because ``query @ vectors.T`` is then one contiguous product. Read from the
    file: the mapped vectors start wherever the FAISS header ends, and the first
    and last vector are compared with the mapped index. None for approximate
    indexes, which are searched through FAISS.
    """
    if isinstance(index, faiss.IndexScalarQuantizer) and \
            index.sq.qtype == faiss.ScalarQuantizer.QT_fp16:
        dtype = np.float16
    elif isinstance(index, faiss.IndexFlat):
        dtype = np.float32
    else:
        return None
    matrix = _aligned((index.d, index.ntotal)).T
    if index.ntotal == 0:
        return matrix
    nbytes = index.ntotal * index.code_size
    mapped = faiss.rev_swig_ptr(index.codes.data(), nbytes).view(dtype).reshape(index.ntotal, index.d)
    stored = np.empty(nbytes, dtype=np.uint8)
    with open(path, "rb") as f:
        f.seek(-nbytes, os.SEEK_END)
        complete = f.readinto(memoryview(stored)) == nbytes
    stored = stored.view(dtype).reshape(index.ntotal, index.d)
    if not (complete and np.array_equal(stored[0], mapped[0]) and np.array_equal(stored[-1], mapped[-1])):
        stored = mapped
    np.copyto(matrix, stored)
    return matrix


def _exact_scores(index: faiss.Index, query: np.ndarray, nodes: np.ndarray) -> np.ndarray:
    """Inner products of one query with some of an HNSW graph's stored vectors, read
    in place by FAISS (no copy of the vectors)."""
    storage = faiss.downcast_index(index.storage)
    nodes = np.ascontiguousarray(nodes, dtype=np.int64)
    if not isinstance(storage, faiss.IndexFlat) or storage.metric_type != faiss.METRIC_INNER_PRODUCT:
        return index.reconstruct_batch(nodes) @ query
    query = np.ascontiguousarray(query[None, :], dtype=np.float32)
    out = np.empty(len(nodes), dtype=np.float32)
    storage.compute_distance_subset(1, faiss.swig_ptr(query), len(nodes), faiss.swig_ptr(out),
                                    faiss.swig_ptr(nodes))
    return out


def _read_index(path: Path) -> faiss.Index:
    try:
        if not path.is_file():
            raise OSError("file not found")
        # memory-mapped (the IFC flag: IO_FLAG_MMAP alone reads flat indexes into
        # memory): an HNSW graph is searched in place, pages loaded on first use;
        # exact vectors are read out aligned (_stored_matrix)
        return faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
    except (OSError, RuntimeError) as exc:
        raise DenseUnavailable(f"index file {path} is missing or corrupted "
                               f"({str(exc).splitlines()[0]})") from exc


def _read_nodes(path: Path) -> np.ndarray:
    try:
        return np.load(path).astype(np.int64)
    except (OSError, ValueError, EOFError) as exc:
        raise DenseUnavailable(f"index file {path} is missing or corrupted ({exc})") from exc


class DenseVectors:
    """The vectors of the encoder in one slot of a build's manifest.

    ``nodes``: each passage's vector (node) in ``index``, -1 where the encoder has
    none (a monolingual encoder and another language); ``live``: whether some
    passage still maps to a node (a grown HNSW graph keeps stale ones);
    ``matrix``: the exact vectors as float32 (None for HNSW); ``sampled``: for
    HNSW, the articles whose passages are always scored exactly (a mask).
    """

    def __init__(self, build: Path, slot: int, model: dict, passage_article: np.ndarray,
                 article_lang: np.ndarray) -> None:
        path, node_path = vectors_path(build, slot), nodes_path(build, slot)
        self.index = _read_index(path)
        self.nodes = _read_nodes(node_path)
        rows = encoded_rows(passage_article, article_lang, model.get("languages"))
        n_passages = len(passage_article)
        covered = np.flatnonzero(self.nodes >= 0)
        if len(self.nodes) != n_passages or self.index.d != model["dim"] or \
                not np.array_equal(covered, np.arange(n_passages) if rows is None else rows) or \
                (len(covered) and self.nodes.max() >= self.index.ntotal):
            raise DenseUnavailable(f"index files {path} and {node_path} do not match the "
                                   f"manifest ({self.index.ntotal} vectors)")
        self.dim = self.index.d
        self._gather = (np.maximum(self.nodes, 0), np.flatnonzero(self.nodes < 0))
        self.live = np.bincount(self.nodes[covered], minlength=self.index.ntotal) > 0
        if isinstance(self.index, faiss.IndexHNSW):
            self.index.hnsw.efSearch = HNSW_EF_SEARCH
        self.matrix = _stored_matrix(self.index, path)
        self.sampled: np.ndarray | None = None
        self._sample: tuple[np.ndarray, np.ndarray] | None = None
        if self.matrix is None:
            self._take_exact_sample(passage_article, len(article_lang))

    @property
    def exact(self) -> bool:
        return self.matrix is not None

    def _take_exact_sample(self, passage_article: np.ndarray, n_articles: int) -> None:
        """Score all texts of a sample of articles, spread evenly over those the encoder
        covers, exactly with every question.

        An HNSW search finds the best few thousand texts; every other text gets the
        lowest of their scores. The ranker's z-scores over per-article maxima would
        then compare a few hundred real values with thousands of copies of that
        floor and come out several times too large. A fixed sample of articles
        scored exactly gives the ranker the mean and spread of the real
        distribution (bench/RESULTS.md).
        """
        covered = np.flatnonzero(self.nodes >= 0)
        articles = np.unique(passage_article[covered])
        if not len(articles):
            return
        count = min(Z_SAMPLE_ARTICLES, len(articles))
        chosen = articles[np.unique(np.linspace(0, len(articles) - 1, count).astype(np.int64))]
        mask = np.zeros(n_articles, dtype=bool)
        mask[chosen] = True
        nodes = np.unique(self.nodes[covered[mask[passage_article[covered]]]])
        vectors = self.index.reconstruct_batch(nodes)
        self.sampled = mask
        self._sample = (nodes, np.ascontiguousarray(vectors.T, dtype=np.float32))  # as _stored_matrix

    def similarities_many(self, queries: np.ndarray) -> np.ndarray:
        """Inner product of each query (rows of ``queries``) with every passage: one row
        of passage scores per query.

        Exact indexes: one BLAS product with all queries (one pass over the
        vectors for all of them). Approximate (HNSW) indexes: the nearest
        APPROXIMATE_NEIGHBOURS texts and the exact sample; the others get the
        lowest found score (the articles that come first are then scored with all
        their passages: score_exactly). A passage gets the score of its text's
        vector; passages the encoder has no vector for (another language) get 0:
        the ranker does not count them.
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        if self.matrix is not None:
            scores = queries @ self.matrix.T  # contiguous: the matrix is stored transposed
        else:
            scores = self._approximate_scores(queries)
        gather, uncovered = self._gather
        sims = scores[:, gather]
        sims[:, uncovered] = 0.0
        return sims

    def _approximate_scores(self, queries: np.ndarray) -> np.ndarray:
        """Per query, a score for every node of the HNSW graph (see similarities_many)."""
        index = self.index
        found_scores, ids = index.search(queries, min(APPROXIMATE_NEIGHBOURS, index.ntotal))
        scores = np.empty((len(queries), index.ntotal), dtype=np.float32)
        for i in range(len(queries)):
            ok = ids[i] >= 0
            ok[ok] = self.live[ids[i][ok]]  # stale nodes of a grown graph belong to no passage
            scores[i] = found_scores[i][ok].min() if ok.any() else 0.0
            scores[i, ids[i][ok]] = found_scores[i][ok]
        if self._sample is not None:  # the sampled articles' nodes, scored exactly
            sampled, sample_by_dim = self._sample
            scores[:, sampled] = queries @ sample_by_dim
        return scores

    def score_exactly(self, query: np.ndarray, passages: np.ndarray, sims: np.ndarray) -> None:
        """Overwrite, in ``sims`` (one question's passage scores), the scores of
        ``passages`` with exact ones: an HNSW search scores only the texts it found."""
        node = self.nodes[passages]
        passages, node = passages[node >= 0], node[node >= 0]
        if len(passages):
            distinct, which = np.unique(node, return_inverse=True)  # passages share texts
            sims[passages] = _exact_scores(self.index, np.asarray(query, dtype=np.float32),
                                           distinct)[which.ravel()]

    def passage_vectors(self, passages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """float32 vectors of some passages (zero rows where the encoder has none), and
        which of them have one."""
        node = self.nodes[passages]
        have = node >= 0
        out = np.zeros((len(passages), self.dim), dtype=np.float32)
        if have.any():
            out[have] = (self.matrix[node[have]] if self.matrix is not None
                         else self.index.reconstruct_batch(node[have]))
        return out, have
