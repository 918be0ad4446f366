"""`kb index`: build the self-describing index artifact and publish it atomically.

Layout of an index location (``--index DIR``)::

    DIR/current -> build-<time>-<id>     symlink, switched with one atomic rename
    DIR/build-<time>-<id>/manifest.json  format, models, analyzers, article hashes
                         /articles.json  what the portal shows (a consistent snapshot)
                         /sections.json  sections with anchors and text
                         /passages.npz   passage -> article/section/kind, text hashes
                         /vectors-<n>.faiss  one FAISS index per encoder (a monolingual
                                             encoder: only its languages' passages)
                         /vectors-<n>.nodes.npy  passage -> vector (one vector per distinct
                                             text; -1: not embedded by this encoder)
                         /keywords/      Whoosh BM25F index
                         /vocabulary.json  words and stems per language (kb/index/vocabulary.py)

A build is written to ``DIR/.tmp-build-*`` and renamed only when complete, so
a crash (or ``kill -9``) mid-build never touches the index being served, and
the next build removes the leftovers. Embeddings of passages whose text did not
change are copied from the current build instead of being encoded again.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import sys
import time
import uuid
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from kb.index import hnsw_growth
from kb.content.articles import Article, Problem
from kb.content.check import check_articles
from kb.encoders import Encoder
from kb.index.keyword import KeywordDoc, analyzer_settings, update_keyword_index, write_keyword_index
from kb.content.passages import build_passages, encoded_rows
from kb.content.sections import Section, split_sections
from kb.index.vocabulary import ArticleText, article_text, build_vocabulary, known_stems
from kb.index.layout import CURRENT, FORMAT_VERSION, nodes_path

# earlier formats whose vectors can be reused: same passages and hashes, other storage
# (3 and 4 hold a vector of every passage for every encoder)
REUSABLE_FORMATS = {3, 4, 5, FORMAT_VERSION}
# distinct texts (vectors) of an encoder; above this its index is approximate (HNSW). An
# exact float32 product costs about 0.08 us a vector of 512 dimensions (1.5 ms at 19,701
# vectors, one BLAS thread), an HNSW search of 2,000 neighbours plus the exactly scored
# sample and candidates a few ms: at 50,000 texts (about 30,000 sections) exact search
# costs about as much; at 100,000 sections (169,000 texts) it cost 13 ms a question and
# missed the 40 ms target (bench/RESULTS.md, fifth and sixth rounds)
HNSW_THRESHOLD = 50_000
HNSW_M = 32


class IndexBuildError(RuntimeError):
    pass


class IndexBusy(IndexBuildError):
    """Another process is building this index location right now."""


@dataclass
class BuildReport:
    path: Path
    articles: int = 0
    drafts: int = 0
    skipped: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sections: int = 0
    passages: int = 0
    encoded: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    up_to_date: bool = False


def text_hash(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest()


def article_record(a: Article) -> dict:
    return {
        "id": a.id, "title": a.title, "lang": a.lang, "category": a.category,
        "category_slug": a.category_slug, "tags": list(a.tags), "summary": a.summary,
        "audience": a.audience, "questions": list(a.questions), "translation": a.translation,
        "updated": a.updated.isoformat() if a.updated else None, "body": a.body,
        "content_hash": a.content_hash,
    }


def vector_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner product up to HNSW_THRESHOLD vectors, HNSW above (see bench/).

    Exact indexes keep the vectors as float16: half the bytes every query reads
    and every server keeps in memory, for cosines within 1e-4 of float32
    (bench/RESULTS.md, "float16 passage vectors").
    """
    dim = vectors.shape[1]
    if len(vectors) > HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    else:
        index = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    index.add(vectors)
    return index


