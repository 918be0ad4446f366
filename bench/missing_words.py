"""The editors' report of customers' words no article uses, on help centres nobody tuned on.

For each set, on a copy of its articles and through a real `kb serve` over HTTP (the same
sets, halves and replay as bench/learning.py):

1. measure the held-out customer questions (before);
2. replay up to ``--per-article`` (10) other customer questions per article as searches plus
   helpful votes (``GET /api/search``, ``POST /api/feedback``);
3. read the report from the server's database (``kb.ops.insights.missing_words`` with the
   live index's test of which words no article uses, as the insights page does);
4. write each reported word that at least ``--min-searches`` (2) searches ended on the
   same helpful article with into that article's front-matter ``questions`` (what an editor
   who follows the report does, one decision per word), ``kb index``, measure again (after).

Printed per set: how many replayed searches hold a word no article uses, the words with
their searches and article, and top-1 / top-3 before and after. bench/learning.py measures
the same halves after accepting the replayed phrasings instead (one decision per phrasing).

``--with-phrasings`` accepts the replayed phrasings first (``kb questions accept --all
--min-evidence 1``, as bench/learning.py does), measures, and then adds the words on top.

Usage: python bench/missing_words.py [--bitext-set DIR ...] [--set DIR ...] [--per-article 10]
       [--min-searches 2] [--with-phrasings]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from learning import _Server, folder_set, kb, measure, reindexed, replay, utterance_sets  # noqa: E402

from kb.config import DEFAULT_MODELS  # noqa: E402
from kb.content.front_matter_questions import add_question  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.ops.database import Store  # noqa: E402
from kb.ops.insights import missing_words  # noqa: E402
from kb.search.unused_words import missing_word_reader  # noqa: E402

WORDS_SHOWN = 12


def report(work: Path) -> list:
    """The server's report over everything replayed (today and yesterday: a run may cross
    midnight), every word."""
    index = LoadedIndex(work / "index", DEFAULT_MODELS)
    try:
        return missing_words(Store(f"sqlite:///{work / 'instance' / 'kb.sqlite3'}"), days=2, limit=None,
                             reads_as=missing_word_reader(index))
    finally:
        index.close()


def run_set(spec: dict, per_article: int, min_searches: int, work: Path, with_phrasings: bool = False) -> dict:
    articles, index = work / "articles", work / "index"
    shutil.copytree(spec["articles"], articles)
    env = {**os.environ, "KB_ARTICLES": str(articles), "KB_INDEX": str(index),
           "KB_INSTANCE": str(work / "instance"), "PYTHONPATH": str(ROOT)}
    kb("index", "-q", env=env)
    t0 = time.perf_counter()
    with _Server(articles, index, work, env={"PYTHONPATH": str(ROOT)}) as server:
        before = measure(server.port, spec["test"], spec["offtopic"])
        replayed = replay(server.port, spec["train"], per_article)
        words = report(work)
        phrasings = None
        if with_phrasings:  # what bench/learning.py measures, then the words on top
            kb("questions", "accept", "--all", "--min-evidence", "1", env=env)
            reindexed(server.port, env)
            phrasings = measure(server.port, spec["test"], spec["offtopic"])
        chosen = [w for w in words if w.helpful_votes >= min_searches]
        for w in chosen:
            add_question(articles / f"{w.article_id}.md", w.word)
        if chosen:
            reindexed(server.port, env)
        after = measure(server.port, spec["test"], spec["offtopic"])
    with_word = sum(w.count for w in words)  # a search with two such words counts twice: an upper bound
    return {"set": spec["name"], "replayed": replayed["searches"], "words": words, "chosen": chosen,
            "searches_with_a_word": with_word, "before": before, "phrasings": phrasings, "after": after,
            "seconds": round(time.perf_counter() - t0, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--bitext-set", dest="bitext_sets", action="append", type=Path, default=[],
                    help="a learning set with a bitext.json: its articles with customer utterances, per language")
    ap.add_argument("--set", dest="sets", action="append", type=Path, default=[],
                    help="an evaluation help centre folder (articles/, train.jsonl, test.jsonl, offtopic.jsonl)")
    ap.add_argument("--per-article", type=int, default=10, help="helpful searches replayed per article")
    ap.add_argument("--with-phrasings", action="store_true",
                    help="accept the replayed phrasings first (bench/learning.py's run), then add the words")
    ap.add_argument("--min-searches", type=int, default=2,
                    help="helpful searches on one article a word needs to be added to it")
    args = ap.parse_args()
    specs = [s for f in args.bitext_sets for s in utterance_sets(f)] + [folder_set(f) for f in args.sets]
    if not specs:
        ap.error("name at least one --bitext-set or --set")
    for spec in specs:
        with tempfile.TemporaryDirectory(prefix="kb-words-") as tmp:
            r = run_set(spec, args.per_article, args.min_searches, Path(tmp), args.with_phrasings)
        b, a = r["before"], r["after"]
        print(f"{r['set']}: {r['replayed']} helpful searches replayed, {len(r['words'])} words no article "
              f"uses in {r['searches_with_a_word']} of them; {len(r['chosen'])} words with >= "
              f"{args.min_searches} helpful searches on one article added to it", flush=True)
        for w in r["words"][:WORDS_SHOWN]:
            print(f"    {w.word}: {w.count} searches, {w.answered_share:.0%} answered, helpful: "
                  f"{w.article_id} ({w.helpful_votes}); e.g. {w.wordings[0]!r}", flush=True)
        if r["phrasings"]:
            p = r["phrasings"]
            print(f"  after the phrasings alone: top-1 {p['top1']:.3f}, top-3 {p['top3']:.3f}, answered with a "
                  f"wrong first article {p['answered_wrong_first']}, off-topic not answered "
                  f"{p['offtopic_not_answered']:.3f}", flush=True)
        print(f"  held-out top-1 {b['top1']:.3f} -> {a['top1']:.3f}   top-3 {b['top3']:.3f} -> {a['top3']:.3f}   "
              f"answered with a wrong first article {b['answered_wrong_first']} -> {a['answered_wrong_first']}   "
              f"off-topic not answered {b['offtopic_not_answered']:.3f} -> {a['offtopic_not_answered']:.3f}   "
              f"[{r['seconds']} s]", flush=True)


if __name__ == "__main__":
    main()
