"""Opening a published index for searching.

Every way an index can be unusable (missing, half-written, corrupted, built
with other models or an older format) ends in :class:`IndexUnavailable` with a
message that names the file and says how to fix it, so `kb serve`,
`kb search` and `/readyz` can tell the operator exactly what to do. The
vectors and dense search of each encoder live in :mod:`kb.index.dense`.
"""

from __future__ import annotations

import json
import logging
import os
import threading
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.content.passages import ARTICLE, KINDS
from kb.content.text import remember_stems
from kb.index import dictionary
from kb.index.dense import DenseUnavailable, DenseVectors
from kb.index.keyword import KeywordIndex
from kb.index.layout import (CURRENT, FORMAT_VERSION, MANIFEST, ManifestError, centre_adapter_path,
                             read_manifest)


log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """The index cannot be used; the message says which file and how to rebuild."""


def resolve_build(location: Path) -> Path:
    """The build directory an index location currently points to."""
    location = Path(location)
    if (location / MANIFEST).is_file():
        return location  # a build directory given directly
    current = location / CURRENT
    if not current.exists():
        raise IndexUnavailable(
            f"no index at {location} (missing {current}): build one with "
            f"'kb index --index {location}'")
    return current.resolve()


@dataclass
class Segments:
    """Per kind: the passage range and where each article's passages start."""

    start: int
    stop: int
    article_starts: np.ndarray


