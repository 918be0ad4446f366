"""Opening a published index for searching.

Every way an index can be unusable (missing, half-written, corrupted, built
with other models or an older format) ends in :class:`IndexUnavailable` with a
message that names the file and says how to fix it, so `kb serve`,
`kb search` and `/readyz` can tell the operator exactly what to do.
"""

from __future__ import annotations

import json
import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

from kb.index.layout import CURRENT, FORMAT_VERSION, nodes_path
from kb.index.keyword import KeywordIndex
from kb.content.passages import KINDS, encoded_rows


APPROXIMATE_NEIGHBOURS = 2000  # passages taken from an HNSW index per query and encoder
Z_SAMPLE_ARTICLES = 1000  # articles scored exactly beside an HNSW search, for the z-scores
# an HNSW search's beam: FAISS uses its default of 16 even when asked for 2,000 neighbours,
# and that found 0.898 of the exact top 10 at 100,000 sections; 256 finds 0.991 in
# 1.4 ms a question (bench/RESULTS.md, sixth round)
HNSW_EF_SEARCH = 256


class IndexUnavailable(RuntimeError):
    """The index cannot be used; the message says which file and how to rebuild."""


def resolve_build(location: Path) -> Path:
    """The build directory an index location currently points to."""
    location = Path(location)
    if (location / "manifest.json").is_file():
        return location  # a build directory given directly
    current = location / CURRENT
    if not current.exists():
        raise IndexUnavailable(
            f"no index at {location} (missing {current}): build one with "
            f"'kb index --index {location}'")
    return current.resolve()


def _stored_matrix(index: faiss.Index, path: Path) -> np.ndarray | None:
    """The vectors of an exact index as float32, one row per text, laid out transposed
    (each dimension's values contiguous) in 64-byte aligned memory.

    `kb index` stores them as float16 (QT_fp16), half the bytes on disk; they are
    searched as float32 because numpy has no fast float16 product (10x slower)
    and the server no longer imports torch for its half-precision one (see
    kb/encoders/onnx_runtime.py): at 10,000 sections 57 MB instead of 29 MB. Transposed,
    because ``query @ vectors.T`` is then a contiguous product: one BLAS thread
    takes 1.5 ms for one query over 19,701 x 512 vectors against 2.6 ms row by
    row, 5.9 against 7.5 ms for 8 queries (bench/RESULTS.md, fifth round). Read
    from the file: the mapped vectors start wherever the FAISS header ends, and
    the first and last vector are compared with the mapped index. None for
    approximate indexes, which are searched through FAISS.
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
    in place by FAISS (0.28 ms for 2,300 vectors, against 0.7 ms copying them out
    with numpy and 0.9 ms through ``reconstruct_batch``)."""
    storage = faiss.downcast_index(index.storage)
    nodes = np.ascontiguousarray(nodes, dtype=np.int64)
    if not isinstance(storage, faiss.IndexFlat) or storage.metric_type != faiss.METRIC_INNER_PRODUCT:
        return index.reconstruct_batch(nodes) @ query
    query = np.ascontiguousarray(query[None, :], dtype=np.float32)
    out = np.empty(len(nodes), dtype=np.float32)
    storage.compute_distance_subset(1, faiss.swig_ptr(query), len(nodes), faiss.swig_ptr(out),
                                    faiss.swig_ptr(nodes))
    return out


def _aligned(shape: tuple[int, int]) -> np.ndarray:
    """A float32 matrix whose data starts on a cache line."""
    nbytes = shape[0] * shape[1] * 4
    buffer = np.empty(nbytes + 64, dtype=np.uint8)
    start = -buffer.ctypes.data % 64
    return buffer[start:start + nbytes].view(np.float32).reshape(shape)


@dataclass
class Segments:
    """Per kind: the passage range and where each article's passages start."""

    start: int
    stop: int
    article_starts: np.ndarray