def index_vectors(index: faiss.Index) -> np.ndarray:
    """All stored vectors as one float32 matrix (exact and HNSW indexes alike)."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_n(0, index.ntotal)


@dataclass
class _Served:
    """An encoder's vectors in the build being served: the index (read into memory),
    each node's text hash and whether a passage still has it (not stale)."""

    index: faiss.Index
    hashes: np.ndarray
    live: np.ndarray

    def reusable(self) -> tuple[np.ndarray, np.ndarray]:
        """(hashes, vectors) of the live nodes, for ``embed``."""
        return self.hashes[self.live], index_vectors(self.index)[self.live]


def _served_vectors(location: Path, encoder: Encoder, slot: int) -> _Served | None:
    """The served build's vectors of this slot, if it used the same encoder."""
    current = location / CURRENT
    try:
        manifest = json.loads((current / "manifest.json").read_text())
        models = manifest["models"]
        if manifest["format"] not in REUSABLE_FORMATS or slot >= len(models):
            return None
        if models[slot]["name"] != encoder.name or models[slot]["dim"] != encoder.dim:
            return None
        with np.load(current / "passages.npz") as z:
            hashes, passage_article = z["hashes"], z["article"]
        index = faiss.read_index(str(current / f"vectors-{slot}.faiss"))
        if manifest["format"] >= 6:
            node_of = np.load(nodes_path(current, slot))
        else:  # one vector per embedded passage, in passage order
            rows = None
            if manifest["format"] >= 5:
                langs = [a["lang"] for a in json.loads((current / "articles.json").read_text(encoding="utf-8"))]
                rows = encoded_rows(passage_article, np.array(langs), models[slot].get("languages"))
            node_of = np.full(len(hashes), -1, dtype=np.int64)
            covered = np.arange(len(hashes)) if rows is None else rows
            if len(covered) != index.ntotal:
                return None
            node_of[covered] = np.arange(len(covered))
    except (OSError, KeyError, ValueError, IndexError, RuntimeError):
        return None
    if len(node_of) != len(hashes) or hashes.dtype != np.dtype("S16") or \
            (len(node_of) and node_of.max() >= index.ntotal):
        return None
    node_hashes = np.zeros(index.ntotal, dtype="S16")
    node_hashes[node_of[node_of >= 0]] = hashes[node_of >= 0]
    live = np.bincount(node_of[node_of >= 0], minlength=index.ntotal) > 0
    return _Served(index, node_hashes, live)


def _found_in(hashes: np.ndarray, before: np.ndarray | None) -> np.ndarray:
    """For each hash, its position in ``before``, or -1: sorted lookups in numpy
    instead of a dict of 45,000 byte strings (0.1 s of a re-index at 10k)."""
    found = np.full(len(hashes), -1, dtype=np.int64)
    if before is None or not len(before) or not len(hashes):
        return found
    # as two unsigned 64-bit halves: no byte-string rules (numpy drops trailing NULs);
    # sorted by the first half, the second confirms (a rare miss only re-encodes)
    halves = np.dtype([("a", ">u8"), ("b", ">u8")])
    keys = np.ascontiguousarray(hashes).view(halves).ravel()
    before = np.ascontiguousarray(before).view(halves).ravel()
    order = np.argsort(before["a"], kind="stable")
    pos = order[np.minimum(np.searchsorted(before["a"][order], keys["a"]), len(order) - 1)]
    hit = (before["a"][pos] == keys["a"]) & (before["b"][pos] == keys["b"])
    found[hit] = pos[hit]
    return found


def embed(encoder: Encoder, texts: list[str], hashes: np.ndarray,
          previous: tuple[np.ndarray, np.ndarray] | None, progress: bool) -> tuple[np.ndarray, int]:
    """Vectors for distinct texts, encoding only those the previous build has no
    vector for (``previous``: its hashes and vectors). Returns (vectors, n encoded).

    Texts are encoded in order of length, so batches carry little padding.
    """
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    found = _found_in(hashes, previous[0] if previous else None)
    have = found >= 0
    if have.any():
        out[have] = previous[1][found[have]]
    todo = sorted(np.flatnonzero(~have).tolist(), key=lambda i: len(texts[i]))
    batch = 256
    bar = tqdm(total=len(todo), desc=f"embedding ({encoder.name})", unit="passage",
               disable=not progress or not todo, file=sys.stderr)
    for start in range(0, len(todo), batch):
        chunk = todo[start:start + batch]
        out[chunk] = encoder.encode([texts[i] for i in chunk])
        bar.update(len(chunk))
    bar.close()
    return out, len(todo)


