"""The "learning" run: does a help centre learn its customers' words through the product?

For each set, on a copy of its articles and through a real `kb serve` over HTTP:

1. measure top-1, top-3 and answered on the held-out customer questions, and
   "not answered" on off-topic questions (before);
2. replay up to ``--per-article`` (10) other customer questions per article as a
   customer would: ``GET /api/search`` then ``POST /api/feedback {article_id,
   helpful: true, search_id}`` (a vote only counts when the search showed the article);
3. ``kb questions accept --all --min-evidence 1`` (the editors' standing decision),
   then ``kb index``; the running server switches to the new build by itself;
4. measure the same questions again (after).

Sets:
* ``--bitext``: bench/helpcentre (English) with Bitext customer utterances from
  ../shared/data/bitext (read there, never copied): a seeded sample per intent,
  split in halves; the replay takes from the first half, the second half is measured.
  Off-topic: XQuAD English questions (../shared/data/xquad).
* ``--bitext-set DIR``: a learning set (bench/learning-sets/<name>/) with the customer
  utterances its ``bitext.json`` maps to its articles, per language: in English the
  Bitext sample bench/retrieval.py reports (no fitting script reads it), and in each
  language each bench/learning-sets/utterances.<lang>*.jsonl (written by hand in Bitext's
  style; the English one holds intents the shared sample lacks), each split in
  halves per intent as above; off-topic: the set's own off-topic questions of that
  language. A help centre nobody tuned on, asked in customers' recurring words.
* ``--set DIR``: an evaluation help centre (bench/eval/<name>/ or
  bench/learning-sets/<name>/: articles/, train.jsonl replayed, test.jsonl measured,
  offtopic.jsonl), any language.

``--unseen`` searches each set as a help centre the models' query adapters never saw:
with the adapters fitted without its business (bench/fit_adapter.py writes them to
``bench/out/adapters-loo/<business>/``; KB_QUERY_ADAPTER_DIR). The help centre's own
adapter (kb/index/centre_adapter.py) is fitted by `kb index` as always, from the
questions the editors accepted. ``KB_QUERY_ADAPTERS=model`` leaves it out, to compare.

``--json`` also lists the off-topic questions answered before and after, with the first
article and the confidence.

Usage: python bench/learning.py [--bitext] [--bitext-set DIR ...] [--set DIR ...] [--per-article 10] [--unseen] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# ../shared/data beside the checkout; KB_SHARED_DATA for a checkout elsewhere (a git worktree)
SHARED = Path(os.environ.get("KB_SHARED_DATA") or ROOT.parent / "shared" / "data")
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from perf import _Server  # noqa: E402

BITEXT_PER_INTENT = 80  # sampled utterances per intent; half replayed from, half measured
OFFTOPIC_SAMPLE = 300
SEED = 13
LIMIT = 10  # results per search, as the API's default
LOO_ADAPTERS = ROOT / "bench" / "out" / "adapters-loo"


def bitext_set() -> dict:
    rows = list(csv.DictReader(open(SHARED / "bitext" / "utterances.csv", encoding="utf-8")))
    by_intent = defaultdict(list)
    for r in rows:
        by_intent[r["intent"]].append(r["utterance"])
    rng = random.Random(SEED)
    sampled = {intent: rng.sample(utterances, min(BITEXT_PER_INTENT, len(utterances)))
               for intent, utterances in sorted(by_intent.items())}
    train, test = halves(sampled, {intent: intent for intent in sampled})
    xquad = json.loads((SHARED / "xquad" / "xquad.en.json").read_text(encoding="utf-8"))
    questions = [qa["question"] for art in xquad["data"] for p in art["paragraphs"] for qa in p["qas"]]
    offtopic = [{"query": q, "lang": "en"} for q in random.Random(SEED).sample(questions, OFFTOPIC_SAMPLE)]
    return {"name": "bitext (en)", "business": "bitext", "articles": ROOT / "bench" / "helpcentre",
            "train": train, "test": test, "offtopic": offtopic}


def halves(by_intent: dict[str, list[str]], article: dict[str, str], lang: str = "en"
           ) -> tuple[list[dict], list[dict]]:
    """Per intent, the first half of its utterances to replay and the second to measure."""
    train, test = [], []
    for intent in sorted(by_intent):
        sample = by_intent[intent]
        half = len(sample) // 2
        train += [{"query": q, "expected": article[intent], "lang": lang} for q in sample[:half]]
        test += [{"query": q, "expected": article[intent], "lang": lang} for q in sample[half:]]
    return train, test


def learned_together(sources: dict[str, list[tuple[str, str]]], mapped: set[str],
                     written: dict[str, set[str]] | None = None) -> dict[str, list[tuple[str, str]]]:
    """The sources of one language as the customers of one help centre: a source written
    for intents no earlier source was written for (``written``, default: the intents in
    ``sources``; a file for the intents the shared sample lacks) completes each earlier
    source, so every article learns at once, as in a running help centre; a source that
    repeats intents stands alone. Sources with no ``mapped`` intent are left out."""
    written = written or {name: {intent for _, intent in rows} for name, rows in sources.items()}
    out: dict[str, list[tuple[str, str]]] = {}
    parts: dict[str, set[str]] = {}  # the written intents of each run so far
    for name, rows in sources.items():
        if not any(intent in mapped for _, intent in rows):
            continue
        held = set().union(*parts.values()) if parts else set()
        if out and not written[name] & held:
            out = {f"{earlier} + {name}": others + rows for earlier, others in out.items()}
            parts = {f"{earlier} + {name}": part | written[name] for earlier, part in parts.items()}
        else:
            out[name], parts[name] = rows, set(written[name])
    return out


def utterance_sets(folder: Path) -> list[dict]:
    """One set per source of utterances (bench/retrieval_sets.py ``utterance_sources``,
    completed by ``learned_together``) in each language of the folder's ``bitext.json``:
    its articles, the utterances of the mapped intents split in halves, and the folder's
    off-topic questions of that language."""
    from retrieval_sets import intent_map, utterance_sources

    specs = []
    for lang, article in sorted(intent_map(folder).items()):
        written = {name: {intent for _, intent in rows} for name, rows in utterance_sources(lang).items()}
        routed = utterance_sources(lang, set(article))
        for source, rows in learned_together(routed, set(article), written).items():
            by_intent = defaultdict(list)
            for utterance, intent in rows:
                if intent in article:
                    by_intent[intent].append(utterance)
            if not by_intent:
                continue
            train, test = halves(by_intent, article, lang)
            offtopic = [r for r in _rows(folder / "offtopic.jsonl") if r.get("lang") == lang]
            specs.append({"name": f"{folder.name} x {source} ({lang})", "business": folder.name,
                          "articles": folder / "articles", "train": train, "test": test, "offtopic": offtopic})
    if not specs:
        raise SystemExit(f"{folder}: no bitext.json language with utterances to learn from")
    return specs


def _rows(path: Path) -> list[dict]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def folder_set(folder: Path) -> dict:
    # questions against the articles of one other language cannot be asked through the API
    plain = lambda rows: [r for r in rows if not r.get("articles_lang")]  # noqa: E731
    return {"name": folder.name, "business": folder.name, "articles": folder / "articles",
            "train": plain(_rows(folder / "train.jsonl")),
            "test": plain(_rows(folder / "test.jsonl")), "offtopic": _rows(folder / "offtopic.jsonl")}


def _get(port: int, path: str, params: dict) -> dict:
    url = f"http://127.0.0.1:{port}{path}?{urllib.parse.urlencode(params)}"
    with urllib.request.urlopen(url, timeout=60) as r:
        return json.loads(r.read())


def _post(port: int, path: str, body: dict) -> int:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=60) as r:
        return r.status


def _search(port: int, row: dict) -> dict:
    params = {"q": row["query"][:500], "limit": LIMIT}
    if row.get("lang"):
        params["lang"] = row["lang"]
    return _get(port, "/api/search", params)


def _figures(hits: list[tuple[bool, bool, bool]]) -> dict:
    """Shares of (right first, right in the first three, answered), and the count answered with
    a wrong first article: the answer a customer should not get, whatever learning does."""
    n = max(len(hits), 1)
    return {"questions": len(hits), "top1": round(sum(h[0] for h in hits) / n, 3),
            "top3": round(sum(h[1] for h in hits) / n, 3), "answered": round(sum(h[2] for h in hits) / n, 3),
            "answered_wrong_first": sum(h[2] and not h[0] for h in hits)}


def measure(port: int, test: list[dict], offtopic: list[dict]) -> dict:
    """Top-1, top-3 and answered on ``test`` (and per language), "not answered" on ``offtopic``."""
    by_lang: dict[str, list] = defaultdict(list)
    for row in test:
        found = _search(port, row)
        ids = [r["id"] for r in found["results"]]
        by_lang[row.get("lang") or "?"].append(
            (bool(ids) and ids[0] == row["expected"], row["expected"] in ids[:3], found["answered"]))
    answered = []  # off-topic questions answered, with the article shown first: what to look at
    for row in offtopic:
        found = _search(port, row)
        if found["answered"]:
            answered.append({"query": row["query"], "first": found["results"][0]["id"],
                             "confidence": found["confidence"]})
    quiet = len(offtopic) - len(answered)
    return {**_figures([h for hits in by_lang.values() for h in hits]),
            "by_lang": {lang: _figures(hits) for lang, hits in sorted(by_lang.items())},
            "offtopic": len(offtopic), "offtopic_not_answered": round(quiet / max(len(offtopic), 1), 3),
            "offtopic_answered": answered}


def replay(port: int, train: list[dict], per_article: int) -> dict:
    """Searches plus helpful votes, as customers send them; counts what the API accepted."""
    done: dict[str, int] = defaultdict(int)
    shown = 0
    for row in train:
        if done[row["expected"]] >= per_article:
            continue
        found = _search(port, row)
        shown += row["expected"] in [r["id"] for r in found["results"]]
        status = _post(port, "/api/feedback", {"article_id": row["expected"], "helpful": True,
                                                "search_id": found["search_id"]})
        assert status == 201, status
        done[row["expected"]] += 1
    return {"searches": sum(done.values()), "articles": len(done), "article_shown": shown}


def known_phrasing_share(articles: Path, test: list[dict]) -> float:
    """Share of held-out questions that are (near-)exactly a question of some article after learning:
    those the rule of kb/search/question_match.py puts first; the rest is ranked by similarity."""
    from kb.content.articles import load_articles
    from kb.search.question_match import QuestionMatcher

    matcher = QuestionMatcher([{"questions": a.questions} for a in load_articles(articles)[0]])
    return round(sum(bool(matcher.matches(row["query"])) for row in test) / max(len(test), 1), 3)


def kb(*args: str, env: dict) -> str:
    out = subprocess.run([sys.executable, "-m", "kb.cli", *args], env=env, cwd=ROOT, capture_output=True,
                         text=True)
    if out.returncode != 0:
        raise RuntimeError(f"kb {' '.join(args)} failed: {out.stdout[-1000:]}{out.stderr[-2000:]}")
    return out.stdout.strip()


def _wait_for_build(port: int, old: str, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        build = _get(port, "/readyz", {})["index"]["build"]
        if build != old:
            return build
        time.sleep(0.2)
    raise RuntimeError("the server did not switch to the new index")


def reindexed(port: int, env: dict) -> None:
    """`kb index`, then wait until the running server answers from the new build."""
    build = _get(port, "/readyz", {})["index"]["build"]
    kb("index", "-q", env=env)
    _wait_for_build(port, build)


def unseen_adapters(business: str) -> dict[str, str]:
    """The environment that gives the product the query adapters fitted without ``business``."""
    folder = LOO_ADAPTERS / business
    if not any(folder.glob("*.npz")):
        raise SystemExit(f"no adapters fitted without {business} in {folder}: "
                         "run python bench/fit_adapter.py --encoder E --l2 0.03 --write for each configured "
                         "encoder spec E (with its @language, e.g. all-mpnet-base-v2:int8-block128@en)")
    return {"KB_QUERY_ADAPTER_DIR": str(folder)}


def run_set(spec: dict, per_article: int, work: Path, extra_env: dict[str, str] | None = None) -> dict:
    articles, index = work / "articles", work / "index"
    shutil.copytree(spec["articles"], articles)
    extra_env = {"PYTHONPATH": str(ROOT), **(extra_env or {})}
    env = {**os.environ, "KB_ARTICLES": str(articles), "KB_INDEX": str(index),
           "KB_INSTANCE": str(work / "instance"), **extra_env}
    kb("index", "-q", env=env)
    t0 = time.perf_counter()
    with _Server(articles, index, work, env=extra_env) as server:
        before = measure(server.port, spec["test"], spec["offtopic"])
        replayed = replay(server.port, spec["train"], per_article)
        accepted = kb("questions", "accept", "--all", "--min-evidence", "1", env=env)
        reindexed(server.port, env)
        after = measure(server.port, spec["test"], spec["offtopic"])
    matched = known_phrasing_share(articles, spec["test"])
    check = subprocess.run([sys.executable, "-m", "kb.cli", "check", str(articles)], env=env, cwd=ROOT,
                           capture_output=True, text=True)
    return {"set": spec["name"], "per_article": per_article, "replayed": replayed, "accepted": accepted,
            "kb_check_ok": check.returncode == 0, "before": before, "after": after,
            "held_out_matching_a_question": matched,
            "seconds": round(time.perf_counter() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bitext", action="store_true", help="English: bench/helpcentre with Bitext utterances")
    ap.add_argument("--bitext-set", dest="bitext_sets", action="append", type=Path, default=[],
                    help="a learning set with a bitext.json: its articles with customer utterances, per language")
    ap.add_argument("--set", dest="sets", action="append", type=Path, default=[],
                    help="an evaluation help centre folder (articles/, train.jsonl, test.jsonl, offtopic.jsonl)")
    ap.add_argument("--per-article", type=int, default=10, help="helpful searches replayed per article")
    ap.add_argument("--json", type=Path, help="write the figures here too")
    ap.add_argument("--unseen", action="store_true",
                    help="query adapters fitted without the set's business (bench/out/adapters-loo/)")
    args = ap.parse_args()
    specs = ([bitext_set()] if args.bitext or not (args.sets or args.bitext_sets) else []) + \
        [spec for f in args.bitext_sets for spec in utterance_sets(f)] + [folder_set(f) for f in args.sets]
    results = []
    for spec in specs:
        with tempfile.TemporaryDirectory(prefix="kb-learning-") as tmp:
            r = run_set(spec, args.per_article, Path(tmp),
                        unseen_adapters(spec["business"]) if args.unseen else None)
        results.append(r)
        b, a = r["before"], r["after"]
        print(f"{r['set']}: {b['questions']} held-out questions, {r['replayed']['searches']} helpful searches "
              f"replayed ({r['replayed']['article_shown']} showed the article) -> {r['accepted']}", flush=True)
        print(f"  top-1 {b['top1']:.3f} -> {a['top1']:.3f}   top-3 {b['top3']:.3f} -> {a['top3']:.3f}   "
              f"answered {b['answered']:.3f} -> {a['answered']:.3f} (with a wrong first article "
              f"{b['answered_wrong_first']} -> {a['answered_wrong_first']})   off-topic not answered "
              f"{b['offtopic_not_answered']:.3f} -> {a['offtopic_not_answered']:.3f}   "
              f"kb check {'ok' if r['kb_check_ok'] else 'FAILED'}   [{r['seconds']} s]", flush=True)
        for lang in a["by_lang"]:
            lb, la = b["by_lang"][lang], a["by_lang"][lang]
            print(f"  {lang}: {la['questions']} questions, top-1 {lb['top1']:.3f} -> {la['top1']:.3f}, "
                  f"top-3 {lb['top3']:.3f} -> {la['top3']:.3f}", flush=True)
        print(f"  held-out questions that are (near-)exactly a question of an article after learning: "
              f"{r['held_out_matching_a_question']:.3f}", flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
