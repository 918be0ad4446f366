"""Keyword side of the hybrid search: a Whoosh BM25F index over sections.

One set of fields per language, each with that language's stemming analyzer,
so "Lieferungen" finds "Lieferung" and "refunds" finds "refund". Queries are
built from analysed tokens, never parsed as Whoosh syntax: a customer typing
``title:*`` or ``(((`` gets a keyword search for those words, not an error.

Documents are keyed by (article id, section number within the article), not by
their position in a build, so a new build can start from a copy of the previous
keyword index and replace only the changed articles' sections
(:func:`update_keyword_index`) instead of analysing and writing every section
again. Like Lucene, Whoosh keeps counting deleted documents
in its statistics until segments merge; :data:`MAX_DELETED_SHARE` bounds that
drift by rebuilding from scratch.

Scoring is :mod:`kb.index.bm25f`; spelling works from the vocabulary
(:mod:`kb.index.vocabulary`, :mod:`kb.search.spelling`).
"""

from __future__ import annotations

import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index
from whoosh import scoring
from whoosh.fields import ID, NUMERIC, TEXT, Schema

from kb.content.text import analyzed, analyzer_description, analyzer_for
from kb.index.bm25f import BM25_B, BM25_K1, DEFAULT_LIMIT, BM25FScorer

FIELD_BOOSTS = {"title": 3.0, "extra": 2.0, "heading": 1.5, "text": 1.0}
# what the editors wrote about the topic; "extra" holds tags, summary and the front-matter
# questions, learned customer phrasings among them
CONTENT_FIELDS = ("title", "heading", "text")
MAX_QUERY_TERMS = 64
MAX_DELETED_SHARE = 0.1  # above this share of deleted documents, rebuild from scratch


def analyzer_settings(langs: list[str]) -> dict[str, str]:
    """Recorded in the manifest so a reader can tell how the index was analysed."""
    return {lang: analyzer_description(lang) for lang in langs}


def build_schema(langs: list[str]) -> Schema:
    fields = {"article": ID(stored=True), "part": NUMERIC(stored=True), "lang": ID(stored=False)}
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
    """Read side: BM25F scores per section."""

    def __init__(self, directory: Path, langs: list[str], section_of: dict[tuple[str, int], int]) -> None:
        """``section_of`` maps (article id, part) to the section number of this build."""
        self.ix = whoosh_index.open_dir(str(directory))
        self.langs = langs
        self._analyzers = {lang: analyzer_for(lang) for lang in langs}
        self._searcher = self.ix.searcher(weighting=scoring.BM25F(B=BM25_B, K1=BM25_K1))
        lock = threading.Lock()  # Whoosh readers are not thread-safe
        reader = self._searcher.reader()
        # document number -> section number; deleted documents never appear in postings
        uids = np.full(reader.doc_count_all(), -1, dtype=np.int64)
        for docnum, stored in reader.iter_docs():
            uids[docnum] = section_of[stored["article"], stored["part"]]
        if reader.doc_count() != len(section_of):
            raise ValueError(f"{reader.doc_count()} keyword documents for {len(section_of)} sections")
        self._scorer = BM25FScorer(self._searcher, lock, uids)

    def close(self) -> None:
        self._searcher.close()

    def terms(self, text: str) -> list[tuple[str, str]]:
        """The (field, token) terms of a question: its words analysed in every language."""
        out = []
        for lang, analyzer in self._analyzers.items():
            tokens = analyzed(analyzer, text)[:MAX_QUERY_TERMS]
            out.extend((f"{field}_{lang}", tok) for field in FIELD_BOOSTS for tok in tokens)
        return out

    def words_in(self, text: str, lang: str, sections: range,
                 fields: tuple[str, ...] = CONTENT_FIELDS) -> tuple[int, int]:
        """How many of the question's words (analysed in ``lang``) occur in these fields of
        these sections (by default the written text: title, headings, body), and how many
        words it has there."""
        analyzer = self._analyzers.get(lang)
        tokens = analyzed(analyzer, text)[:MAX_QUERY_TERMS] if analyzer is not None else []
        found = sum(any(self._scorer.in_sections(f"{field}_{lang}", tok, sections) for field in fields)
                    for tok in tokens)
        return found, len(tokens)

    def search(self, text: str, n_sections: int, limit: int = DEFAULT_LIMIT) -> np.ndarray:
        """BM25F score of every section (0 where nothing matched; only the best ``limit`` kept)."""
        return self._scorer.scores(self.terms(text), n_sections, limit)
