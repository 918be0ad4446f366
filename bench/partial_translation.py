"""Help centres translated in part: does a question still find an article that exists only
in the other language?

    python bench/partial_translation.py [--split test|train] [--set NAME ...] [--keep-every N]

For each evaluation help centre of bench/eval/ with articles of its own, a copy keeps every
N-th article of one language (English by default, ``--drop-lang``) and removes the other
versions of that language; links stay. The split's questions in that language are then
asked as a customer: those whose article was removed expect its version in the other
language ("only in the other language"), the rest expect their own ("in the question's
language"). Reported per set and together: top-1 / top-3 and answered with a wrong first
article. Only the train split is for choosing anything.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from centres import translation_key  # noqa: E402

from kb.encoders import DEFAULT_MODELS  # noqa: E402
from kb.search.evaluate import Case, evaluate, read_set  # noqa: E402

EVAL = ROOT / "bench" / "eval"
SETS = tuple(p.name for p in sorted(EVAL.iterdir()) if (p / "articles").is_dir() and (p / "test.jsonl").exists())
GONE, KEPT = "only in the other language", "in the question's language"


def partial_copy(src: Path, dst: Path, lang: str, keep_every: int) -> Path:
    """A copy of a help centre with only every ``keep_every``-th article of ``lang`` kept
    (in path order, the last of each run of ``keep_every``)."""
    shutil.copytree(src, dst)
    for i, path in enumerate(sorted((dst / lang).rglob("*.md"))):
        if i % keep_every != keep_every - 1:
            path.unlink()
    return dst


def cases_of(set_dir: Path, engine, split: str, lang: str) -> dict[str, list[Case]]:
    """The split's questions in ``lang``, by whether their article is still there."""
    present = {a["id"] for a in engine.index.articles}
    version = {(a["translation"], a["lang"]): a["id"] for a in engine.index.articles if a["translation"]}
    other = next(a["lang"] for a in engine.index.articles if a["lang"] != lang)
    groups = defaultdict(list)
    for case in read_set(set_dir, split):
        if case.lang != lang or not case.expected or case.articles_lang:
            continue
        if case.expected in present:
            groups[KEPT].append(case)
            continue
        key = translation_key((set_dir / "articles" / f"{case.expected}.md").read_text(encoding="utf-8"))
        groups[GONE].append(Case(case.query, version[key, other], lang))
    return groups


def main() -> None:
    from retrieval import engine_for

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=("test", "train"))
    ap.add_argument("--set", action="append", choices=SETS, dest="sets")
    ap.add_argument("--drop-lang", default="en", choices=("de", "en"))
    ap.add_argument("--keep-every", type=int, default=2, help="keep every N-th article of that language")
    args = ap.parse_args()
    totals = defaultdict(lambda: [0, 0, 0, 0])
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets or SETS:
            set_dir = EVAL / name
            folder = partial_copy(set_dir / "articles", Path(tmp) / name / "articles", args.drop_lang,
                                  args.keep_every)
            engine = engine_for(folder, Path(tmp) / name / "index", DEFAULT_MODELS)
            for group, cases in cases_of(set_dir, engine, args.split, args.drop_lang).items():
                report = evaluate(engine, cases, audience="public")
                total = totals[group]
                total[0] += report.top1
                total[1] += report.top3
                total[2] += report.n
                total[3] += report.answered_wrong_first
                print(f"{name} {group}: {report.n} questions, top-1 {report.top1 / report.n:.3f}, "
                      f"top-3 {report.top3 / report.n:.3f}, answered with a wrong first article "
                      f"{report.answered_wrong_first}", flush=True)
    for group, (top1, top3, n, wrong) in totals.items():
        print(f"all {group}: {n} questions, top-1 {top1 / n:.3f}, top-3 {top3 / n:.3f}, "
              f"answered with a wrong first article {wrong}")


if __name__ == "__main__":
    main()
