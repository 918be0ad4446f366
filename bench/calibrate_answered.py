"""Fit the `answered` model (kb/search/answer_model.py) on the calibration set.

The calibration set is handwritten and separate from the benchmark data
(XQuAD, Bitext), which stays held out for bench/retrieval.py:

* ``bench/calibration/answered.jsonl``: customer questions with the article that
  answers them (``collection`` says which help centre: ``shop`` = articles/,
  ``velomo`` = bench/calibration/velomo/, a small bike-subscription help centre
  of another business), and off-topic questions (trivia, chit-chat, other
  businesses' topics, nonsense, and ``nearby``: customer-like questions no help
  centre answers, the hard case after learning; ``expected`` null) that every
  help centre should decline. German and English.
* Nine help centres built from those two: the shop with its front matter
  ``questions``, without them (many help centres have none, and questions make
  cosines higher), English only, German only, and random subsets of 12, 6 and
  4 topics; velomo in German + English and English only. Sizes from 7 to 68
  articles: the best cosine of an unrelated question grows with the number of
  passages, which the model has to learn (``log_n_sentences``).

* ``bench/calibration/nearby.jsonl``: off-topic questions near one business each
  (``business``: an evaluation set or the shop), asked of that business's help
  centres only: what its customers ask that none of its articles answers.
* The evaluation help centres' train splits (bench/eval/*/train.jsonl, never
  test.jsonl), as written and with half of each article's questions learned
  into its front matter (bench/centres.py), and with all of them learned (asked
  the off-topic questions only): learned phrasings raise the best cosines and
  the ranker's margin of unrelated questions too, which the model has to know.

Positives are the customer questions whose top-1 result is right (the quantity
the targets are about; a question whose article is not in a subset is left
out); negatives are the off-topic questions, run against every help centre,
and customer questions whose first article is wrong. Each (help centre, kind)
pair weighs ``KIND_WEIGHT``. A logistic regression on a few absolute features
(kb/search/answer_model.py) gives P(answered); the threshold is the lowest that
declines ``OFFTOPIC_TARGET`` of the off-topic questions, ``nearby`` ones included,
in every business, judged by a model fitted without that business. The first lines
printed show the transfer to another business: fitted without it, applied to it.

Questions are encoded with the query adapters fitted without their business
(bench/fit_adapter.py, ``cross_fitted``), as a help centre's new questions are.

Usage: python bench/calibrate_answered.py [--reuse] [--write]
  --write   rewrite kb/search/answer_model.py with the fitted coefficients
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from centres import (CAL, EVAL, copy_centre, cross_fitted, eval_centres, learned_copy,  # noqa: E402
                     translation_key)

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.index.build import build_index  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.search.evaluate import read_cases  # noqa: E402

OUT = ROOT / "bench" / "out" / "calibration-features.json"
# how much each kind of search weighs per help centre: a wrong first article answered is
# as bad as an off-topic question answered, but rarer and harder to tell from a right one
KIND_WEIGHT = {"right": 1.0, "offtopic": 1.0, "wrong": 0.5}
OFFTOPIC_TARGET = 0.95  # share of off-topic questions declined (issue 18)
NEARBY = "nearby"  # customer-like questions no help centre answers (printed apart)
NEARBY_FILE = "nearby.jsonl"  # customer-like off-topic questions of one business each


def centres(tmp: Path) -> dict[str, tuple[str, Path]]:
    """Help centres of different sizes, languages and with/without front matter questions.

    The size matters: the best cosine over N passages grows with N for an
    unrelated question, so a model fitted on one size would drift on another.
    """
    shop, velomo = ROOT / "articles", CAL / "velomo"
    rng = np.random.default_rng(7)
    topics = sorted({translation_key(p.read_text(encoding="utf-8")) for p in shop.rglob("*.md")})
    out = {"shop": ("shop", shop), "velomo": ("velomo", velomo)}
    variants = {
        "shop-noq": (None, False),
        "shop-noq-en": (lambda rel, text: rel.parts[0] == "en", False),
        "shop-noq-de": (lambda rel, text: rel.parts[0] == "de", False),
    }
    for n, questions in ((12, False), (6, True), (4, False)):
        chosen = set(rng.choice(topics, size=n, replace=False))
        variants[f"shop-{n}topics" + ("" if questions else "-noq")] = (
            lambda rel, text, chosen=chosen: translation_key(text) in chosen, questions)
    for name, (keep, questions) in variants.items():
        copy_centre(shop, tmp / name, keep, questions)
        out[name] = ("shop", tmp / name)
    copy_centre(velomo, tmp / "velomo-en", lambda rel, text: rel.parts[0] == "en")
    out["velomo-en"] = ("velomo", tmp / "velomo-en")
    return out


CROSSLINGUAL = "-crosslingual"
LEARNED = "-learned"


def all_centres(tmp: Path, rows: list[dict]):
    """(name, folder, source folder, customer questions as calibration rows) of the
    calibration variants and of the evaluation sets' train splits, as written and learned."""
    for name, (collection, folder) in centres(tmp).items():
        source = ROOT / "articles" if collection == "shop" else CAL / "velomo"
        yield name, folder, source, [r for r in rows if r.get("collection") == collection and r["expected"]]
    for _business, name, folder, cases in eval_centres(tmp):
        if name.endswith(CROSSLINGUAL):  # its questions search one language only; `answered` sees all
            continue
        yield name, folder, folder, [{"query": q, "expected": e, "lang": lang, "kind": "customer"}
                                     for q, e, lang in cases]
        if name.endswith(LEARNED):
            yield f"{name}-all", *all_learned(tmp, name[:-len(LEARNED)])


