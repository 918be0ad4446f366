"""Which answered questions get a hedge? ``HEDGE_MARGIN`` chosen on development questions only.

An answered search whose first article leads the best other article by less than
``kb.search.answer_model.HEDGE_MARGIN`` (ranker log-odds) shows the best articles as a
choice. A hedge on a right first article costs the customer a look at the list
(``HEDGED_RIGHT_COST`` of a wrong answer); an unhedged wrong first article is a wrong
answer (cost 1). The margin with the lowest cost on the development questions is the one
to use; the reported questions only show what it does.

* development: the train (or dev) files of bench/eval/ (without their cross-language
  files, which are test questions) and the first German utterance file
  (``utterances.de.jsonl``) against the learning sets' articles. The train files are
  also what the ranker and ``answered`` were fitted on: their margins are in-sample;
* reported: the test splits of bench/eval/ and of the learning sets (with their
  cross-language files), the Bitext sample bench/retrieval.py reports (English, and
  against German articles only) and the second German utterance file, against the
  learning sets' articles.

    python bench/hedge_margin.py [--models SPEC] [--json out.json]

The margin is in the ranker's log-odds (kb/search/ranker.py), whatever the models; with
other ``--models`` (their ranker and ``answered`` refitted first) the table says whether
another margin is cheaper for them.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders import DEFAULT_MODELS  # noqa: E402
from kb.search import answer_model  # noqa: E402
from kb.search.evaluate import Case, group_of, read_cases, read_set  # noqa: E402

HEDGED_RIGHT_COST = 0.25  # a look at two or three titles, against a wrong answer read as right
GRID = (0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0)
DEVELOPMENT_UTTERANCES = "utterances de"  # the first German file; "utterances 2 de" is reported


def questions(split: str) -> dict[str, dict[str, list[Case]]]:
    """set -> group -> cases: a split's labelled questions and the utterance groups that
    belong to it (see the module docstring)."""
    import retrieval_sets as rs

    out = {}
    for name, folder in rs.SET_DIRS.items():
        groups: dict[str, list[Case]] = {}
        file = rs.split_of(folder, "train" if split == "development" else "test")
        if file is None:
            labelled = []
        elif split == "development":  # the split alone: a set's cross-language file is test
            labelled = read_cases(folder / f"{file}.jsonl")
        else:
            labelled = read_set(folder, file)
        for case in labelled:
            if case.expected is not None:
                groups.setdefault(group_of(case), []).append(case)
        for group, cases in rs.bitext_groups(folder).items():
            if (group == DEVELOPMENT_UTTERANCES) == (split == "development"):
                groups[group] = cases
        if groups:
            out[name] = groups
    return out


def records(split: str, work: Path, models: str) -> list[dict]:
    """One record per search of a labelled question: whether the first article is right,
    the rank of the right one, ``answered`` and the features ``hedged`` reads."""
    import retrieval_sets as rs
    from retrieval import engine_for

    out = []
    for name, groups in questions(split).items():
        engine = engine_for(rs.articles_of(rs.SET_DIRS[name]), work / name, models)
        for group, cases in groups.items():
            engine.prime([c.query for c in cases])
            for c in cases:
                r = engine.search(c.query, lang=c.lang, limit=10, audience="public",
                                  languages=[c.articles_lang] if c.articles_lang else None)
                ids = [h.id for h in r.results]
                f = r.features
                out.append({"set": name, "group": group, "answered": bool(r.answered),
                            "rank": ids.index(c.expected) + 1 if c.expected in ids else None,
                            **{k: f.get(k) for k in ("margin", "contested", "known_phrasing")}})
        print(f"[{split}] {name}: {sum(len(g) for g in groups.values())} questions", flush=True)
    return out


def counts(rows: list[dict], margin: float) -> dict:
    """Answered right / wrong first articles, and how many of each a margin hedges; of the
    hedged wrong ones, how many have the right article among the three offered."""
    answered = [r for r in rows if r["answered"]]
    hedged = [r for r in answered if answer_model.hedged(r, True, margin)]
    right = sum(r["rank"] == 1 for r in answered)
    wrong = len(answered) - right
    hedged_wrong = [r for r in hedged if r["rank"] != 1]
    out = {"margin": margin, "answered right": right, "hedged right": len(hedged) - len(hedged_wrong),
           "answered wrong first": wrong, "hedged wrong first": len(hedged_wrong),
           "right among the three offered": sum(r["rank"] is not None and r["rank"] <= 3 for r in hedged_wrong)}
    out["cost"] = round(wrong - len(hedged_wrong) + HEDGED_RIGHT_COST * out["hedged right"], 2)
    return out


COLUMNS = ("margin", "answered right", "hedged right", "answered wrong first", "hedged wrong first",
           "right among the three offered", "cost")


def table(rows: list[dict], first: str = "margin") -> list[str]:
    """Markdown, one row per margin (or per ``first``: the rows' label in the margin's place)."""
    lines = ["| " + " | ".join((first, *COLUMNS[1:])) + " |", "|" + "---|" * len(COLUMNS)]
    return lines + ["| " + " | ".join(str(r[c]) for c in COLUMNS) + " |" for r in rows]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        development = records("development", Path(tmp) / "development", args.models)
        reported = records("reported", Path(tmp) / "reported", args.models)
    grid = [counts(development, m) for m in GRID]
    chosen = min(grid, key=lambda row: row["cost"])["margin"]
    print("\nDevelopment questions, by margin:\n" + "\n".join(table(grid)))
    print(f"\nLowest cost at margin {chosen} (the product uses {answer_model.HEDGE_MARGIN})")
    by_group = {}
    for r in reported:
        by_group.setdefault(f"{r['set']} {r['group']}", []).append(r)
    rows = [{**counts(rs, answer_model.HEDGE_MARGIN), "margin": group} for group, rs in sorted(by_group.items())]
    rows.append({**counts(reported, answer_model.HEDGE_MARGIN), "margin": "all reported"})
    print(f"\nReported questions at the product's margin {answer_model.HEDGE_MARGIN}:\n"
          + "\n".join(table(rows, "set and group")))
    if args.json:
        args.json.write_text(json.dumps({"development": grid, "chosen": chosen, "reported": rows}, indent=2))


if __name__ == "__main__":
    main()