class LoadedIndex:
    """A published build in memory: articles, sections, passages, one
    :class:`DenseVectors` per encoder (``dense``) and the keyword index."""

    def __init__(self, location: Path, models_spec: str | None = None) -> None:
        self.location = Path(location)
        self.build = resolve_build(self.location)
        self._rebuild = f"rebuild it with 'kb index --index {self.location}'"
        self._read_manifest(models_spec)
        self._read_tables()
        self.dense = [self._read_dense(slot, model) for slot, model in enumerate(self.models)]
        self.centre_adapters = [self._read_centre_adapter(slot, model) for slot, model in enumerate(self.models)]
        self._open_keywords()
        self._index_passages()
        self._index_articles()

    # -- reading, in order -------------------------------------------------------
    def _read_manifest(self, models_spec: str | None) -> None:
        path = self.build / MANIFEST
        try:
            self.manifest = read_manifest(self.build)
            self.mtime = os.stat(path).st_mtime
        except (OSError, ManifestError) as exc:
            raise IndexUnavailable(f"index manifest {path} is unreadable ({exc}): {self._rebuild}") from exc
        fmt = self.manifest["format"]
        if fmt != FORMAT_VERSION:
            raise IndexUnavailable(
                f"index {self.build} has format {fmt}, this version of kb reads format "
                f"{FORMAT_VERSION}: {self._rebuild}")
        built_with = self.manifest.get("models_spec")
        if models_spec is not None and built_with != models_spec:
            raise IndexUnavailable(
                f"index {self.build} was built with models '{built_with}' but the configured "
                f"models are '{models_spec}': {self._rebuild}, or set KB_MODELS='{built_with}'")
        self.models = self.manifest["models"]
        self.languages: list[str] = self.manifest["languages"]

    def _corrupted(self, path: Path, exc: Exception) -> IndexUnavailable:
        return IndexUnavailable(f"index file {path} is missing or corrupted ({exc}): {self._rebuild}")

    def _read_json(self, name: str):
        path = self.build / name
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise self._corrupted(path, exc) from exc

    def _read_tables(self) -> None:
        self.articles: list[dict] = self._read_json("articles.json")
        self.sections: list[dict] = self._read_json("sections.json")
        self.vocabulary: dict = self._read_json("vocabulary.json")
        for lang, entry in self.vocabulary.get("languages", {}).items():
            # the next build reads them from disk; highlights read them from the stem cache
            remember_stems(lang, entry.pop("token_stems", None) or {})
        path = self.build / "passages.npz"
        try:
            with np.load(path) as z:
                self.kind = z["kind"]
                self.article = z["article"]
                self.section = z["section"]
                self.section_article = z["section_article"]
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise self._corrupted(path, exc) from exc
        self.n_articles = len(self.articles)
        self.article_lang = np.array([a["lang"] for a in self.articles])
        if len(self.article) and self.article.max() >= self.n_articles:
            raise IndexUnavailable(f"index {self.build} is inconsistent: {self._rebuild}")

    def _read_centre_adapter(self, slot: int, model: dict) -> np.ndarray | None:
        """The help centre's own query adapter of this encoder (kb/index/centre_adapter.py)."""
        if not model.get("centre_adapter"):
            return None
        path = centre_adapter_path(self.build, slot)
        try:
            matrix = np.load(path)
        except (OSError, ValueError, EOFError) as exc:
            raise self._corrupted(path, exc) from exc
        if matrix.shape != (model["dim"], model["dim"]):
            raise self._corrupted(path, ValueError(f"shape {matrix.shape}"))
        return matrix

    def _read_dense(self, slot: int, model: dict) -> DenseVectors:
        try:
            return DenseVectors(self.build, slot, model, self.article, self.article_lang)
        except DenseUnavailable as exc:
            raise IndexUnavailable(f"{exc}: {self._rebuild}") from exc

    def _open_keywords(self) -> None:
        """The keyword index, whose documents are keyed by (article id, part)."""
        if len(self.section_article) != len(self.sections) or \
                (len(self.section_article) and self.section_article.max() >= self.n_articles):
            raise IndexUnavailable(f"index {self.build} is inconsistent (sections): {self._rebuild}")
        # first section of each article
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
                                   f"({type(exc).__name__}: {exc}): {self._rebuild}") from exc

    def _index_passages(self) -> None:
        """Per kind the passage range (``segments``), and each article's passages."""
        self.segments: dict[int, Segments] = {}
        for k in KINDS:
            where = np.flatnonzero(self.kind == k)
            start, stop = int(where[0]), int(where[-1]) + 1
            arts = self.article[start:stop]
            starts = np.flatnonzero(np.r_[True, arts[1:] != arts[:-1]])
            if len(starts) != self.n_articles:
                raise IndexUnavailable(f"index {self.build} is inconsistent (passages): {self._rebuild}")
            self.segments[k] = Segments(start, stop, starts)
        # passages of each article, for picking the answer section of a result
        order = np.argsort(self.article, kind="stable")
        bounds = np.searchsorted(self.article[order], np.arange(self.n_articles + 1))
        self.article_passages = [order[bounds[i]:bounds[i + 1]] for i in range(self.n_articles)]

    def _index_articles(self) -> None:
        self.public_mask = np.array([a["audience"] == "public" for a in self.articles])
        self.by_id = {a["id"]: i for i, a in enumerate(self.articles)}
        self.article_category = np.array([a["category_slug"] for a in self.articles])
        # (translation key, lang) -> article number: the customer's-language version
        self.version = {(a["translation"], a["lang"]): i for i, a in enumerate(self.articles)
                        if a["translation"]}
        self._dictionaries: dict[str, dictionary.Dictionary | None] = {}
        self._dictionary_lock = threading.Lock()

    # -- the dictionary (kb/index/dictionary.py) ------------------------------------
    @property
    def dictionary_encoder(self) -> str | None:
        """The name of the encoder whose vectors the dictionary holds; None without one."""
        return (self.manifest.get("dictionary") or {}).get("encoder")

    def dictionary(self, lang: str) -> dictionary.Dictionary | None:
        """The articles' words of ``lang`` as vectors, read on first use: most servers never
        get a question in a language their articles lack. None without one, or when its file
        cannot be read (logged once; the search then goes without it)."""
        if lang not in (self.manifest.get("dictionary") or {}).get("words", {}):
            return None
        with self._dictionary_lock:
            if lang not in self._dictionaries:
                try:
                    self._dictionaries[lang] = dictionary.read(self.build, lang)
                except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
                    log.warning("%s", self._corrupted(dictionary.path(self.build, lang), exc))
                    self._dictionaries[lang] = None
            return self._dictionaries[lang]

    # -- per-encoder views ---------------------------------------------------------
    @property
    def sampled(self) -> list[np.ndarray | None]:
        """Per encoder: the articles an approximate (HNSW) slot always scores exactly."""
        return [d.sampled for d in self.dense]

    @property
    def nodes(self) -> list[np.ndarray]:
        """Per encoder: each passage's vector in its index, -1 where it has none."""
        return [d.nodes for d in self.dense]

    @property
    def live_nodes(self) -> list[np.ndarray]:
        return [d.live for d in self.dense]

    @property
    def faiss(self) -> list:
        return [d.index for d in self.dense]

    @property
    def vectors(self) -> list[np.ndarray | None]:
        """Per encoder: the exact vectors as float32, None for an HNSW graph."""
        return [d.matrix for d in self.dense]

    # -- search --------------------------------------------------------------------
    def similarities(self, slot: int, query: np.ndarray) -> np.ndarray:
        """Inner product of one query vector with every passage (see similarities_many)."""
        return self.similarities_many(slot, np.asarray(query)[None, :])[0]

    def similarities_many(self, slot: int, queries: np.ndarray) -> np.ndarray:
        """Inner product of each query with every passage, by this encoder's vectors
        (:meth:`DenseVectors.similarities_many`)."""
        return self.dense[slot].similarities_many(queries)

    def score_exactly(self, slot: int, query: np.ndarray, articles: np.ndarray, sims: np.ndarray) -> None:
        """Overwrite, in ``sims`` (one question's passage scores by this encoder), the
        scores of all passages of ``articles`` with exact ones (approximate slots).

        An article that comes first by its keywords or one strong passage would
        otherwise compete with the HNSW search's floor score for its other
        passages; rescoring the first articles by all evidence gives the first
        result an exact search gives (bench/RESULTS.md).
        """
        if not len(articles):
            return
        passages = np.concatenate([self.article_passages[a] for a in articles])
        self.dense[slot].score_exactly(query, passages, sims)

    def article_vectors(self) -> tuple[np.ndarray, np.ndarray]:
        """One float32 vector per article (its whole-article passage) and whether the
        article has one, from the first encoder with a vector for every passage.

        With monolingual encoders only, articles outside their languages have none.
        """
        slot = next((s for s, d in enumerate(self.dense) if (d.nodes >= 0).all()), 0)
        seg = self.segments[ARTICLE]
        return self.dense[slot].passage_vectors(seg.start + seg.article_starts)

    def close(self) -> None:
        self.keywords.close()
