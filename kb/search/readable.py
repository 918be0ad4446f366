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
"""

from __future__ import annotations

import numpy as np

LAG = 2.0  # on the ranker's (logit) scale; chosen on development questions (bench/RESULTS.md)
MIN_VERSION_COSINE = 0.5  # two articles less alike than this are not versions of one


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


class Readability:
    """Which articles have an unlinked version in the question's language. Thread-safe."""

    def __init__(self, articles: list[dict], vectors: np.ndarray, has_vector: np.ndarray) -> None:
        self.version_in = unlinked_versions(articles, vectors, has_vector)

    def unreadable(self, mask: np.ndarray, qlang: str | None) -> np.ndarray | None:
        """The articles under ``mask`` whose unlinked version in ``qlang`` (always another
        article's language) is under it too; None when there is none."""
        version = self.version_in.get(qlang) if qlang is not None else None
        if version is None:
            return None
        has = version >= 0
        out = mask & has
        out[has] &= mask[version[has]]
        return out if out.any() else None

    def lagged(self, scores: np.ndarray, mask: np.ndarray, qlang: str | None) -> np.ndarray:
        """``scores`` with the articles that have a readable version ``LAG`` lower."""
        behind = self.unreadable(mask, qlang)
        return scores if behind is None else scores - LAG * behind
