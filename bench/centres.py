"""Help centres and training questions shared by bench/fit_ranker.py and
bench/calibrate_answered.py: never a test split (bench/eval/*/test.jsonl is
what gets reported), never bench/retrieval.py's reported Bitext sample.
"""

from __future__ import annotations

import json
import random
import re
import shutil
from collections import defaultdict
from pathlib import Path

from kb.content.front_matter_questions import add_question
from kb.search.evaluate import read_cases

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
EVAL = ROOT / "bench" / "eval"
CAL = ROOT / "bench" / "calibration"
BITEXT_PER_INTENT = 25
BITEXT_SEED = 101
REPORTED_BITEXT = 150  # bench/retrieval.py's sample per intent (seed 13): never fitted on
LOO_ADAPTERS = ROOT / "bench" / "out" / "adapters-loo"  # written by bench/fit_adapter.py --write


def cross_fitted(engine, business: str) -> None:
    """Give the engine's encoders the query adapters fitted without ``business``, so its
    training questions are encoded as a help centre's never-seen questions are (an
    adapter fitted on them would put them closer to their articles than it puts new
    ones); an encoder without an adapter stays as it is, and so does the help centre's
    own adapter, applied after it (kb/search/dense.py)."""
    import numpy as np

    from kb.encoders.query_adapter import QueryAdapter, adapter_path

    for slot, encoder in enumerate(engine.encoders):
        if engine.dense.adapters[slot] is None:
            continue
        path = LOO_ADAPTERS / business / adapter_path(encoder.name).name
        if not path.exists():
            raise SystemExit(f"{path} is missing: run bench/fit_adapter.py --write for {encoder.name}")
        with np.load(path) as z:
            engine.dense.adapters[slot] = QueryAdapter(z["A"], encoder.name)


def copy_centre(src: Path, dst: Path, keep=None, questions: bool = True) -> None:
    """Copy a help centre, optionally only some articles and without front matter `questions`."""
    for path in sorted(src.rglob("*.md")):
        text = path.read_text(encoding="utf-8")
        if keep is not None and not keep(path.relative_to(src), text):
            continue
        if not questions:
            text = strip_questions(text)
        target = dst / path.relative_to(src)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def learned_copy(src: Path, dst: Path, cases) -> Path:
    """A copy of a help centre with the questions of ``cases`` ((query, expected id, ...))
    learned into their articles' front matter, as `kb questions accept` writes them."""
    shutil.copytree(src, dst)
    for query, expected, *_ in cases:
        add_question(dst / f"{expected}.md", query)
    return dst


def strip_questions(text: str) -> str:
    out, skipping, fences = [], False, 0
    for line in text.split("\n"):
        if line.strip() == "---":
            fences += 1
        in_front = fences == 1
        if in_front and line.startswith("questions:"):
            skipping = not line.rstrip().endswith("]")  # a block list follows
            continue
        if skipping and in_front and line.startswith(("  -", "- ")):
            continue
        skipping = False
        out.append(line)
    return "\n".join(out)


def unlinked_copy(src: Path, dst: Path) -> Path:
    """A copy of a help centre whose language versions are not linked: every front matter
    ``translation`` line left out, as in a help centre whose editors never linked them."""
    shutil.copytree(src, dst)
    for path in dst.rglob("*.md"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"(?m)^translation:.*\n", "", text), encoding="utf-8")
    return dst


def translation_key(text: str) -> str | None:
    for line in text.split("\n"):
        if line.startswith("translation:"):
            return line.split(":", 1)[1].strip()
    return None



CROSSLINGUAL_EVERY = 3  # every third train question is also asked against the other language only
OTHER_LANG = {"de": "en", "en": "de"}


def eval_centres(tmp: Path):
    """(business, name, articles folder, [(query, expected id, lang[, articles lang])]) of
    bench/eval/*: as written, learned, and cross-language (the question's language has no
    article, e.g. a help centre in one language; the right article's version in the other
    language is right)."""
    for set_dir in sorted(p for p in EVAL.iterdir() if (p / "train.jsonl").exists()):
        cases = [(c.query, c.expected, c.lang) for c in read_cases(set_dir / "train.jsonl") if c.expected]
        yield set_dir.name, set_dir.name, set_dir / "articles", cases
        by_article = defaultdict(list)
        for case in cases:
            by_article[case[1], case[2]].append(case)
        learned, asked = [], []
        for _key, group in sorted(by_article.items()):
            half = len(group) // 2
            learned += group[:half]
            asked += group[half:]
        folder = learned_copy(set_dir / "articles", tmp / f"{set_dir.name}-learned", learned)
        yield set_dir.name, f"{set_dir.name}-learned", folder, asked
        crossing = [(q, e, lang, OTHER_LANG[lang]) for q, e, lang in cases[::CROSSLINGUAL_EVERY]]
        yield set_dir.name, f"{set_dir.name}-crosslingual", set_dir / "articles", crossing


def calibration_centres(tmp: Path):
    rows = [json.loads(line) for line in (CAL / "answered.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()]

    def cases(collection):
        return [(r["query"], r["expected"], r["lang"]) for r in rows
                if r["collection"] == collection and r["expected"]]

    yield "shop", "shop", ROOT / "articles", cases("shop")
    copy_centre(ROOT / "articles", tmp / "shop-noq", questions=False)
    yield "shop", "shop-noq", tmp / "shop-noq", cases("shop")
    yield "velomo", "velomo", CAL / "velomo", cases("velomo")


def bitext_centre():
    from retrieval import load_bitext

    reported = set(load_bitext(REPORTED_BITEXT))
    rest = defaultdict(list)
    for utterance, intent in load_bitext(10 ** 6):
        if (utterance, intent) not in reported:
            rest[intent].append(utterance)
    known = {p.stem for p in (ROOT / "bench" / "helpcentre").glob("*.md")}
    rng = random.Random(BITEXT_SEED)
    cases = [(u, intent, "en") for intent in sorted(rest) if intent in known
             for u in rng.sample(rest[intent], min(BITEXT_PER_INTENT, len(rest[intent])))]
    yield "bitext", "bitext", ROOT / "bench" / "helpcentre", cases