def all_learned(tmp: Path, set_name: str) -> tuple[Path, Path, list]:
    """The help centre with every train question learned, as after a learning run
    (about ten phrasings per article): asked only the off-topic questions, since no
    customer question of it is left unlearned."""
    cases = [(c.query, c.expected) for c in read_cases(EVAL / set_name / "train.jsonl") if c.expected]
    folder = learned_copy(EVAL / set_name / "articles", tmp / f"{set_name}-learned-all", cases)
    return folder, folder, []


def read_rows(name: str) -> list[dict]:
    return [json.loads(line) for line in (CAL / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def offtopic_for(rows: list[dict], centre: str) -> list[dict]:
    """The off-topic questions a help centre is asked: those every help centre should
    decline, and those near its own business (``business`` in bench/calibration/nearby.jsonl:
    another business may answer them, a phone contract for the mobile provider)."""
    return [r for r in rows if r["expected"] is None and r.get("business") in (None, business(centre))]


def collect(models: str) -> list[dict]:
    rows = read_rows("answered.jsonl") + read_rows(NEARBY_FILE)
    encoders = load_encoders(models)
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for name, folder, source, customer in all_centres(tmp, rows):
            location = tmp / f"index-{name}"
            build_index(folder, location, lambda: encoders, models, force=True)
            engine = SearchEngine(LoadedIndex(location, models), encoders)
            cross_fitted(engine, business(name))
            group = {a["id"]: a["translation"] or a["id"] for a in engine.index.articles}
            # expected article id -> its group, from the full collection (a subset may lack it)
            wanted = {r["expected"]: translation_key((source / (r["expected"] + ".md")).read_text(
                encoding="utf-8")) or r["expected"] for r in customer}
            present = set(group.values())
            cases = [r for r in customer if wanted[r["expected"]] in present] + offtopic_for(rows, name)
            engine.prime([r["query"] for r in cases])
            for r in cases:
                res = engine.search(r["query"], audience="internal")
                top1 = res.results[0].id if res.results else None
                right = r["expected"] is not None and top1 is not None and group.get(top1) == wanted[r["expected"]]
                out.append({"centre": name, "query": r["query"], "lang": r["lang"], "kind": r["kind"],
                            "positive": r["expected"] is not None, "right": right,
                            "qlang": res.lang, "features": res.features})
            print(f"{name}: {engine.index.n_articles} articles, {len(cases)} questions", flush=True)
            engine.index.close()
    return out


# ---- the model ----------------------------------------------------------------------------
def design(features: list[dict]) -> np.ndarray:
    """Feature rows exactly as kb.answer_model computes them at search time."""
    from kb.search.answer_model import feature_vector

    return np.array([feature_vector(f) for f in features])


def fit_logistic(X: np.ndarray, y: np.ndarray, w: np.ndarray, l2: float = 1.0) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression (Newton steps) on standardised features;
    returns coefficients and intercept in raw feature units."""
    mu, sd = X.mean(0), X.std(0) + 1e-9
    Z = np.column_stack([np.ones(len(X)), (X - mu) / sd])
    b = np.zeros(Z.shape[1])
    reg = np.eye(len(b)) * l2
    reg[0, 0] = 0.0
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-Z @ b))
        step = np.linalg.solve(Z.T @ (Z * (w * p * (1 - p))[:, None]) + reg, Z.T @ (w * (p - y)) + reg @ b)
        b -= step
        if np.abs(step).max() < 1e-10:
            break
    coef = b[1:] / sd
    return coef, float(b[0] - (coef * mu).sum())


def kind_of(d: dict) -> str:
    return "right" if d["right"] else "offtopic" if not d["positive"] else "wrong"


def training_rows(data: list[dict], centres: list[str], wrong: bool = True):
    """Positives: customer questions with the right top-1; negatives: off-topic questions and,
    with ``wrong``, customer questions whose first article is wrong (answering them shows
    the customer a wrong answer). Each (help centre, kind) pair weighs ``KIND_WEIGHT``."""
    rows = [d for d in data if d["centre"] in centres and (wrong or kind_of(d) != "wrong")]
    y = np.array([kind_of(d) == "right" for d in rows], dtype=float)
    w = np.ones(len(rows))
    kinds = np.array([kind_of(d) for d in rows])
    centre = np.array([d["centre"] for d in rows])
    for c in centres:
        for kind, weight in KIND_WEIGHT.items():
            sel = (centre == c) & (kinds == kind)
            w[sel] = weight / max(sel.sum(), 1)
    return rows, y, w * len(rows) / w.sum()


def probabilities(X: np.ndarray, coef: np.ndarray, intercept: float) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(X @ coef + intercept)))


def rates(p: np.ndarray, kinds: np.ndarray, t: float) -> dict[str, float]:
    """Per kind: the share answered (right) or not answered (off-topic, wrong first article)."""
    out = {}
    for kind in KIND_WEIGHT:
        sel = kinds == kind
        if sel.any():
            out[kind] = float((p[sel] >= t).mean() if kind == "right" else (p[sel] < t).mean())
    return out


def chosen_threshold(p: np.ndarray, kinds: np.ndarray, groups: np.ndarray) -> float:
    """The lowest threshold at which every business declines ``OFFTOPIC_TARGET`` of its
    off-topic questions (``p``: probabilities of searches the model was not fitted on;
    ``groups``: each search's business). A help centre the model never saw should meet
    the target, not only the pool, where businesses with many off-topic questions
    outweigh the others. Below the threshold the portal still lists the closest
    articles, hedged, and offers a person: declining costs a right answer little, a
    confident wrong one costs trust."""
    grid = np.round(np.arange(0.05, 0.951, 0.005), 3)

    def everywhere(t: float) -> bool:
        return all(rates(p[groups == g], kinds[groups == g], t).get("offtopic", 1.0) >= OFFTOPIC_TARGET
                   for g in set(groups))

    return float(next((t for t in grid if everywhere(t)), grid[-1]))


def fit(data: list[dict], centres: list[str]):
    """Coefficients fitted on ``centres``; the threshold from probabilities of each business's
    searches by a model fitted without that business (when there are several)."""
    rows, y, w = training_rows(data, centres)
    X = design([d["features"] for d in rows])
    coef, intercept = fit_logistic(X, y, w)
    held_out = probabilities(X, coef, intercept)
    groups = np.array([business(d["centre"]) for d in rows])
    if len(set(groups)) > 1:
        for name in set(groups):
            c, i = fit_logistic(X[groups != name], y[groups != name], w[groups != name])
            held_out[groups == name] = probabilities(X[groups == name], c, i)
    kinds = np.array([kind_of(d) for d in rows])
    return coef, intercept, chosen_threshold(held_out, kinds, groups)


def business(centre: str) -> str:
    return centre.split("-")[0]


def print_rates(label: str, data: list[dict], coef, intercept, t) -> None:
    p = probabilities(design([d["features"] for d in data]), coef, intercept)
    r = rates(p, np.array([kind_of(d) for d in data]), t)
    nearby = np.array([d["kind"] == NEARBY for d in data])
    declined = float((p[nearby] < t).mean()) if nearby.any() else float("nan")
    print(f"  {label:18s} answered | right {r.get('right', float('nan')):.3f}   "
          f"off-topic not answered {r.get('offtopic', float('nan')):.3f} (nearby {declined:.3f})   "
          f"wrong first not answered {r.get('wrong', float('nan')):.3f}")


def write_model(coef, intercept, threshold, n_pos, n_neg, centres) -> None:
    from kb.search import answer_model

    path = ROOT / "kb" / "search" / "answer_model.py"
    text = path.read_text(encoding="utf-8")
    start = text.index("# -- fitted by bench/calibrate_answered.py")
    end = text.index("# -- end of fitted values")
    values = "\n".join(f"    {name!r}: {c:.6f}," for name, c in zip(answer_model.FEATURES, coef))
    block = (f"# -- fitted by bench/calibrate_answered.py: {n_pos} searches of customer questions with the\n"
             f"# right top-1 and {n_neg} of off-topic questions or wrong first articles, in {len(centres)} help\n"
             f"# centres; do not edit by hand.\n"
             f"COEFFICIENTS = {{\n{values}\n}}\n"
             f"INTERCEPT = {intercept:.6f}\n"
             f"THRESHOLD = {threshold:.3f}\n")
    path.write_text(text[:start] + block + text[end:], encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--reuse", action="store_true", help="reuse bench/out/calibration-features.json")
    ap.add_argument("--write", action="store_true", help="rewrite the fitted values in kb/search/answer_model.py")
    ap.add_argument("--models", default=DEFAULT_MODELS)
    args = ap.parse_args()
    if args.reuse and OUT.exists():
        data = json.loads(OUT.read_text(encoding="utf-8"))
    else:
        data = collect(args.models)
        OUT.parent.mkdir(exist_ok=True)
        OUT.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    names = list(dict.fromkeys(d["centre"] for d in data))

    # transfer: fitted without one business (all its variants), applied to it
    print("fitted without the business, applied to it (threshold chosen on the others):")
    for name in sorted({business(c) for c in names}):
        coef, intercept, t = fit(data, [c for c in names if business(c) != name])
        print_rates(f"{name} (t={t:.3f})", [d for d in data if business(d["centre"]) == name], coef, intercept, t)

    coef, intercept, t = fit(data, names)
    rows, y, _ = training_rows(data, names)
    print(f"\nfitted on all help centres: threshold {t:.3f}")
    for c in names:
        print_rates(c, [d for d in data if d["centre"] == c], coef, intercept, t)
    print_rates("all", data, coef, intercept, t)
    from kb.search.answer_model import FEATURES
    for name, c in zip(FEATURES, coef):
        print(f"  {name:16s} {c:9.4f}")
    print(f"  {'intercept':16s} {intercept:9.4f}")
    if args.write:
        write_model(coef, intercept, t, int(y.sum()), int((1 - y).sum()), names)  # negatives: both kinds
        print("wrote kb/search/answer_model.py")


if __name__ == "__main__":
    main()
