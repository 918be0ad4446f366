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
                         /vectors-<n>.adapter.npy  the help centre's own query adapter,
                                             fitted on its questions (kb/index/centre_adapter.py)
                         /keywords/      Whoosh BM25F index
                         /vocabulary.json  words and stems per language (kb/index/vocabulary.py)
                         /dictionary-<lang>.npz  the articles' words as vectors of the
                                             multilingual encoder (kb/index/dictionary.py)

The steps: choose the publishable articles, split them into sections and
passages, embed with each encoder, write the keyword index, the vocabulary and
its dictionary, then the tables and the manifest; ``kb.index.reuse`` supplies
what the served build already has, ``kb.index.publish`` makes the result durable
and switches to it.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from kb.content.articles import Article, Problem
from kb.content.check import check_articles
from kb.content.passages import SENTENCE, Passages, build_passages, encoded_rows
from kb.content.sections import Section, split_sections
from kb.encoders import Encoder
from kb.encoders.query_adapter import query_adapter
from kb.index import centre_adapter, dictionary, hnsw_growth, reuse
from kb.index import vectors as vectors_module
from kb.index.keyword import KeywordDoc, analyzer_settings, update_keyword_index, write_keyword_index
from kb.index.layout import CURRENT, FORMAT_VERSION, MANIFEST, centre_adapter_path, nodes_path, vectors_path
from kb.index.media import shown_media, write_media
from kb.index.publish import IndexBuildError, IndexBusy, build_lock, cleanup, new_build_folder, publish_build
from kb.index.vectors import embed, found_in, text_hash, vector_index
from kb.index.vocabulary import ArticleText, article_text, build_vocabulary

__all__ = ["BuildReport", "IndexBuildError", "IndexBusy", "build_index"]


@dataclass
class BuildReport:
    path: Path
    articles: int = 0
    drafts: int = 0
    skipped: list[Problem] = field(default_factory=list)  # errors of files not published
    # errors of files published all the same: links readers cannot follow (shown as text
    # only), the first of several files with one id, a translation key used twice
    published_anyway: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    sections: int = 0
    passages: int = 0
    encoded: dict[str, int] = field(default_factory=dict)
    reused: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    up_to_date: bool = False


@dataclass
class _Split:
    """Sections of all articles (numbered in build order) and their passages."""

    sections: list[Section]
    numbered: list[list[tuple[int, Section]]]  # per article: (section number, section)
    section_article: np.ndarray
    passages: Passages
    hashes: np.ndarray  # per passage: its text's hash


@dataclass
class _Build:
    """One build in progress: where it is written, from what, and how."""

    location: Path
    tmp: Path
    articles: list[Article]
    split: _Split
    force: bool
    progress: bool
    step: Callable[[str], None]
    report: BuildReport

    @property
    def langs(self) -> list[str]:
        return sorted({a.lang for a in self.articles})


def article_record(a: Article) -> dict:
    return {
        "id": a.id, "title": a.title, "lang": a.lang, "category": a.category,
        "category_slug": a.category_slug, "tags": list(a.tags), "summary": a.summary,
        "audience": a.audience, "questions": list(a.questions), "translation": a.translation,
        "updated": a.updated.isoformat() if a.updated else None, "body": a.body,
        "content_hash": a.content_hash,
    }


def _publishable(articles_dir: Path, default_lang: str | None,
                 strict: bool) -> tuple[list[Article], BuildReport]:
    """The articles to publish, and a report of the errors (of the files skipped and of
    those published all the same) and warnings.

    A file with errors is skipped when it cannot be parsed or repeats the id of
    an earlier file; errors that compare articles (links, translation keys) do
    not take an otherwise good article off the help centre.
    """
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
    published = {a.path for a in articles}
    report = BuildReport(path=Path(), articles=len(articles), drafts=drafts,
                         skipped=[p for p in errors if p.path not in published],
                         published_anyway=[p for p in errors if p.path in published],
                         warnings=[p for p in problems if p.severity != "error"])
    return articles, report


def _split(articles: list[Article], before: dict[str, tuple[str, list[Section]]]) -> _Split:
    """Sections (taken over from ``before`` for unchanged articles) and passages."""
    sections: list[Section] = []
    numbered: list[list[tuple[int, Section]]] = []
    for a in articles:
        own = []
        old = before.get(a.id)
        for s in old[1] if old and old[0] == a.content_hash else split_sections(a):
            own.append((len(sections), s))
            sections.append(s)
        numbered.append(own)
    section_article = np.array([i for i, own in enumerate(numbered) for _ in own], dtype=np.int32)
    passages = build_passages(articles, numbered)
    hashes = np.array([text_hash(t) for t in passages.texts], dtype="S16")
    return _Split(sections, numbered, section_article, passages, hashes)


