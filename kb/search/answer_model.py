"""Does an article answer this question well? P(answered) from absolute evidence.

`SearchResult.answered` is true when this probability reaches ``THRESHOLD``;
when false the portal offers a human instead of guessing. A logistic model: a
dot product of the features below with fitted coefficients. Inputs (all
computed during the search anyway, no extra model call):

* ``best_cos``, ``cos_section``, ``cos_article``: the highest cosine of the
  multilingual encoder (USE) between the question and any sentence/title/question
  passage, section, and whole-article view of the candidate articles. Where the
  help centre has its own query adapter (kb/index/centre_adapter.py), with the
  question's vector before it: that adapter pulls every question towards this
  help centre's articles, off-topic ones too (``DenseEvidence.answer_cosines``).
* ``mini_section``, ``mini_article``: the same for the monolingual encoder
  (the English model) where question and articles are in its language, with
  ``has_mini`` saying whether it applied (German questions: 0). Its
  sentence-level maximum adds little beside USE's, so it is left out.
* ``solo_best_cos``, ``solo_cos_section``, ``solo_cos_article``: USE's three
  cosines again where the monolingual encoder did not apply (else 0): then they
  are all the dense evidence there is, and weigh more than beside it.
* ``coverage``: the share of the question's content words (stemmed, stop words
  removed, spelling corrections applied) that the help centre's articles use at
  all. Customers ask in the shop's words; trivia is made of names, years and
  words a help centre never uses.
* ``margin``: how far the first article's ranker score (a log-odds, see
  :mod:`kb.search.ranker`) is above the best article of another translation
  group, capped. Two articles that fit equally well mean the first may be the
  wrong one: a customer reads the first card, and a confident wrong first
  answer is worse than "no article fits".
* ``agreement``: the share of the single pieces of evidence (each encoder's
  article, section and sentence view, the keywords) that put the first article
  first on their own. A first article that only the combination puts first is a
  compromise between evidence pointing elsewhere, and more often wrong.
* ``first_words``: the share of the question's words (as the keyword index
  analyses them) that the first article's own text uses (title, headings, body;
  not its front-matter questions); where the question is in another language
  than the article, ``coverage`` stands in. A question shaped like one of the
  article's learned questions but about something else shares the form, not
  the words.
* ``log_first_questions``: how many front-matter questions (an editor's and
  learned customer phrasings) the first article has, log(1 + n). The best of
  many phrasings is more often a match by form alone ("how do I apply for a
  mortgage" beside a learned "how do I apply for financing"): as with
  ``log_n_sentences``, more candidates need more evidence.
* ``log_n_sentences``: how many sentence passages were searched. The best cosine
  of an unrelated question grows with the number of passages it is compared
  with, so a bigger help centre needs a higher cosine for the same confidence.
  Clipped to the range the model was fitted on.

Fitted offline by ``bench/calibrate_answered.py`` on the sets its docstring
lists (the handwritten calibration set in ``bench/calibration/`` and the
evaluation help centres' train splits), never on a test split or the benchmark
data; see bench/RESULTS.md for the held-out figures. The cosine
scale is the default encoders' (``kb.encoders.DEFAULT_MODELS``), and ``margin`` is in the
units of the ranker fitted for them (kb/search/ranker.py, refit that first);
refit with ``python bench/calibrate_answered.py --models SPEC --write`` for others.
"""

from __future__ import annotations

import math

FEATURES = ("best_cos", "cos_section", "cos_article", "has_mini", "mini_section", "mini_article", "coverage",
            "margin", "agreement", "first_words", "log_first_questions", "log_n_sentences", "solo_best_cos", "solo_cos_section",
            "solo_cos_article")
MARGIN_CAP = 8.0  # ranker log-odds: beyond this the first article is as sure as it gets
# the help-centre sizes the model was fitted on, in sentence passages: beyond them it extrapolates
LOG_SENTENCES_RANGE = (math.log(75), math.log(2000))

# -- fitted by bench/calibrate_answered.py: 3302 searches of customer questions with the
# right top-1 and 11414 of off-topic questions or wrong first articles, in 21 help
# centres; do not edit by hand.
COEFFICIENTS = {
    'best_cos': 3.079286,
    'cos_section': 1.558135,
    'cos_article': -5.376035,
    'has_mini': -0.805515,
    'mini_section': 4.530341,
    'mini_article': 3.621814,
    'coverage': 1.398310,
    'margin': 0.328675,
    'agreement': 1.312924,
    'first_words': 0.744982,
    'log_first_questions': -0.444745,
    'log_n_sentences': -0.322843,
    'solo_best_cos': 0.058530,
    'solo_cos_section': 1.179632,
    'solo_cos_article': 6.853982,
}
INTERCEPT = -3.293660
THRESHOLD = 0.560
# -- end of fitted values


# An answered question whose first article leads the best article of another translation
# group by less than this (ranker log-odds) is answered with a hedge: the customer is asked
# which of the best articles fits rather than shown one answer. Among answered questions
# a small margin is where wrong first articles gather; chosen on development questions only
# by ``python bench/hedge_margin.py`` (a hedged right answer costs the customer a look at
# the list, an unhedged wrong one a wrong answer), figures in bench/RESULTS.md.
HEDGE_MARGIN = 1.5


def hedged(features: dict, answered: bool, margin: float | None = None) -> bool:
    """Answered, but the first article leads the best article of another translation group
    (``contested``: there is one the search may show) by less than ``margin`` (default
    ``HEDGE_MARGIN``): show the best ones as a choice. A known phrasing of the first
    article (its title or one of its front-matter questions, nearly word for word, or a tag) is never
    hedged: the customer asked exactly that."""
    limit = HEDGE_MARGIN if margin is None else margin
    return (answered and features["contested"] and not features["known_phrasing"]
            and features["margin"] < limit)


def feature_vector(f: dict) -> list[float]:
    """The model's inputs, in ``FEATURES`` order, from ``SearchResult.features``."""
    has_mini = f.get("mini_section") is not None
    lo, hi = LOG_SENTENCES_RANGE
    return [
        f["best_cos"], f["cos_section"], f["cos_article"],
        1.0 if has_mini else 0.0,
        f["mini_section"] if has_mini else 0.0,
        f["mini_article"] if has_mini else 0.0,
        f["coverage"],
        min(f["margin"], MARGIN_CAP),
        f["agreement"], f["first_words"], math.log1p(f["first_questions"]),
        min(max(math.log(max(f["n_sentences"], 1)), lo), hi),
        0.0 if has_mini else f["best_cos"], 0.0 if has_mini else f["cos_section"],
        0.0 if has_mini else f["cos_article"],
    ]


def answer_probability(features: dict) -> float:
    z = INTERCEPT + sum(COEFFICIENTS[name] * x for name, x in zip(FEATURES, feature_vector(features)))
    return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))
