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

English questions, where the English model counts for an article
(``mono_applies``), weigh the same evidence differently: the multilingual
model is then not the only dense evidence. Every column therefore gets a
correction for them (``MONO_CORRECTIONS``, the ``FEATURES`` named ``<column>+mono``;
the English model's own columns are refined by theirs),
fitted on top of the shared ``WEIGHTS``, which German questions use unchanged.

The score is the dot product of the features with ``WEIGHT_VECTOR``; articles are
ranked by it. The weights are fitted by ``python bench/fit_ranker.py --write`` as a conditional
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
CORRECTED = tuple(name for name in COLUMNS if name != "mono_applies")
FEATURES = (*COLUMNS, *(f"{name}+mono" for name in CORRECTED))
_APPLIES = COLUMNS.index("mono_applies")
_CORRECTED = [COLUMNS.index(name) for name in CORRECTED]

# -- fitted by bench/fit_ranker.py; do not edit by hand.
MODELS = 'use-multilingual-v3,all-mpnet-base-v2:int8-block128@en'
WEIGHTS = {
    'multi_z_article': 0.608382,
    'multi_z_section': -0.084022,
    'multi_z_sentence': 0.586361,
    'multi_z_head': -0.014434,
    'multi_gap_article': 1.448000,
    'multi_gap_section': 7.441985,
    'multi_gap_sentence': -2.658267,
    'multi_gap_head': 1.344125,
    'mono_z_article': -0.376331,
    'mono_z_section': -0.065363,
    'mono_z_sentence': 0.157393,
    'mono_z_head': 0.964483,
    'mono_gap_article': 8.995854,
    'mono_gap_section': 7.018003,
    'mono_gap_sentence': 9.396623,
    'mono_gap_head': -9.461453,
    'mono_applies': 1.305365,
    'kw_z_same': 0.694620,
    'kw_z_unknown': 0.000000,
    'kw_z_other': 0.469458,
    'kw_rel': -0.297695,
    'same_lang': 0.528430,
}
MONO_CORRECTIONS = {
    'multi_z_article': -0.404189,
    'multi_z_section': 0.173450,
    'multi_z_sentence': -0.752812,
    'multi_z_head': 0.078522,
    'multi_gap_article': -0.862111,
    'multi_gap_section': -3.888325,
    'multi_gap_sentence': 3.914957,
    'multi_gap_head': -0.506864,
    'mono_z_article': -0.203023,
    'mono_z_section': 0.204441,
    'mono_z_sentence': -0.045985,
    'mono_z_head': 0.207844,
    'mono_gap_article': 2.955716,
    'mono_gap_section': -1.118713,
    'mono_gap_sentence': 1.200599,
    'mono_gap_head': -1.020367,
    'kw_z_same': -0.523826,
    'kw_z_unknown': 0.000000,
    'kw_z_other': 0.000000,
    'kw_rel': 1.804878,
    'same_lang': 1.288654,
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


def features(X: np.ndarray) -> np.ndarray:
    """``matrix`` rows as ``FEATURES``: the columns, then each corrected column again where
    the English model counts for the article (zero elsewhere)."""
    return np.hstack([X, X[:, _CORRECTED] * X[:, [_APPLIES]]])


WEIGHT_VECTOR = np.array([WEIGHTS[name] for name in COLUMNS] + [MONO_CORRECTIONS[name] for name in CORRECTED])


def scores(columns: dict[str, np.ndarray]) -> np.ndarray:
    """Every article's ranking score."""
    return features(matrix(columns)) @ WEIGHT_VECTOR
