"""The help centre's own query adapter: its customers' words, learned from its questions.

Every front-matter question, an editor's or a customer's phrasing an editor
accepted (``kb questions accept``), says "a question worded like this is answered
by this article". At build time each encoder gets a linear map fitted on those
pairs, applied to question vectors after the model's adapter
(kb/encoders/query_adapter.py): ``q' = normalise(q + q @ A)``. The fit moves each
question towards its article's article and section passages and away from the
other articles of its language, with the loss, temperature and strength of the
model's adapter (bench/fit_adapter.py); a new customer question worded like the
accepted ones then lands nearer their article. Sentence passages are no targets:
they hold the questions themselves, which a question would simply find.

No adapter below ``MIN_QUESTIONS`` questions; above ``MAX_QUESTIONS`` a fixed
sample is used, which bounds the build time (each epoch multiplies the questions
by all article and section passages).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

MIN_QUESTIONS = 20
MAX_QUESTIONS = 1000
TAU = 0.05  # softmax temperature over cosines, as bench/fit_adapter.py
L2 = 0.01  # chosen on one evaluation business's learned questions (bench/RESULTS.md)
EPOCHS = 60
LEARNING_RATE = 1e-3
BETAS = (0.9, 0.999)
FIT_VERSION = 1  # part of the reuse key: bump when the fit changes
SAMPLE_SEED = 5


@dataclass
class Pairs:
    """Questions (vectors as searched: after the model's adapter) and their articles,
    and the passages they are fitted towards with theirs; articles are numbered."""

    questions: np.ndarray  # (n, d) unit rows
    question_article: np.ndarray  # (n,)
    passages: np.ndarray  # (p, d) unit rows: article and section views
    passage_article: np.ndarray  # (p,)
    article_lang: np.ndarray  # (articles,) language of each article


def input_key(encoder: str, model_adapter: str, question_texts: np.ndarray, passage_texts: np.ndarray,
              pairs: Pairs) -> str:
    """Identifies a fit's input by its texts' hashes (a reused vector comes back from the
    served index as float16, so not by the vectors): an unchanged key reuses the served
    build's adapter."""
    h = hashlib.sha256(f"{FIT_VERSION} {MIN_QUESTIONS} {MAX_QUESTIONS} {encoder} {model_adapter}".encode())
    for array in (question_texts, pairs.question_article, passage_texts, pairs.passage_article):
        h.update(np.ascontiguousarray(array).tobytes())
    h.update("\x00".join(pairs.article_lang.tolist()).encode())
    return h.hexdigest()[:32]


def _sample(pairs: Pairs) -> tuple[np.ndarray, np.ndarray]:
    n = len(pairs.questions)
    if n <= MAX_QUESTIONS:
        return pairs.questions, pairs.question_article
    keep = np.sort(np.random.default_rng(SAMPLE_SEED).choice(n, MAX_QUESTIONS, replace=False))
    return pairs.questions[keep], pairs.question_article[keep]


class _Targets:
    """The passages grouped by article, for per-article maxima with one ``reduceat``."""

    def __init__(self, pairs: Pairs, question_article: np.ndarray) -> None:
        order = np.argsort(pairs.passage_article, kind="stable")
        self.P = pairs.passages[order].astype(np.float32)
        arts = pairs.passage_article[order]
        self.starts = np.flatnonzero(np.r_[True, arts[1:] != arts[:-1]])
        present = arts[self.starts]  # the articles with passages, in column order
        self.column = np.repeat(np.arange(len(present)), np.diff(np.r_[self.starts, len(arts)]))
        where = {int(a): k for k, a in enumerate(present)}
        self.right = np.array([where.get(int(a), -1) for a in question_article])
        lang = pairs.article_lang[present]
        self.allowed = lang[None, :] == pairs.article_lang[question_article][:, None]


def fit(pairs: Pairs) -> np.ndarray | None:
    """``A`` (d x d, float32), or None with too few questions that have a target."""
    questions, question_article = _sample(pairs)
    t = _Targets(pairs, question_article)
    usable = t.right >= 0
    if usable.sum() < MIN_QUESTIONS:
        return None
    Q, right, allowed = questions[usable].astype(np.float32), t.right[usable], t.allowed[usable]
    n, d = Q.shape
    rows = np.arange(n)
    A = np.zeros((d, d), np.float32)
    m, v = np.zeros_like(A), np.zeros_like(A)
    (b1, b2), eps = BETAS, 1e-8
    for step in range(1, EPOCHS + 1):
        X = Q + Q @ A
        norm = np.linalg.norm(X, axis=1, keepdims=True)
        U = X / norm
        S = U @ t.P.T
        best = np.maximum.reduceat(S, t.starts, axis=1)
        z = np.where(allowed, best / TAU, -np.inf)
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        p[rows, right] -= 1  # d(cross-entropy)/d(logit)
        # through the maximum: to the best passage of each article (ties share)
        chosen = S == best[:, t.column]
        G = ((p / (n * TAU))[:, t.column] * chosen) @ t.P
        dX = (G - U * (G * U).sum(axis=1, keepdims=True)) / norm
        grad = Q.T @ dX + 2 * L2 * A
        m = b1 * m + (1 - b1) * grad
        v = b2 * v + (1 - b2) * grad * grad
        A -= LEARNING_RATE * (m / (1 - b1 ** step)) / (np.sqrt(v / (1 - b2 ** step)) + eps)
    return A

