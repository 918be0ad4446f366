"""Fit the ranker (kb/search/ranker.py) across help centres, validated one business out.

Training questions, never a test split (bench/eval/*/test.jsonl is what gets reported):

* every evaluation help centre in bench/eval/ (``train.jsonl``, German and
  English), as written; a "learned" variant: the first half of each
  article's train questions written into its front matter ``questions`` (what
  ``kb questions accept`` does after customers' helpful searches), the second
  half asked; and a cross-language variant: every third train question asked
  against the articles of the other language only;
* the shop (``articles/``, with and without its front matter questions) and
  velomo (``bench/calibration/velomo``) with the customer questions of
  ``bench/calibration/answered.jsonl``;
* bench/helpcentre with Bitext customer utterances (../shared/data/bitext):
  a seeded sample per intent that leaves out every utterance of
  bench/retrieval.py's reported Bitext sample.

Questions are encoded with the query adapters fitted without their business
(bench/fit_adapter.py, ``cross_fitted``). For each question the search's own columns (``SearchEngine.evidence``) of every
candidate article are stored; the model is a conditional logit (softmax over
each question's candidates, all versions of the right article counting as
right), L2-regularised, each business weighing the same. Then, with those
weights fixed, the corrections for English questions (``ranker.MONO_CORRECTIONS``:
each column again where the English model counts for the article), so German
questions rank exactly as by the shared weights. Validation leaves one business
(all its variants) out, fits both on the rest and measures top-1/top-3 on the
business left out; each regularisation is the one with the best mean left-out
top-1. The printed table compares that with the weights in use.

Usage: python bench/fit_ranker.py [--models SPEC] [--reuse | --recollect NAME,...] [--write]
  --reuse       read the stored columns (bench/out/ranker-columns-*.npz) instead of searching
  --recollect   search only these help centres again, reuse the stored columns of the rest
  --write   rewrite the fitted block of kb/search/ranker.py
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from centres import bitext_centre, calibration_centres, cross_fitted, eval_centres  # noqa: E402

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.index.build import build_index  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search import ranker  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402

OUT = ROOT / "bench" / "out"
RANKER_FILE = ROOT / "kb" / "search" / "ranker.py"
L2_GRID = (0.0001, 0.001, 0.01, 0.1)
L2_CORRECTION_GRID = (0.0001, 0.001, 0.01)
TOP_K = (1, 3)


# ---- the columns of every candidate ---------------------------------------------------------
def collect(models: str, only: set[str] | None = None) -> list[dict]:
    """The columns of every candidate of every training question (``only``: these centres)."""
    encoders = load_encoders(models)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        centres = [*eval_centres(tmp), *calibration_centres(tmp), *bitext_centre()]
        for business, name, folder, cases in centres:
            if only is not None and name not in only:
                continue
            location = tmp / f"index-{name}"
            build_index(folder, location, lambda: encoders, models, force=True)
            engine = SearchEngine(LoadedIndex(location, models), encoders)
            cross_fitted(engine, business)
            group = np.array([a["translation"] or a["id"] for a in engine.index.articles])
            by_id = {a["id"]: i for i, a in enumerate(engine.index.articles)}
            engine.prime([case[0] for case in cases])
            for query, expected, lang, *articles_lang in cases:
                if expected not in by_id:
                    raise SystemExit(f"{name}: unknown article id {expected!r}")
                ev = engine.evidence(query, lang=lang, audience="internal",
                                     languages=tuple(articles_lang) or None)
                candidates = np.flatnonzero(ev.mask)
                out.append({"business": business, "centre": name,
                            "X": ranker.matrix(ev.columns)[candidates],
                            "group": group[candidates],
                            "gold": group[by_id[expected]]})
            print(f"{name}: {engine.index.n_articles} articles, {len(cases)} questions", flush=True)
            engine.index.close()
    return out


def save(data: list[dict], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {}
    for i, d in enumerate(data):
        arrays[f"X{i}"] = d["X"]
        arrays[f"g{i}"] = d["group"]
    meta = [{k: d[k] for k in ("business", "centre", "gold")} for d in data]
    np.savez_compressed(path, meta=json.dumps(meta), columns=json.dumps(ranker.COLUMNS), **arrays)


def load(path: Path) -> list[dict]:
    with np.load(path) as z:
        if json.loads(str(z["columns"])) != list(ranker.COLUMNS):
            raise SystemExit(f"{path} holds other columns: run without --reuse")
        meta = json.loads(str(z["meta"]))
        return [m | {"X": z[f"X{i}"], "group": z[f"g{i}"]} for i, m in enumerate(meta)]


# ---- the model ----------------------------------------------------------------------------
class Flat:
    """All questions' candidates in one matrix, for vectorised softmax per question."""

    def __init__(self, data: list[dict]) -> None:
        self.X = np.concatenate([d["X"] for d in data])
        self.starts = np.r_[0, np.cumsum([len(d["X"]) for d in data])[:-1]]
        self.question = np.repeat(np.arange(len(data)), [len(d["X"]) for d in data])
        self.gold = np.concatenate([d["group"] == d["gold"] for d in data])
        self.group = [d["group"] for d in data]
        self.gold_group = [d["gold"] for d in data]
        self.weights = question_weights(data)

    def loss(self, w: np.ndarray) -> tuple[float, np.ndarray]:
        """Weighted -log P(right article's versions), per question a softmax over its candidates."""
        s = self.X @ w
        s = s - np.maximum.reduceat(s, self.starts)[self.question]
        e = np.exp(s)
        z = np.add.reduceat(e, self.starts)
        zg = np.add.reduceat(np.where(self.gold, e, 0.0), self.starts)
        total = -(self.weights * (np.log(np.maximum(zg, 1e-300)) - np.log(z))).sum()
        # d/ds of -log(zg/z): p - q, with p = e/z and q = e/zg on the right versions
        p = e / z[self.question]
        q = np.where(self.gold, e / np.maximum(zg, 1e-300)[self.question], 0.0)
        grad = self.X.T @ (self.weights[self.question] * (p - q))
        return total, grad

    def ranks(self, w: np.ndarray) -> np.ndarray:
        """Rank of the right article among the candidates' distinct translation groups."""
        s = self.X @ w
        out = []
        for i, start in enumerate(self.starts):
            scores = s[start:start + len(self.group[i])]
            gold = self.group[i] == self.gold_group[i]
            right = scores[gold].max()
            out.append(len(set(self.group[i][(scores > right) & ~gold])) + 1)
        return np.array(out)