def _embed_slot(b: _Build, slot: int, encoder: Encoder) -> dict:
    """Write one encoder's vectors and passage -> vector map; its manifest entry."""
    served = reuse.served_vectors(b.location, encoder, slot)
    split, passages, report = b.split, b.split.passages, b.report
    rows = encoded_rows(passages.article, np.array([a.lang for a in b.articles]), encoder.languages)
    covered = np.arange(len(passages.texts)) if rows is None else rows
    # one vector per distinct text: passages repeat (boilerplate sentences, titles),
    # and HNSW graphs lose recall on exact duplicates (bench/RESULTS.md)
    distinct, first, node_of_covered = np.unique(split.hashes[covered], return_index=True,
                                                 return_inverse=True)
    texts = [passages.texts[covered[i]] for i in first]
    vectors, encoded = embed(encoder, texts, distinct, served.reusable() if served else None, b.progress)
    report.encoded[encoder.name] = encoded
    report.reused[encoder.name] = len(texts) - encoded
    node = None
    if len(vectors) > vectors_module.HNSW_THRESHOLD and served is not None and not b.force and \
            isinstance(served.index, faiss.IndexHNSW):
        b.step(f"adding changed texts to the served graph of {encoder.name}")
        live = np.flatnonzero(served.live)
        known = found_in(distinct, served.hashes[live])
        node = hnsw_growth.grow(served.index, np.where(known >= 0, live[known], -1), vectors)
    index = served.index if node is not None else vector_index(vectors)
    if node is None:
        node = np.arange(len(vectors))
    node_of = np.full(len(passages.texts), -1, dtype=np.int32)
    node_of[covered] = node[node_of_covered.ravel()]
    faiss.write_index(index, str(vectors_path(b.tmp, slot)))
    np.save(nodes_path(b.tmp, slot), node_of)
    row_of = np.full(len(passages.texts), -1, dtype=np.int64)
    row_of[covered] = node_of_covered.ravel()
    return {"name": encoder.name, "dim": encoder.dim,
            "languages": sorted(encoder.languages) if encoder.languages else None,
            "index": type(index).__name__, "passages": len(covered),
            "vectors": int(index.ntotal), "stale": int(index.ntotal - len(vectors)),
            "centre_adapter": _centre_adapter(b, slot, encoder, vectors, row_of)}


def _question_passages(p: Passages) -> np.ndarray:
    """The front-matter questions' passages: sentences outside any section but the
    first of each article, its title (kb/content/passages.py)."""
    head = np.flatnonzero((p.kind == SENTENCE) & (p.section < 0))
    title = np.r_[True, p.article[head][1:] != p.article[head][:-1]]
    return head[~title]


def _centre_adapter(b: _Build, slot: int, encoder: Encoder, vectors: np.ndarray,
                    row_of: np.ndarray) -> dict | None:
    """Fit (or take from the served build, for the same input) the help centre's own
    query adapter of this encoder; its manifest entry, None without one. ``row_of``:
    each passage's row of ``vectors``, -1 where the encoder has none."""
    p = b.split.passages
    asked = _question_passages(p)
    asked = asked[row_of[asked] >= 0]
    target = np.flatnonzero((p.kind != SENTENCE) & (row_of >= 0))
    model = query_adapter(encoder.name)
    questions = vectors[row_of[asked]]
    pairs = centre_adapter.Pairs(model.apply(questions) if model is not None and len(asked) else questions,
                                 p.article[asked], vectors[row_of[target]], p.article[target],
                                 np.array([a.lang for a in b.articles]))
    key = centre_adapter.input_key(encoder.name, model.digest if model is not None else "none",
                                   b.split.hashes[asked], b.split.hashes[target], pairs)
    path = centre_adapter_path(b.tmp, slot)
    if not b.force and reuse.served_centre_adapter(b.location, slot, encoder.name, key, path):
        return {"key": key, "questions": len(asked), "reused": True}
    if len(asked) < centre_adapter.MIN_QUESTIONS:
        return None
    b.step(f"fitting the help centre's question adapter for {encoder.name} ({len(asked)} questions)")
    matrix = centre_adapter.fit(pairs)
    if matrix is None:
        return None
    np.save(path, matrix)
    return {"key": key, "questions": len(asked)}


def _keyword_docs(articles: list[Article], numbered: list[list[tuple[int, Section]]],
                  only: set[str] | None = None) -> list[KeywordDoc]:
    """One keyword document per section (of the articles in ``only``, if given)."""
    return [KeywordDoc(article=a.id, part=part, lang=a.lang, title=a.title,
                       extra=" ".join((*a.tags, a.summary, *a.questions)),
                       heading=section.heading, text=section.text)
            for a, own in zip(articles, numbered) if only is None or a.id in only
            for part, (_, section) in enumerate(own)]


