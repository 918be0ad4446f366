"""A customer reads the answer in the language they asked in.

Versions linked by ``translation`` compete as one and are shown in the
customer's language (kb/search/hits.py). Where a help centre has the same
article in two languages without that link, the multilingual encoder places
the two close to each other, and the one in the other language sometimes comes
first: "zahlungsartn" found the English "Accepted means of payment" before
"Zahlungsarten im Überblick", an answer the customer may not read.

So the unlinked versions are found as the build's whole-article vectors of the
multilingual encoder pair them: an article and one in another language that
are each other's nearest there (mutual nearest neighbours: every linked pair
of the evaluation help centres, none that is not, also with half of one
language's articles missing; bench/RESULTS.md). In the order of the results,
an article whose version in the question's language may be shown falls behind
the others by ``LAG`` on the ranker's scale. An article with no version in the
question's language (a help centre translated in part) keeps its place: it may
be the only answer. ``answered`` is judged on the evidence, which the lag
leaves as it is.

Such an article competes badly in a search in the question's language: the
question's own-language model and words do not reach it. So when nothing the
customer can read answers, the articles with no version in their language are
also ranked among themselves, from the evidence the search has (no encoding
again); when that ranking is surer of its first article, by ``CONFIDENCE_LEAD``,
than the first one of its own, that article comes first, offered, not answered
(``surer_alone``, ``put_first``).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from kb.content.languages import translation_group
from kb.index.loaded import LoadedIndex
from kb.search.results import Hit, SearchResult

LAG = 2.0  # on the ranker's (logit) scale; chosen on development questions (bench/RESULTS.md)
MIN_VERSION_COSINE = 0.5  # two articles less alike than this are not versions of one
# how much surer the ranking of the articles without a version must be of its first article than
# the customer's-language ranking of its own: chosen on development questions (bench/RESULTS.md)
CONFIDENCE_LEAD = 0.3


def unlinked_versions(articles: list[dict], vectors: np.ndarray, has_vector: np.ndarray
                      ) -> dict[str, np.ndarray]:
    """Per language, each article's unlinked version in it (its index, -1 for none):
    articles without a ``translation`` link that are mutual nearest neighbours across
    the two languages by whole-article vector."""
    langs = np.array([a["lang"] for a in articles])
    free = has_vector & np.array([not a["translation"] for a in articles], dtype=bool)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-12)
    out = {lang: np.full(len(articles), -1, dtype=np.int64) for lang in sorted(set(langs.tolist()))}
    for a_lang in out:
        for b_lang in out:
            if a_lang >= b_lang:
                continue
            left = np.flatnonzero(free & (langs == a_lang))
            right = np.flatnonzero(free & (langs == b_lang))
            if not len(left) or not len(right):
                continue
            cos = unit[left] @ unit[right].T
            best_right, best_left = cos.argmax(axis=1), cos.argmax(axis=0)
            for i, j in enumerate(best_right):
                if best_left[j] == i and cos[i, j] >= MIN_VERSION_COSINE:
                    out[b_lang][left[i]], out[a_lang][right[j]] = right[j], left[i]
    return out


def linked_versions(articles: list[dict]) -> dict[str, np.ndarray]:
    """Per language, each article's version in it by its ``translation`` link (-1 for none)."""
    index = {(a["translation"], a["lang"]): i for i, a in enumerate(articles) if a["translation"]}
    return {lang: np.array([index.get((a["translation"], lang), -1) if a["translation"] and a["lang"] != lang
                            else -1 for a in articles], dtype=np.int64)
            for lang in sorted({a["lang"] for a in articles})}


class Readability:
    """Which articles have a version in the question's language. Thread-safe."""

    def __init__(self, articles: list[dict], vectors: np.ndarray, has_vector: np.ndarray) -> None:
        self.article_lang = np.array([a["lang"] for a in articles])
        self.version_in = unlinked_versions(articles, vectors, has_vector)
        self.linked_in = linked_versions(articles)

    def unreadable(self, mask: np.ndarray, qlang: str | None) -> np.ndarray | None:
        """The articles under ``mask`` whose unlinked version in ``qlang`` (always another
        article's language) is under it too; None when there is none."""
        version = self.version_in.get(qlang) if qlang is not None else None
        if version is None:
            return None
        out = _shown(version, mask)
        return out if out.any() else None

    def lagged(self, scores: np.ndarray, mask: np.ndarray, qlang: str | None) -> np.ndarray:
        """``scores`` with the articles that have a readable version ``LAG`` lower."""
        behind = self.unreadable(mask, qlang)
        return scores if behind is None else scores - LAG * behind

    def alone(self, mask: np.ndarray, qlang: str | None) -> np.ndarray:
        """The articles under ``mask`` in another language than ``qlang`` with no version
        in ``qlang`` under it, linked or not: a help centre translated in part."""
        in_qlang = mask & (self.article_lang == qlang)
        if qlang is None or qlang not in self.linked_in or not in_qlang.any():
            return np.zeros_like(mask)  # no readable article: the search is a cross-language one
        readable = _shown(self.linked_in[qlang], mask) | _shown(self.version_in[qlang], mask)
        return mask & (self.article_lang != qlang) & ~readable


def _shown(version: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Articles under ``mask`` whose ``version`` (an article number, -1 for none) is under it."""
    has = version >= 0
    out = mask & has
    out[has] &= mask[version[has]]
    return out


def surer_alone(index: LoadedIndex, result: SearchResult, other: SearchResult,
                alone: np.ndarray) -> int | None:
    """The first article of ``other`` (the articles with no version in the question's
    language, ``alone``, ranked among themselves) when ``other`` is surer of it than
    ``result`` of its own first by ``CONFIDENCE_LEAD``; otherwise None."""
    if not other.results or other.confidence <= result.confidence + CONFIDENCE_LEAD:
        return None
    number = index.by_id[other.results[0].id]
    return number if alone[number] else None


def put_first(index: LoadedIndex, result: SearchResult, hit: Hit, limit: int) -> SearchResult:
    """``result`` with ``hit`` first and its other versions left out. ``answered`` and the
    rest stay ``result``'s (not answered, where the engine calls this): a first article in
    a language the customer did not ask in is offered, not asserted."""
    group = translation_group(index.articles[index.by_id[hit.id]])
    rest = [h for h in result.results if translation_group(index.articles[index.by_id[h.id]]) != group]
    return replace(result, results=[hit, *rest][:limit])
