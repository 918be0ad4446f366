"""The independent evaluation help centres against the reference retrievers.

The sets: bench/eval/ (their train splits are what the fitting scripts read) and
bench/learning-sets/ (written for the learning run, bench/learning.py, and read by no
fitting script: here their test split is searched as written, before any learning,
and their train split is never measured).

Used by bench/retrieval.py (``--sets``) and on its own for the train splits:

    python bench/retrieval_sets.py [--split train|test] [--set NAME ...] [--unlinked]

Each set is indexed once; questions are counted by kb/search/evaluate.py (as `kb eval`
and bench/eval/measure.py do). A set with a ``bitext.json`` (per article language, Bitext
intent -> article) is also searched with real customer utterances, the Bitext sample that
bench/retrieval.py reports and no fitting script reads: group "bitext en" (searched as an
English customer) and "bitext en->de" (the German articles only); and with the utterances
written in Bitext's style (bench/learning-sets/utterances.<lang>*.jsonl: groups "utterances
de", "utterances 2 de"; in English, "utterances en" holds intents the shared sample lacks),
each routed to the set's articles by ``utterances``. References see the same articles
(title + body of the language searched) and the same questions: BM25 with the language's Snowball
analyzer, and each dense model alone (the product's and ``REFERENCE_MODELS``).
Cross-language questions search one language's articles only. The worst case of a set is
its weakest group (language or cross-language direction). Only train is for choosing anything.
``--unlinked`` searches copies of the sets' articles whose language versions are not linked
(no ``translation`` keys), as in a help centre whose editors never linked them.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.search.evaluate import Case, evaluate, group_of, read_set  # noqa: E402

EVAL = ROOT / "bench" / "eval"
LEARNING_SETS = ROOT / "bench" / "learning-sets"


def _sets(folder: Path) -> dict[str, Path]:
    return {p.name: p for p in sorted(folder.iterdir()) if (p / "test.jsonl").exists()}


SET_DIRS = {**_sets(EVAL), **_sets(LEARNING_SETS)}
SETS = tuple(SET_DIRS)
PRODUCT = "kb (this product)"
# dense references besides the product's own encoders, each alone (skipped where not installed)
UTTERANCE_SEED = 13  # the order of a language's own utterances: bench/learning.py replays the first half
REFERENCE_MODELS = ("use-multilingual-v3", "all-MiniLM-L6-v2", "all-mpnet-base-v2")


def articles_of(set_dir: Path) -> Path:
    """A set's own articles; a set of questions about the sample shop (shop-everyday) has
    none and searches the sample help centre, articles/."""
    own = set_dir / "articles"
    return own if own.is_dir() else ROOT / "articles"


def split_of(set_dir: Path, split: str) -> str | None:
    """The file a split reads: a question-only set's development split is ``dev``, not
    ``train``; None where the set has neither, and for a learning set's train split (the
    questions its learning run replays)."""
    if split == "train" and set_dir.parent == LEARNING_SETS:
        return None
    for name in (split, "dev") if split == "train" else (split,):
        if (set_dir / f"{name}.jsonl").exists():
            return name
    return None


def utterance_files(lang: str) -> list[Path]:
    """A language's own utterance files: ``bench/learning-sets/utterances.<lang>.jsonl`` and
    ``utterances.<lang>.<n>.jsonl``, each by another author."""
    return sorted(LEARNING_SETS.glob(f"utterances.{lang}.jsonl")) + \
        sorted(LEARNING_SETS.glob(f"utterances.{lang}.*.jsonl"))


def finer_intents(lang: str) -> dict[tuple[str, str], str]:
    """(file name, utterance) -> its intent among Bitext's 27, for the lines of a language's
    files that were written with 17 intents and belong to one of the ten others
    (``bench/learning-sets/finer-intents.<lang>.jsonl``, labelled by hand)."""
    path = LEARNING_SETS / f"finer-intents.{lang}.jsonl"
    if not path.is_file():
        return {}
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {(r["file"], r["query"]): r["intent_27"] for r in rows}


def utterances(path: Path, mapped: set[str] | None = None) -> list[tuple[str, str]]:
    """One of ``utterance_files`` (written by hand in Bitext's style) as (utterance, intent),
    grouped by intent in a seeded random order. With ``mapped`` (a help centre's intents),
    an utterance whose finer intent (``finer_intents``) has an article there goes to it:
    "wo bleibt meine erstattung", written as get_refund, is track_refund's where that has
    an article of its own, and stays get_refund's where it has not."""
    by_intent: dict[str, list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            by_intent.setdefault(row["intent"], []).append(row["query"])
    finer = finer_intents(path.name.split(".")[1]) if mapped else {}
    rng = random.Random(UTTERANCE_SEED)
    out = []
    for intent in sorted(by_intent):
        for u in rng.sample(by_intent[intent], len(by_intent[intent])):
            routed = finer.get((path.name, u))
            out.append((u, routed if routed in (mapped or ()) else intent))
    return out


def written_utterances(lang: str, mapped: set[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Name -> (utterance, intent) pairs of each of a language's ``utterance_files``
    ("utterances", "utterances 2", ...), routed for ``mapped`` as ``utterances`` does."""
    return {" ".join(["utterances", *path.name.split(".")[2:-1]]): utterances(path, mapped)
            for path in utterance_files(lang)}


def utterance_sources(lang: str, mapped: set[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """Name -> (utterance, intent) pairs of one language, which no fitting script reads: in
    English also "bitext", the Bitext sample bench/retrieval.py reports (../shared/data, read
    there), then ``written_utterances`` (in English: intents the shared sample lacks)."""
    from centres import REPORTED_BITEXT
    from retrieval import load_bitext

    shared = {"bitext": load_bitext(REPORTED_BITEXT)} if lang == "en" else {}
    return shared | written_utterances(lang, mapped)


def intent_map(set_dir: Path) -> dict[str, dict[str, str]]:
    """A set's ``bitext.json``: per article language, Bitext intent -> article id."""
    path = set_dir / "bitext.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def bitext_groups(set_dir: Path) -> dict[str, list[Case]]:
    """The set's utterance groups, per article language of its ``bitext.json``: English
    Bitext utterances ("bitext en"; against another language's articles only, "bitext
    en->de"), and each file of utterances written in that language ("utterances de",
    "utterances 2 de", "utterances en") that holds an intent the set maps."""
    groups = {}
    bitext = utterance_sources("en")["bitext"]
    for lang, ids in sorted(intent_map(set_dir).items()):
        name = "bitext en" if lang == "en" else f"bitext en->{lang}"
        groups[name] = [Case(u, ids[i], "en", None if lang == "en" else lang) for u, i in bitext if i in ids]
        for source, rows in written_utterances(lang, set(ids)).items():
            cases = [Case(u, ids[i], lang) for u, i in rows if i in ids]
            if cases:  # a file may hold only intents this set does not map
                groups[f"{source} {lang}"] = cases
    return groups


def _reference_hits(refs: dict, cases) -> dict[str, tuple[float, float]]:
    """Top-1 / top-3 of BM25 and of each reference encoder alone (RRF rows left out)."""
    from retrieval import reference_rows, topk_hits

    doc_lang = cases[0].articles_lang or cases[0].lang
    ref, ids = refs[doc_lang]
    gold = [ids.index(c.expected) for c in cases]
    rows = reference_rows(ref, [c.query for c in cases])
    return {name: tuple(topk_hits(scores, gold).values()) for name, scores in rows.items()
            if not name.startswith("RRF")}


def measure_set(name: str, work: Path, models: str, encoders, references, split: str,
                unlinked: bool = False) -> dict:
    """{retriever: {group: (top-1, top-3)}} plus the product's own answered figures."""
    from centres import unlinked_copy
    from retrieval import References, engine_for

    set_dir = SET_DIRS[name]
    articles = articles_of(set_dir)
    if unlinked:
        articles = unlinked_copy(articles, work / f"{name}-unlinked" / "articles")
    engine = engine_for(articles, work / name, models)
    members: dict[str, list[Case]] = {}
    for case in read_set(set_dir, split):
        members.setdefault(group_of(case), []).append(case)
    if split == "test":  # the utterances are a reported sample: never a development split
        members |= bitext_groups(set_dir)
    groups = {group: evaluate(engine, cases, audience="public") for group, cases in members.items()}
    cells: dict[str, dict] = {PRODUCT: {}}
    refs = {}
    for lang in sorted({a["lang"] for a in engine.index.articles}):
        # as the product's public search: customers never see internal articles
        arts = [a for a in engine.index.articles if a["lang"] == lang and a["audience"] == "public"]
        refs[lang] = (References([f"{a['title']}\n{a['body']}" for a in arts], lang, references),
                      [a["id"] for a in arts])
    extra = {}
    for group, report in groups.items():
        if group == "offtopic":
            extra["off-topic not answered"] = report.as_dict()["offtopic_not_answered"]
            continue
        cells[PRODUCT][group] = (report.top1 / report.n, report.top3 / report.n)
        extra[f"answered, wrong first ({group})"] = (f"{report.answered_wrong_first} of {report.n} "
                                                   f"({report.hedged_wrong_first} hedged)")
        for ref_name, hits in _reference_hits(refs, members[group]).items():
            cells.setdefault(ref_name, {})[group] = hits
    return {"cells": cells, "product": extra}


def table(results: dict) -> list[str]:
    """Markdown: one row per retriever, top-1 / top-3 per set and group, worst group per set."""
    columns = [(s, g) for s in results
               for g in sorted(results[s]["cells"][PRODUCT], key=lambda g: (g.startswith("cross"), g))]
    head = [f"{s} {g}" for s, g in columns] + [f"{s} worst top-1" for s in results]
    lines = ["| retriever | " + " | ".join(head) + " |", "|---" * (len(head) + 1) + "|"]
    for name in results[next(iter(results))]["cells"]:
        vals = []
        for s, g in columns:
            t1, t3 = results[s]["cells"][name].get(g, (float("nan"),) * 2)
            vals.append(f"{t1:.3f} / {t3:.3f}")
        for s in results:
            group, (t1, _) = min(results[s]["cells"][name].items(), key=lambda kv: kv[1][0])
            vals.append(f"{t1:.3f} ({group})")
        lines.append(f"| {name} | " + " | ".join(vals) + " |")
    for s in results:
        lines.append(f"\n{s}, {PRODUCT}: " + "; ".join(f"{k} {v if isinstance(v, str) else round(v, 3)}"
                                                     for k, v in results[s]["product"].items()))
    return lines


def reference_encoders(encoders) -> list:
    """The product's encoders plus the reference models it does not use, each loadable here."""
    from kb.encoders import ModelLoadError

    out = list(encoders)
    have = {e.name.lower() for e in encoders}
    for name in REFERENCE_MODELS:
        if name.lower() not in have:
            try:
                out += load_encoders(name)
            except ModelLoadError as exc:
                print(f"reference {name} skipped: {exc}", file=sys.stderr)
    return out


def run(work: Path, models: str, encoders, split: str = "test", sets: tuple[str, ...] = SETS,
        unlinked: bool = False) -> dict:
    refs = reference_encoders(encoders)
    splits = {name: split_of(SET_DIRS[name], split) for name in sets}
    return {name: measure_set(name, work, models, encoders, refs, chosen, unlinked)
            for name, chosen in splits.items() if chosen}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--split", default="test", choices=("test", "train"))
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--set", action="append", choices=SETS, dest="sets",
                    help="only this set of bench/eval/ or bench/learning-sets/ (repeatable; default: all)")
    ap.add_argument("--unlinked", action="store_true",
                    help="search copies of the articles without their translation links")
    args = ap.parse_args()
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        results = run(Path(tmp), args.models, load_encoders(args.models), args.split,
                      tuple(args.sets or SETS), args.unlinked)
    print("\n".join(table(results)))
    versions = ", language versions unlinked" if args.unlinked else ""
    print(f"\n(split {args.split}{versions}, {time.time() - t0:.0f} s, models {args.models})")


if __name__ == "__main__":
    main()