def _write_keywords(b: _Build) -> None:
    """Copy the served keyword index and replace the changed articles' sections, or
    write it from scratch (``force``, another layout, or too many deleted documents)."""
    previous = None if b.force else reuse.previous_keywords(b.location, b.langs)
    if previous is not None:
        keywords_dir, hashes_before = previous
        changed = {a.id for a in b.articles if hashes_before.get(a.id) != a.content_hash}
        gone = set(hashes_before) - {a.id for a in b.articles}
        if update_keyword_index(keywords_dir, b.tmp / "keywords", changed | gone,
                                _keyword_docs(b.articles, b.split.numbered, changed)):
            return
    write_keyword_index(b.tmp / "keywords", _keyword_docs(b.articles, b.split.numbered), b.langs)


def _write_vocabulary(b: _Build) -> dict:
    vocabulary = build_vocabulary(
        (ArticleText(a.lang, a.audience == "public",
                     article_text(a.title, a.summary, a.tags, a.questions, a.body)) for a in b.articles),
        None if b.force else reuse.previous_stems(b.location, b.langs))
    (b.tmp / "vocabulary.json").write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    return vocabulary


def _write_dictionaries(b: _Build, vocabulary: dict, encoders: tuple[Encoder, ...]) -> dict | None:
    """The dictionary of every language, by the first encoder that reads all languages;
    its manifest entry, None without such an encoder."""
    encoder = next((e for e in encoders if e.languages is None), None)
    if encoder is None:
        return None
    counts = {}
    for lang, entry in sorted(vocabulary["languages"].items()):
        words, public = dictionary.chosen_words(entry)
        served = None if b.force else reuse.served_dictionary(b.location, lang, encoder.name)
        previous = None
        if served is not None:
            previous = (np.array([text_hash(w) for w in served[0]], dtype="S16"), served[1])
        hashes = np.array([text_hash(w) for w in words], dtype="S16")
        vectors, _ = embed(encoder, words, hashes, previous, b.progress)
        dictionary.write(b.tmp, lang, words, public, dictionary.unit(vectors))
        counts[lang] = len(words)
    return {"encoder": encoder.name, "words": counts}


def _write_tables(b: _Build) -> None:
    """passages.npz, articles.json and sections.json."""
    p = b.split.passages
    np.savez(b.tmp / "passages.npz", kind=p.kind, article=p.article, section=p.section,
             hashes=b.split.hashes, section_article=b.split.section_article)
    (b.tmp / "articles.json").write_text(
        json.dumps([article_record(a) for a in b.articles], ensure_ascii=False), encoding="utf-8")
    (b.tmp / "sections.json").write_text(json.dumps(
        [{"anchor": s.anchor, "heading": s.heading, "text": s.text, "part": s.part}
         for s in b.split.sections], ensure_ascii=False), encoding="utf-8")


def _write_manifest(b: _Build, articles_dir: Path, models_spec: str, models: list[dict],
                    dictionaries: dict | None, media: list[str]) -> None:
    manifest = {
        "format": FORMAT_VERSION,
        "models_spec": models_spec,
        "models": models,
        "dictionary": dictionaries,
        "analyzers": analyzer_settings(b.langs),
        "languages": b.langs,
        "articles": {a.id: a.content_hash for a in b.articles},
        "media": media,
        "counts": {"articles": len(b.articles), "sections": len(b.split.sections),
                   "passages": len(b.split.passages.texts)},
        "built_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "articles_dir": str(articles_dir),
    }
    (b.tmp / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))


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
    with build_lock(location):
        cleanup(location)
        articles, report = _publishable(articles_dir, default_lang, strict)
        shown = shown_media(articles, articles_dir)
        if not force and reuse.unchanged(location, articles, models_spec, shown):
            report.up_to_date = True
            report.path = (location / CURRENT).resolve()
            report.seconds = time.monotonic() - started
            return report
        tmp = new_build_folder(location)

        step("splitting sections")
        split = _split(articles, {} if force else reuse.previous_sections(location))
        report.sections, report.passages = len(split.sections), len(split.passages.texts)
        b = _Build(location, tmp, articles, split, force, progress, step, report)
        models = []
        encoders = get_encoders()
        for slot, encoder in enumerate(encoders):
            step(f"embedding with {encoder.name}")
            models.append(_embed_slot(b, slot, encoder))
        step("building keyword index")
        _write_keywords(b)
        step("collecting the vocabulary")
        vocabulary = _write_vocabulary(b)
        step("embedding the dictionary")
        dictionaries = _write_dictionaries(b, vocabulary, encoders)
        _write_tables(b)
        served = location / CURRENT
        media = write_media(tmp, served.resolve() if served.exists() else None, shown, articles_dir)
        _write_manifest(b, articles_dir, models_spec, models, dictionaries, media)
        report.path = publish_build(location, tmp)
        report.seconds = time.monotonic() - started
        return report