def fit(data: list[dict], l2: float) -> np.ndarray:
    """Conditional logit: maximise the softmax probability of the right article's versions."""
    flat = Flat(data)
    scale = flat.X.std(0) + 1e-6

    def loss(w_scaled):
        total, grad = flat.loss(w_scaled / scale)
        return total + l2 * len(data) * (w_scaled ** 2).sum(), grad / scale + 2 * l2 * len(data) * w_scaled

    start = np.array([ranker.WEIGHTS[name] for name in ranker.COLUMNS]) * scale
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    return result.x / scale


def fit_correction(data: list[dict], w: np.ndarray, l2: float) -> np.ndarray:
    """The corrections for English questions (``ranker.FEATURES`` after ``COLUMNS``) with the
    columns' weights ``w`` fixed: German questions, where no correction applies, keep
    ``w``'s ranking exactly."""
    flat = Flat(featured(data))
    n = len(ranker.COLUMNS)
    scale = flat.X[:, n:].std(0) + 1e-6

    def loss(d_scaled):
        total, grad = flat.loss(np.r_[w, d_scaled / scale])
        return (total + l2 * len(data) * (d_scaled ** 2).sum(),
                grad[n:] / scale + 2 * l2 * len(data) * d_scaled)

    start = np.array([ranker.MONO_CORRECTIONS[name] for name in ranker.CORRECTED]) * scale
    result = minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 1000})
    return result.x / scale


def featured(data: list[dict]) -> list[dict]:
    """The questions with their candidates' ``ranker.FEATURES`` instead of ``COLUMNS``."""
    return [d | {"X": ranker.features(d["X"])} for d in data]


def question_weights(data: list[dict]) -> np.ndarray:
    """Each business weighs the same; within it, every question the same (mean 1)."""
    counts = defaultdict(int)
    for d in data:
        counts[d["business"]] += 1
    return np.array([1.0 / counts[d["business"]] for d in data]) * len(data) / len(counts)