def _served(location: Path, langs: list[str] | None = None) -> tuple[Path, dict] | None:
    """The build being served and its manifest, if a new build can start from it: same
    format, and (given ``langs``) the same languages and analyzers."""
    current = location / CURRENT
    try:
        manifest = json.loads((current / "manifest.json").read_text())
        if manifest["format"] != FORMAT_VERSION:
            return None
        if langs is not None and (manifest["languages"] != langs or
                                  manifest["analyzers"] != analyzer_settings(langs)):
            return None
    except (OSError, KeyError, ValueError, TypeError):
        return None
    return current.resolve(), manifest


def _previous_keywords(location: Path, langs: list[str]) -> tuple[Path, dict[str, str]] | None:
    """The served build's keyword index and article hashes."""
    served = _served(location, langs)
    if served is None or not isinstance(served[1].get("articles"), dict):
        return None
    return served[0] / "keywords", dict(served[1]["articles"])


def _previous_sections(location: Path) -> dict[str, tuple[str, list[Section]]]:
    """article id -> (content hash, sections) in the served build, when it has this format.

    Splitting is a pure function of the article's content (and of this format),
    so unchanged articles are not parsed again.
    """
    served = _served(location)
    if served is None:
        return {}
    current = served[0]
    try:
        records = json.loads((current / "articles.json").read_text(encoding="utf-8"))
        stored = json.loads((current / "sections.json").read_text(encoding="utf-8"))
        with np.load(current / "passages.npz") as z:
            owner = z["section_article"]
        if len(owner) != len(stored):
            return {}
        out: dict[str, tuple[str, list[Section]]] = {}
        for record, n in zip(stored, owner.tolist()):
            article = records[n]
            entry = out.setdefault(article["id"], (article["content_hash"], []))
            entry[1].append(Section(article["id"], record["anchor"], record["heading"],
                                    record["text"], record["part"]))
        return out
    except (OSError, KeyError, ValueError, TypeError, IndexError, zipfile.BadZipFile):
        return {}


def _previous_stems(location: Path, langs: list[str]) -> dict[str, dict[str, str | None]] | None:
    """Token -> stem of the served build, when it stemmed with the same analyzers."""
    served = _served(location, langs)
    if served is None:
        return None
    try:
        return known_stems(json.loads((served[0] / "vocabulary.json").read_text(encoding="utf-8")))
    except (OSError, KeyError, ValueError, TypeError, AttributeError):
        return None


def _keyword_docs(articles: list[Article], numbered: list[list[tuple[int, Section]]],
                  only: set[str] | None = None) -> list[KeywordDoc]:
    """One keyword document per section (of the articles in ``only``, if given)."""
    return [KeywordDoc(article=a.id, part=part, lang=a.lang, title=a.title,
                       extra=" ".join((*a.tags, a.summary, *a.questions)),
                       heading=section.heading, text=section.text)
            for a, own in zip(articles, numbered) if only is None or a.id in only
            for part, (_, section) in enumerate(own)]


def _fsync_tree(path: Path) -> None:
    for root, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                os.fsync(fh.fileno())
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _cleanup(location: Path, keep: int = 2) -> None:
    """Remove leftovers of crashed builds and all but the newest published builds."""
    current = (location / CURRENT).resolve() if (location / CURRENT).exists() else None
    for tmp in location.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
    builds = sorted(location.glob("build-*"), reverse=True)
    kept = 0
    for b in builds:
        if current is not None and b.resolve() == current:
            continue
        kept += 1
        if kept >= keep:  # the previous build stays for servers still answering from it
            shutil.rmtree(b, ignore_errors=True)


