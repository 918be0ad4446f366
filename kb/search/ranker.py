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
MODELS = 'use-multilingual-v3,all-mpnet-base-v2:int8-block128@en'
WEIGHTS = {
    'multi_z_article': 0.520132,
    'multi_z_section': 0.115130,
    'multi_z_sentence': 0.447253,
    'multi_z_head': 0.076681,
    'multi_gap_article': 2.214870,
    'multi_gap_section': 4.625731,
    'multi_gap_sentence': -0.653963,
    'multi_gap_head': 0.283116,
    'mono_z_article': 0.026860,
    'mono_z_section': 0.258403,
    'mono_z_sentence': 0.657379,
    'mono_z_head': 0.328794,
    'mono_gap_article': 3.525108,
    'mono_gap_section': 3.929850,
    'mono_gap_sentence': 3.972819,
    'mono_gap_head': -3.600745,
    'mono_applies': -0.045412,
    'kw_z_same': 0.663442,
    'kw_z_unknown': 0.000000,
    'kw_z_other': 0.429726,
    'kw_rel': -0.145670,
    'same_lang': 0.437833,
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
