"""Measure one evaluation help centre: its labelled split per language, off-topic and
cross-language questions (the counting is kb/search/evaluate.py's, shared with `kb eval`).

A set whose lines name a ``kind`` (bench/eval/shop-messages: what the sentence beside the
question does) is also counted per language and kind.

Cross-language questions are searched against the articles of ONE language (the
German article must win although its English translation is not searchable).

    kb index --articles bench/eval/moebel/articles --index /tmp/idx/moebel
    python bench/eval/measure.py bench/eval/moebel --index /tmp/idx/moebel [--split train]

Never fit or tune anything on test.jsonl: it is what gets reported.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from kb.config import DEFAULT_MODELS  # noqa: E402
from kb.encoders import load_encoders  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.search.evaluate import Case, evaluate, evaluate_groups, read_set, unknown_ids  # noqa: E402

AUDIENCE = "public"  # the sets hold customer questions only


def kind_groups(split_file: Path, cases: list[Case]) -> dict[str, list[Case]]:
    """The labelled questions per "<lang> <kind>" where the split's lines name a kind."""
    with open(split_file, encoding="utf-8") as fh:
        kinds = {row["query"]: row["kind"] for row in map(json.loads, filter(str.strip, fh)) if "kind" in row}
    groups: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        if case.expected is not None and case.query in kinds:
            groups[f"{case.lang} {kinds[case.query]}"].append(case)
    return dict(sorted(groups.items()))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--split", default="test", choices=("test", "train"))
    args = ap.parse_args()

    engine = SearchEngine(LoadedIndex(args.index, args.models), load_encoders(args.models))
    cases = read_set(args.set_dir, args.split)
    unknown = unknown_ids(engine, cases)
    if unknown:
        print("unknown article ids: " + ", ".join(unknown), file=sys.stderr)
        return 1
    report = {name: r.rounded() for name, r in evaluate_groups(engine, cases, AUDIENCE).items()}
    for name, group in kind_groups(args.set_dir / f"{args.split}.jsonl", cases).items():
        report[name] = evaluate(engine, group, AUDIENCE).rounded()
    print(json.dumps({"set": args.set_dir.name, "split": args.split, **report}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