class LoadedIndex:
    def __init__(self, location: Path, models_spec: str | None = None) -> None:
        self.location = Path(location)
        self.build = resolve_build(self.location)
        rebuild = f"rebuild it with 'kb index --index {self.location}'"
        manifest_path = self.build / "manifest.json"
        try:
            self.manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            fmt = self.manifest["format"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexUnavailable(f"index manifest {manifest_path} is unreadable ({exc}): {rebuild}") from exc
        if fmt != FORMAT_VERSION:
            raise IndexUnavailable(
                f"index {self.build} has format {fmt}, this version of kb reads format "
                f"{FORMAT_VERSION}: {rebuild}")
        if models_spec is not None and self.manifest.get("models_spec") != models_spec:
            raise IndexUnavailable(
                f"index {self.build} was built with models '{self.manifest.get('models_spec')}' "
                f"but the configured models are '{models_spec}': {rebuild}, or set "
                f"KB_MODELS='{self.manifest.get('models_spec')}'")
        self.models = self.manifest["models"]
        self.languages: list[str] = self.manifest["languages"]

        def read_json(name: str):
            path = self.build / name
            try:
                return json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError) as exc:
                raise IndexUnavailable(f"index file {path} is missing or corrupted ({exc}): {rebuild}") from exc

        self.articles: list[dict] = read_json("articles.json")
        self.sections: list[dict] = read_json("sections.json")
        self.vocabulary: dict = read_json("vocabulary.json")
        for entry in self.vocabulary.get("languages", {}).values():
            entry.pop("token_stems", None)  # for the next build, read from disk; not needed here
        path = self.build / "passages.npz"
        try:
            with np.load(path) as z:
                self.kind = z["kind"]
                self.article = z["article"]
                self.section = z["section"]
                self.section_article = z["section_article"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise IndexUnavailable(f"index file {path} is missing or corrupted ({exc}): {rebuild}") from exc

        self.article_lang = np.array([a["lang"] for a in self.articles])
        if len(self.article) and self.article.max() >= len(self.articles):
            raise IndexUnavailable(f"index {self.build} is inconsistent: {rebuild}")
        self.vectors: list[np.ndarray | None] = []
        self.faiss: list[faiss.Index] = []
        # per encoder: each passage's vector (node) in its index, -1 where it has none
        self.nodes: list[np.ndarray] = []
        # per encoder: whether a passage still has the node (a grown HNSW graph has stale ones)
        self.live_nodes: list[np.ndarray] = []
        self._gather: list[tuple[np.ndarray, np.ndarray]] = []  # from nodes, for each search
        for slot, model in enumerate(self.models):
            path = self.build / f"vectors-{slot}.faiss"
            try:
                if not path.is_file():
                    raise OSError("file not found")
                # memory-mapped (the IFC flag: IO_FLAG_MMAP alone reads flat indexes into
                # memory): an HNSW graph is searched in place, pages loaded on first use;
                # exact vectors are read out aligned (_stored_matrix)
                index = faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC)
            except (OSError, RuntimeError) as exc:
                raise IndexUnavailable(f"index file {path} is missing or corrupted "
                                       f"({str(exc).splitlines()[0]}): {rebuild}") from exc
            node_path = nodes_path(self.build, slot)
            try:
                node_of = np.load(node_path).astype(np.int64)
            except (OSError, ValueError, EOFError) as exc:
                raise IndexUnavailable(f"index file {node_path} is missing or corrupted "
                                       f"({exc}): {rebuild}") from exc
            rows = encoded_rows(self.article, self.article_lang, model.get("languages"))
            covered = np.flatnonzero(node_of >= 0)
            if len(node_of) != len(self.kind) or index.d != model["dim"] or \
                    not np.array_equal(covered, np.arange(len(self.kind)) if rows is None else rows) or \
                    (len(covered) and node_of.max() >= index.ntotal):
                raise IndexUnavailable(f"index files {path} and {node_path} do not match the "
                                       f"manifest ({index.ntotal} vectors): {rebuild}")
            self.nodes.append(node_of)
            self._gather.append((np.maximum(node_of, 0), np.flatnonzero(node_of < 0)))
            self.live_nodes.append(np.bincount(node_of[covered], minlength=index.ntotal) > 0)
            if isinstance(index, faiss.IndexHNSW):
                index.hnsw.efSearch = HNSW_EF_SEARCH
            self.faiss.append(index)
            matrix = _stored_matrix(index, path)
            self.vectors.append(matrix)

        if len(self.section_article) != len(self.sections) or \
                (len(self.section_article) and self.section_article.max() >= len(self.articles)):
            raise IndexUnavailable(f"index {self.build} is inconsistent (sections): {rebuild}")
        # first section of each article: keyword documents are keyed by (article id, part)
        self.section_starts = np.flatnonzero(
            np.r_[True, self.section_article[1:] != self.section_article[:-1]])
        bounds = np.r_[self.section_starts, len(self.section_article)].tolist()
        section_of: dict[tuple[str, int], int] = {}
        for a, first, end in zip(self.section_article[self.section_starts].tolist(), bounds, bounds[1:]):
            for n in range(first, end):
                section_of[self.articles[a]["id"], n - first] = n
        try:
            self.keywords = KeywordIndex(self.build / "keywords", self.languages, section_of)
        except Exception as exc:
            raise IndexUnavailable(f"keyword index {self.build / 'keywords'} is missing or corrupted "
                                   f"({type(exc).__name__}: {exc}): {rebuild}") from exc

        self.n_articles = len(self.articles)
        self.segments = {}
        for k in KINDS:
            where = np.flatnonzero(self.kind == k)
            start, stop = int(where[0]), int(where[-1]) + 1
            arts = self.article[start:stop]
            starts = np.flatnonzero(np.r_[True, arts[1:] != arts[:-1]])
            if len(starts) != self.n_articles:
                raise IndexUnavailable(f"index {self.build} is inconsistent (passages): {rebuild}")
            self.segments[k] = Segments(start, stop, starts)
        self.public_mask = np.array([a["audience"] == "public" for a in self.articles])
        self.by_id = {a["id"]: i for i, a in enumerate(self.articles)}
        self.article_category = np.array([a["category_slug"] for a in self.articles])
        # (translation key, lang) -> article number: the customer's-language version
        self.version = {(a["translation"], a["lang"]): i for i, a in enumerate(self.articles)
                        if a["translation"]}
        # passages of each article, for picking the answer section of a result
        order = np.argsort(self.article, kind="stable")
        bounds = np.searchsorted(self.article[order], np.arange(self.n_articles + 1))
        self.article_passages = [order[bounds[i]:bounds[i + 1]] for i in range(self.n_articles)]
        self.mtime = os.stat(manifest_path).st_mtime
        # approximate slots: the exactly scored sample of articles (see _exact_sample)
        self.sampled: list[np.ndarray | None] = []
        self._sample: list[tuple[np.ndarray, np.ndarray] | None] = []
        for slot in range(len(self.models)):
            sample = None if self.vectors[slot] is not None else self._exact_sample(slot)
            self._sample.append(None if sample is None else sample[1:])
            self.sampled.append(None if sample is None else sample[0])

    def similarities(self, slot: int, query: np.ndarray) -> np.ndarray:
        """Inner product of one query vector with every passage (see similarities_many)."""
        return self.similarities_many(slot, np.asarray(query)[None, :])[0]

    def similarities_many(self, slot: int, queries: np.ndarray) -> np.ndarray:
        """Inner product of each query (rows of ``queries``) with every passage, by
        this encoder's vectors: one row of passage scores per query.

        Exact indexes: one BLAS product with all queries (one pass over the
        vectors for all of them). Approximate (HNSW) indexes:
        the 2,000 nearest and the exact sample (_exact_sample); the others get
        the lowest of the 2,000 (the articles that come first are then scored
        with all their passages: score_exactly). A passage gets the score of its text's vector;
        passages the encoder has no vector for (another language) get 0: the
        ranker does not count them.
        """
        queries = np.ascontiguousarray(queries, dtype=np.float32)
        n_queries = len(queries)
        matrix = self.vectors[slot]
        if matrix is not None:
            scores = queries @ matrix.T  # contiguous: matrix is stored transposed
        else:
            index = self.faiss[slot]
            found_scores, ids = index.search(queries, min(APPROXIMATE_NEIGHBOURS, index.ntotal))
            live = self.live_nodes[slot]
            scores = np.empty((n_queries, index.ntotal), dtype=np.float32)
            for i in range(n_queries):
                ok = ids[i] >= 0
                ok[ok] = live[ids[i][ok]]  # stale nodes of a grown graph belong to no passage
                scores[i] = found_scores[i][ok].min() if ok.any() else 0.0
                scores[i, ids[i][ok]] = found_scores[i][ok]
            if self._sample[slot] is not None:  # the sampled articles' nodes, scored exactly
                sampled, sample_by_dim = self._sample[slot]
                scores[:, sampled] = queries @ sample_by_dim
        gather, uncovered = self._gather[slot]
        sims = scores[:, gather]
        sims[:, uncovered] = 0.0
        return sims

    def score_exactly(self, slot: int, query: np.ndarray, articles: np.ndarray, sims: np.ndarray) -> None:
        """Overwrite, in ``sims`` (one question's passage scores by this encoder), the
        scores of all passages of ``articles`` with exact ones (approximate slots).

        An HNSW search scores only the texts it found; an article that comes first
        by its keywords or one strong passage would compete with the floor for its
        other passages. Scoring the first 100 by all evidence again made the first
        result the exact search's for 0.993 of 300 questions at 100,000 sections
        instead of 0.777 (bench/RESULTS.md, sixth round).
        """
        if not len(articles):
            return
        passages = np.concatenate([self.article_passages[a] for a in articles])
        node = self.nodes[slot][passages]
        passages, node = passages[node >= 0], node[node >= 0]
        if len(passages):
            distinct, which = np.unique(node, return_inverse=True)  # passages share texts
            sims[passages] = _exact_scores(self.faiss[slot], np.asarray(query, dtype=np.float32),
                                           distinct)[which.ravel()]

    def _exact_sample(self, slot: int) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """(sampled articles as a mask, the nodes scored exactly, their vectors) of an
        approximate slot: all nodes of a sample of articles spread evenly over those
        the encoder covers.

        An HNSW search finds the best 2,000 texts; every other text gets the
        lowest of their scores. The ranker's z-scores over per-article maxima then
        compare a few hundred real values with thousands of copies of that floor,
        and came out several times too large: at 10,000 sections with HNSW, the
        first result matched exact search for 27 % of questions. Scoring a fixed
        sample of articles exactly gives the ranker the mean and spread of the
        real distribution (bench/RESULTS.md). Every article's whole-article passage
        was scored too until the first articles were re-scored after fusing
        (score_exactly): at 100,000 sections that cost 2-3 ms and 56 MB, and
        re-scoring 100 articles instead of 50 without it gives the same results
        (bench/RESULTS.md, sixth round).
        """
        node_of = self.nodes[slot]
        covered = np.flatnonzero(node_of >= 0)
        articles = np.unique(self.article[covered])
        if not len(articles):
            return None
        chosen = articles[np.unique(np.linspace(0, len(articles) - 1, min(Z_SAMPLE_ARTICLES, len(articles)))
                                    .astype(np.int64))]
        mask = np.zeros(self.n_articles, dtype=bool)
        mask[chosen] = True
        sampled = np.unique(node_of[covered[mask[self.article[covered]]]])
        vectors = self.faiss[slot].reconstruct_batch(sampled)
        return mask, sampled, np.ascontiguousarray(vectors.T, dtype=np.float32)  # as _stored_matrix

    def close(self) -> None:
        self.keywords.close()
