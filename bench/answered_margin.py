"""Would a first-vs-second margin make `answered` safer? Measured on the TRAIN splits.

For every labelled train question of bench/eval/ (and the shop's front matter
questions, articles/) it records whether the first article is right, whether
the search answered, and the gap between the first and the second article's
fused score. Then, for a grid of minimum gaps, how many answers with a wrong
first article a rule ``answered and gap >= m`` removes and how many right
answers it loses.

    python bench/answered_margin.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.search.evaluate import Case, read_cases  # noqa: E402

GRID = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15)


def records(engine, cases: list[Case]) -> list[tuple[bool, bool, float]]:
    engine.prime([c.query for c in cases])
    out = []
    for c in cases:
        r = engine.search(c.query, lang=c.lang, limit=10, audience="public")
        if not r.results:
            continue
        gap = r.results[0].score - (r.results[1].score if len(r.results) > 1 else 0.0)
        out.append((r.results[0].id == c.expected, bool(r.answered), gap))
    return out


def main() -> None:
    from retrieval import engine_for

    encoders = load_encoders(DEFAULT_MODELS)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in ("moebel", "telco"):
            engine = engine_for(ROOT / "bench" / "eval" / name / "articles", Path(tmp) / name, DEFAULT_MODELS)
            rows += records(engine, read_cases(ROOT / "bench" / "eval" / name / "train.jsonl"))
        shop = engine_for(ROOT / "articles", Path(tmp) / "shop", DEFAULT_MODELS)
        shop_cases = [Case(q, a["id"], a["lang"]) for a in shop.index.articles
                      if a["audience"] == "public" for q in a["questions"]]
        shop_rows = records(shop, shop_cases)
    for label, data in (("bench/eval train", rows), ("shop questions", shop_rows)):
        right, answered, gap = (np.array(x) for x in zip(*data))
        print(f"\n{label}: {len(data)} questions, right first {right.sum()}")
        print("| min gap | answered, right first | answered, wrong first |\n|---|---|---|")
        for m in GRID:
            ok = answered & (gap >= m)
            print(f"| {m} | {int((ok & right).sum())} | {int((ok & ~right).sum())} |")


if __name__ == "__main__":
    main()
