"""Does the search open the right part of the right article? (bench/eval/passages/)

For each labelled question: a hit (the set's own rule: the first result is the expected
article and opens at an acceptable place: the lead or the named ``## `` section, or one
the line lists under ``also``); is the expected article first (top-1); and where the
expected article is among the first three, does its result open at an acceptable place?
Reported per language and kind (topic / specific / general), for one split:
``dev`` is what may be looked at while changing how the section is chosen,
``test`` is only reported.

    kb index --articles articles --index /tmp/idx/sample
    python bench/passages.py --index /tmp/idx/sample --split test [--misses]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from kb.config import DEFAULT_MODELS  # noqa: E402
from kb.encoders import load_encoders  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402

SET_DIR = Path(__file__).resolve().parent / "eval" / "passages"
SHOWN = 3  # results a customer reads; the expected article's section counts among them
SEPARATOR = " › "  # Hit.section: "<title> › <heading>", or the title alone for the lead


def opened_heading(hit) -> str:
    """The heading the result opens at, "" for the article's lead."""
    prefix = hit.title + SEPARATOR
    return hit.section[len(prefix):] if hit.section.startswith(prefix) else ""


def read_lines(split: str) -> list[dict]:
    lines = []
    for path in sorted(SET_DIR.glob("passages.*.jsonl")):
        with open(path, encoding="utf-8") as fh:
            lines += [row for row in map(json.loads, filter(str.strip, fh)) if split in ("all", row["split"])]
    return lines


def measure(engine: SearchEngine, lines: list[dict], show_misses: bool) -> dict[str, dict[str, float]]:
    # questions, top-1, shown, right place when shown, hit (first article and its place right)
    tally: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    for row in lines:
        found = engine.search(row["query"], row["lang"], limit=SHOWN, audience="public")
        hit = next((h for h in found.results if h.id == row["expected"]), None)
        places = [row["section"], *row.get("also", [])]
        right_place = hit is not None and opened_heading(hit) in places
        for group in (f"{row['lang']} {row['kind']}", row["lang"], "all"):
            t = tally[group]
            t[0] += 1
            t[1] += bool(found.results) and found.results[0].id == row["expected"]
            t[2] += hit is not None
            t[3] += right_place
            t[4] += right_place and found.results[0].id == row["expected"]
        if show_misses and hit is not None and not right_place:
            print(f"  {row['lang']} {row['kind']:8} {row['query']!r}: opens {opened_heading(hit)!r}, "
                  f"expected {places!r}", file=sys.stderr)
    return {group: {"questions": n, "hit": round(hit / n, 3), "top1": round(top1 / n, 3), "top3": round(shown / n, 3),
                    "right_place_when_shown": round(place / shown, 3) if shown else None}
            for group, (n, top1, shown, place, hit) in sorted(tally.items())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--split", default="test", choices=("dev", "test", "all"))
    ap.add_argument("--misses", action="store_true", help="list the questions opened at another place")
    args = ap.parse_args()
    engine = SearchEngine(LoadedIndex(args.index, args.models), load_encoders(args.models))
    print(json.dumps(measure(engine, read_lines(args.split), args.misses), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
