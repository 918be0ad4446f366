"""Keyword side of the hybrid search: a Whoosh BM25F index over sections.

One set of fields per language, each with that language's stemming analyzer,
so "Lieferungen" finds "Lieferung" and "refunds" finds "refund". Queries are
built from analysed tokens, never parsed as Whoosh syntax: a customer typing
``title:*`` or ``(((`` gets a keyword search for those words, not an error.
"""

from __future__ import annotations

import re
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
    fields = {"uid": NUMERIC(stored=True, unique=True, bits=64), "lang": ID(stored=False),
              "spell": TEXT(analyzer=RegexTokenizer() | LowercaseFilter(), spelling=True)}
    for lang in langs:
        analyzer = analyzer_for(lang)
        for name, boost in FIELD_BOOSTS.items():
            fields[f"{name}_{lang}"] = TEXT(analyzer=analyzer, field_boost=boost)
    return Schema(**fields)


@dataclass(frozen=True)
class KeywordDoc:
    uid: int  # section number in the index
    lang: str
    title: str
    extra: str  # tags, summary and front matter questions
    heading: str
    text: str


def write_keyword_index(directory: Path, docs: list[KeywordDoc], langs: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    ix = whoosh_index.create_in(str(directory), build_schema(langs))
    writer = ix.writer(limitmb=256)
    for d in docs:
        writer.add_document(**{
            "uid": d.uid, "lang": d.lang,
            "spell": " ".join((d.title, d.heading, d.text)),
            f"title_{d.lang}": d.title, f"extra_{d.lang}": d.extra,
            f"heading_{d.lang}": d.heading, f"text_{d.lang}": d.text,
        })
    writer.commit()


class KeywordIndex:
    """Read side: BM25F scores per section and spelling corrections."""

    def __init__(self, directory: Path, langs: list[str]) -> None:
        self.ix = whoosh_index.open_dir(str(directory))
        self.langs = langs
        self._analyzers = {lang: analyzer_for(lang) for lang in langs}
        self._searcher = self.ix.searcher(weighting=scoring.BM25F())
        self._spell_words = set(self._searcher.lexicon("spell"))
        self._corrector = self._searcher.corrector("spell")

    def close(self) -> None:
        self._searcher.close()

    def _query(self, text: str):
        terms = []
        for lang, analyzer in self._analyzers.items():
            tokens = list(dict.fromkeys(t.text for t in analyzer(text)))[:MAX_QUERY_TERMS]
            for field in FIELD_BOOSTS:
                terms.extend(Term(f"{field}_{lang}", tok) for tok in tokens)
        return Or(terms) if terms else None

    def search(self, text: str, n_sections: int, limit: int = 1000) -> np.ndarray:
        """BM25F score of every section (0 where nothing matched)."""
        scores = np.zeros(n_sections, dtype=np.float32)
        query = self._query(text)
        if query is None:
            return scores
        for hit in self._searcher.search(query, limit=limit):
            scores[hit["uid"]] = hit.score
        return scores

    def corrections(self, text: str) -> dict[str, str]:
        """Unknown words with their most likely spelling from the articles' vocabulary."""
        fixes = {}
        for word in WORD.findall(text.lower())[:MAX_QUERY_TERMS]:
            if len(word) < 4 or word.isdigit() or word.encode() in self._spell_words:
                continue
            suggestions = self._corrector.suggest(word, limit=1, maxdist=2 if len(word) > 6 else 1)
            if suggestions:
                fixes[word] = suggestions[0]
        return fixes
