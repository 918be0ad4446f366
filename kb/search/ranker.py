"""Which article answers a question best: a linear model over per-article evidence.

Each candidate article gets one row of columns (``COLUMNS``), all computed
from what the search has anyway:

* dense, per encoder role (``multi``: the multilingual encoder, ``mono``: an
  encoder limited to some languages, e.g. an English model) and view (whole
  article, best section, best sentence, best head passage = title or
  front-matter question): the z-score over the candidates and the gap of the
  absolute cosine to the best candidate (:meth:`kb.search.dense.DenseEvidence.evidence`);
* ``mono_applies``: whether a monolingual encoder counts for the article;
* keywords: the BM25F maximum's z-score, split by whether the question and the
  article share a language, the language is unknown, or they differ; and the
  article's BM25F relative to the best article's;
* ``same_lang``: the article is in the question's language.

The score is the dot product with ``WEIGHTS``; articles are ranked by it. The
weights are fitted by ``python bench/fit_ranker.py --write`` as a conditional
logit (softmax over the candidates of each question), validated by leaving one
help centre (one business) out at a time, so what is reported is how the
ranking transfers to a business it never saw; never fitted on a test split.
The cosine scales belong to the configured models: refit for other ``KB_MODELS``.
"""

from __future__ import annotations

import numpy as np

from kb.search.dense import DENSE_COLUMNS
from kb.search.fusion import z_scores

KEYWORD_COLUMNS = ("kw_z_same", "kw_z_unknown", "kw_z_other", "kw_rel")
COLUMNS = (*DENSE_COLUMNS, "mono_applies", *KEYWORD_COLUMNS, "same_lang")

# -- fitted by bench/fit_ranker.py; do not edit by hand.
MODELS = 'use-multilingual-v3,all-mpnet-base-v2@en'
WEIGHTS = {
    'multi_z_article': 0.498443,
    'multi_z_section': 0.066490,
    'multi_z_sentence': 0.333289,
    'multi_z_head': -0.076403,
    'multi_gap_article': 1.442484,
    'multi_gap_section': 5.798066,
    'multi_gap_sentence': 0.856252,
    'multi_gap_head': 0.515358,
    'mono_z_article': 0.146231,
    'mono_z_section': 0.490397,
    'mono_z_sentence': 0.541401,
    'mono_z_head': 0.051562,
    'mono_gap_article': 3.349593,
    'mono_gap_section': 4.766461,
    'mono_gap_sentence': 4.819776,
    'mono_gap_head': -1.290611,
    'mono_applies': -0.319294,
    'kw_z_same': 0.557755,
    'kw_z_unknown': 0.001415,
    'kw_z_other': 0.507529,
    'kw_rel': -0.247197,
    'same_lang': 1.197024,
}
# -- end of fitted values


def keyword_columns(article_bm25: np.ndarray, mask: np.ndarray, article_lang: np.ndarray,
                    qlang: str | None) -> dict[str, np.ndarray]:
    """The keyword and language columns of every article."""
    z = z_scores(article_bm25, mask)
    top = float(article_bm25[mask].max()) if mask.any() else 0.0
    same = (article_lang == qlang) if qlang else np.zeros(len(article_bm25), dtype=bool)
    unknown = qlang is None
    return {
        "kw_z_same": np.where(same, z, 0.0),
        "kw_z_unknown": z if unknown else np.zeros_like(z),
        "kw_z_other": np.where(~same, z, 0.0) if not unknown else np.zeros_like(z),
        "kw_rel": article_bm25 / top if top > 0 else np.zeros_like(z),
        "same_lang": same.astype(np.float64),
    }


def matrix(columns: dict[str, np.ndarray]) -> np.ndarray:
    """The columns as an (articles × ``COLUMNS``) matrix, in ``COLUMNS`` order."""
    return np.stack([np.asarray(columns[name], dtype=np.float64) for name in COLUMNS], axis=1)


WEIGHT_VECTOR = np.array([WEIGHTS[name] for name in COLUMNS])


def scores(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Every article's ranking score."""
    return matrix(columns) @ WEIGHT_VECTOR