def report(data: list[dict], w: np.ndarray) -> dict[str, tuple[float, float]]:
    """Top-1/top-3 per business; ``w``: weights of ``ranker.FEATURES`` (of ``COLUMNS`` only:
    no corrections)."""
    out = {}
    w = np.r_[w, np.zeros(len(ranker.FEATURES) - len(w))]
    r = Flat(featured(data)).ranks(w)
    for business in sorted({d["business"] for d in data}):
        sel = np.array([d["business"] == business for d in data])
        out[business] = tuple(float((r[sel] <= k).mean()) for k in TOP_K)
    return out


def leave_one_out(data: list[dict], l2: float, l2_correction: float | None = None
                  ) -> dict[str, tuple[float, float]]:
    out = {}
    for business in sorted({d["business"] for d in data}):
        train = [d for d in data if d["business"] != business]
        held = [d for d in data if d["business"] == business]
        w = fit(train, l2)
        if l2_correction is not None:
            w = np.r_[w, fit_correction(train, w, l2_correction)]
        out[business] = report(held, w)[business]
    return out


def write(w: np.ndarray, models: str) -> None:
    """Rewrite the fitted block of kb/search/ranker.py; ``w``: weights of ``ranker.FEATURES``."""
    text = RANKER_FILE.read_text(encoding="utf-8")
    n = len(ranker.COLUMNS)
    shared = ",\n".join(f"    {name!r}: {value:.6f}" for name, value in zip(ranker.COLUMNS, w[:n]))
    corrections = ",\n".join(f"    {name!r}: {value:.6f}" for name, value in zip(ranker.CORRECTED, w[n:]))
    block = (f"# -- fitted by bench/fit_ranker.py; do not edit by hand.\n"
             f"MODELS = {models!r}\nWEIGHTS = {{\n{shared},\n}}\n"
             f"MONO_CORRECTIONS = {{\n{corrections},\n}}\n# -- end of fitted values")
    new = re.sub(r"# -- fitted by bench/fit_ranker.py.*?# -- end of fitted values", lambda _: block,
                 text, flags=re.S)
    RANKER_FILE.write_text(new, encoding="utf-8")
    print(f"wrote {RANKER_FILE}")


def table(rows: dict[str, dict[str, tuple[float, float]]]) -> None:
    businesses = sorted(next(iter(rows.values())))
    print("| weights | " + " | ".join(businesses) + " | mean top-1 |")
    print("|---|" + "---|" * (len(businesses) + 1))
    for label, per in rows.items():
        cells = [f"{per[b][0]:.3f} / {per[b][1]:.3f}" for b in businesses]
        mean = np.mean([per[b][0] for b in businesses])
        print(f"| {label} | " + " | ".join(cells) + f" | {mean:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--reuse", action="store_true")
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--recollect", help="comma-separated centres to search again; the rest is reused")
    args = ap.parse_args()
    tag = hashlib.sha1(args.models.encode()).hexdigest()[:8]
    path = OUT / f"ranker-columns-{tag}.npz"
    if args.recollect:
        only = set(args.recollect.split(","))
        data = [d for d in load(path) if d["centre"] not in only] + collect(args.models, only)
    else:
        data = load(path) if args.reuse else collect(args.models)
    if not args.reuse:
        save(data, path)
    rows = {"in use (" + ranker.MODELS + ")": report(data, ranker.WEIGHT_VECTOR)}
    l2 = best_l2(data, rows, L2_GRID, lambda value: f"fitted, one business left out, l2={value}",
                 lambda value: leave_one_out(data, value))
    l2c = best_l2(data, rows, L2_CORRECTION_GRID,
                  lambda value: f"with corrections for English, l2={l2}, corrections l2={value}",
                  lambda value: leave_one_out(data, l2, value))
    table(rows)
    w = fit(data, l2)
    w = np.r_[w, fit_correction(data, w, l2c)]
    print(f"\nchosen l2={l2}, corrections l2={l2c}; fitted on all:")
    for name, value in zip(ranker.FEATURES, w):
        print(f"  {name:24s} {value:+.4f}")
    if args.write:
        write(w, args.models)


def best_l2(data: list[dict], rows: dict, grid: tuple[float, ...], label, held_out) -> float:
    """The value of ``grid`` with the best mean left-out top-1 (each one's row added to ``rows``)."""
    best = None
    for value in grid:
        held = held_out(value)
        rows[label(value)] = held
        mean = np.mean([v[0] for v in held.values()])
        if best is None or mean > best[0]:
            best = (mean, value)
    return best[1]


if __name__ == "__main__":
    main()