def _unchanged(location: Path, articles: list[Article], models_spec: str) -> bool:
    """True when the served build has exactly these articles, models and format."""
    try:
        manifest = json.loads((location / CURRENT / "manifest.json").read_text())
    except (OSError, ValueError):
        return False
    return (manifest.get("format") == FORMAT_VERSION and manifest.get("models_spec") == models_spec
            and manifest.get("articles") == {a.id: a.content_hash for a in articles})


def publish(location: Path, build: Path) -> None:
    """Point ``current`` at the new build with one atomic rename of a symlink."""
    link_tmp = location / f".tmp-link-{uuid.uuid4().hex[:8]}"
    os.symlink(build.name, link_tmp)
    os.replace(link_tmp, location / CURRENT)
    fd = os.open(location, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def build_index(
    articles_dir: Path,
    location: Path,
    get_encoders: Callable[[], tuple[Encoder, ...]],
    models_spec: str,
    default_lang: str | None = None,
    strict: bool = False,
    force: bool = False,
    progress: bool = False,
    on_step: Callable[[str], None] | None = None,
) -> BuildReport:
    """Build and publish a new index of ``articles_dir`` at ``location``.

    ``get_encoders`` is called only when something changed, so an up-to-date
    index is confirmed in well under a second, without loading any model.
    """
    started = time.monotonic()
    step = on_step or (lambda msg: None)
    location.mkdir(parents=True, exist_ok=True)
    lock = open(location / ".lock", "w")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.close()
        raise IndexBusy(f"another 'kb index' is building {location}; wait for it to finish") from None
    try:
        _cleanup(location)
        valid, problems = check_articles(articles_dir, default_lang)
        errors = [p for p in problems if p.severity == "error"]
        if strict and errors:
            raise IndexBuildError(
                f"{len(errors)} error(s) in the articles (run 'kb check {articles_dir}'); "
                "nothing was indexed:\n" + "\n".join(map(str, errors)))
        seen: set[str] = set()
        articles: list[Article] = []
        drafts = 0
        for a in valid:
            if a.id.casefold() in seen:
                continue  # reported as a duplicate id by the checker; first file wins
            seen.add(a.id.casefold())
            if a.draft:
                drafts += 1
                continue
            articles.append(a)
        if not articles:
            raise IndexBuildError(f"no publishable articles found in {articles_dir}")

        report = BuildReport(path=location, articles=len(articles), drafts=drafts,
                             skipped=errors, warnings=[p for p in problems if p.severity != "error"])
        if not force and _unchanged(location, articles, models_spec):
            report.up_to_date = True
            report.path = (location / CURRENT).resolve()
            report.seconds = time.monotonic() - started
            return report
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
        name = f"build-{stamp}-{uuid.uuid4().hex[:6]}"
        tmp = location / f".tmp-{name}"
        tmp.mkdir()

        step("splitting sections")
        sections: list[Section] = []
        numbered: list[list[tuple[int, Section]]] = []
        unchanged = {} if force else _previous_sections(location)
        for a in articles:
            own = []
            before = unchanged.get(a.id)
            for s in before[1] if before and before[0] == a.content_hash else split_sections(a):
                own.append((len(sections), s))
                sections.append(s)
            numbered.append(own)
        section_article = np.array([i for i, own in enumerate(numbered) for _ in own], dtype=np.int32)
        passages = build_passages(articles, numbered)
        hashes = np.array([text_hash(t) for t in passages.texts], dtype="S16")
        report.sections, report.passages = len(sections), len(passages.texts)

        models = []
        article_lang = np.array([a.lang for a in articles])
        for slot, encoder in enumerate(get_encoders()):
            step(f"embedding with {encoder.name}")
            served = _served_vectors(location, encoder, slot)
            rows = encoded_rows(passages.article, article_lang, encoder.languages)
            covered = np.arange(len(passages.texts)) if rows is None else rows
            # one vector per distinct text: passages repeat (boilerplate sentences, titles),
            # and HNSW graphs lose recall on exact duplicates (bench/RESULTS.md)
            distinct, first, node_of_covered = np.unique(hashes[covered], return_index=True,
                                                         return_inverse=True)
            texts = [passages.texts[covered[i]] for i in first]
            vectors, encoded = embed(encoder, texts, distinct, served.reusable() if served else None, progress)
            report.encoded[encoder.name] = encoded
            report.reused[encoder.name] = len(texts) - encoded
            node = None
            if len(vectors) > HNSW_THRESHOLD and served is not None and not force and \
                    isinstance(served.index, faiss.IndexHNSW):
                step(f"adding changed texts to the served graph of {encoder.name}")
                live = np.flatnonzero(served.live)
                known = _found_in(distinct, served.hashes[live])
                node = hnsw_growth.grow(served.index, np.where(known >= 0, live[known], -1), vectors)
            index = served.index if node is not None else vector_index(vectors)
            if node is None:
                node = np.arange(len(vectors))
            node_of = np.full(len(passages.texts), -1, dtype=np.int32)
            node_of[covered] = node[node_of_covered.ravel()]
            faiss.write_index(index, str(tmp / f"vectors-{slot}.faiss"))
            np.save(nodes_path(tmp, slot), node_of)
            models.append({"name": encoder.name, "dim": encoder.dim,
                           "languages": sorted(encoder.languages) if encoder.languages else None,
                           "index": type(index).__name__, "passages": len(covered),
                           "vectors": int(index.ntotal), "stale": int(index.ntotal - len(vectors))})

        step("building keyword index")
        langs = sorted({a.lang for a in articles})
        previous = None if force else _previous_keywords(location, langs)
        if previous is not None:
            keywords_dir, hashes_before = previous
            changed = {a.id for a in articles if hashes_before.get(a.id) != a.content_hash}
            gone = set(hashes_before) - {a.id for a in articles}
            if not update_keyword_index(keywords_dir, tmp / "keywords", changed | gone,
                                        _keyword_docs(articles, numbered, changed)):
                previous = None
        if previous is None:
            write_keyword_index(tmp / "keywords", _keyword_docs(articles, numbered), langs)

        step("collecting the vocabulary")
        vocabulary = build_vocabulary(
            (ArticleText(a.lang, a.audience == "public",
                         article_text(a.title, a.summary, a.tags, a.questions, a.body)) for a in articles),
            None if force else _previous_stems(location, langs))
        (tmp / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")

        np.savez(tmp / "passages.npz", kind=passages.kind, article=passages.article,
                 section=passages.section, hashes=hashes, section_article=section_article)
        (tmp / "articles.json").write_text(
            json.dumps([article_record(a) for a in articles], ensure_ascii=False), encoding="utf-8")
        (tmp / "sections.json").write_text(json.dumps(
            [{"anchor": s.anchor, "heading": s.heading, "text": s.text, "part": s.part}
             for s in sections], ensure_ascii=False), encoding="utf-8")
        manifest = {
            "format": FORMAT_VERSION,
            "models_spec": models_spec,
            "models": models,
            "analyzers": analyzer_settings(langs),
            "languages": langs,
            "articles": {a.id: a.content_hash for a in articles},
            "counts": {"articles": len(articles), "sections": len(sections),
                       "passages": len(passages.texts)},
            "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "articles_dir": str(articles_dir),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        _fsync_tree(tmp)
        final = location / name
        os.rename(tmp, final)
        publish(location, final)
        _cleanup(location)
        report.path = final
        report.seconds = time.monotonic() - started
        return report
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
