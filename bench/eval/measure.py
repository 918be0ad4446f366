"""Measure one evaluation help centre: test split, off-topic and cross-language questions.

`kb eval` reads test.jsonl directly; this script adds what `kb eval` cannot do on
its own: cross-language questions searched against the articles of ONE language
(the German article must win over its English translation's absence), the
off-topic rate of "not answered", the count of questions answered with a wrong
first article, and a check that every labelled article id exists in the index.

    kb index --articles bench/eval/moebel/articles --index /tmp/idx/moebel
    python bench/eval/measure.py bench/eval/moebel --index /tmp/idx/moebel [--split train]

Never fit or tune anything on test.jsonl: it is what gets reported.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kb.config import DEFAULT_MODELS
from kb.encoders import load_encoders
from kb.index.loaded import LoadedIndex
from kb.search.engine import SearchEngine

TOP_K = 10
AUDIENCE = "public"  # the sets hold customer questions only


def read_rows(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def rank_of(engine: SearchEngine, row: dict) -> tuple[int | None, bool]:
    """Rank of the expected article (None if not in the top 10) and whether it answered."""
    languages = [row["articles_lang"]] if row.get("articles_lang") else None
    result = engine.search(row["query"], lang=row.get("lang"), limit=TOP_K,
                           audience=AUDIENCE, languages=languages)
    ids = [h.id for h in result.results]
    rank = ids.index(row["expected"]) + 1 if row.get("expected") in ids else None
    return rank, bool(result.answered)


def labelled_figures(engine: SearchEngine, rows: list[dict]) -> dict:
    n = len(rows)
    top1 = top3 = answered = wrong_first = 0
    rr = 0.0
    for row in rows:
        rank, ans = rank_of(engine, row)
        top1 += rank == 1
        top3 += rank is not None and rank <= 3
        rr += 1 / rank if rank else 0.0
        answered += ans
        wrong_first += ans and rank != 1
    return {"questions": n, "top1": round(top1 / n, 3), "top3": round(top3 / n, 3),
            "mrr@10": round(rr / n, 3), "answered": round(answered / n, 3),
            "answered_wrong_first": wrong_first}


def offtopic_figures(engine: SearchEngine, rows: list[dict]) -> dict:
    answered = sum(engine.search(r["query"], lang=r.get("lang"), limit=TOP_K,
                                 audience=AUDIENCE).answered for r in rows)
    return {"questions": len(rows), "not_answered": round(1 - answered / len(rows), 3)}


def check_ids(engine: SearchEngine, rows: list[dict]) -> list[str]:
    known = {a["id"] for a in engine.index.articles}
    return sorted({r["expected"] for r in rows if r.get("expected") and r["expected"] not in known})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("set_dir", type=Path)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--split", default="test", choices=("test", "train"))
    args = ap.parse_args()

    engine = SearchEngine(LoadedIndex(args.index, args.models), load_encoders(args.models))
    files = {name: read_rows(args.set_dir / f"{name}.jsonl")
             for name in (args.split, "offtopic", "crosslingual")}
    unknown = check_ids(engine, [r for rows in files.values() for r in rows])
    if unknown:
        print("unknown article ids: " + ", ".join(unknown), file=sys.stderr)
        return 1
    labelled = files[args.split]
    report = {lang: labelled_figures(engine, [r for r in labelled if r["lang"] == lang])
              for lang in sorted({r["lang"] for r in labelled})}
    for direction in sorted({f"{r['lang']}->{r['articles_lang']}" for r in files["crosslingual"]}):
        rows = [r for r in files["crosslingual"] if f"{r['lang']}->{r['articles_lang']}" == direction]
        report[f"crosslingual {direction}"] = labelled_figures(engine, rows)
    report["offtopic"] = offtopic_figures(engine, files["offtopic"])
    print(json.dumps({"set": args.set_dir.name, "split": args.split, **report}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
