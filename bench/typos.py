"""Customer questions with one typo each: how the search ranks them.

Every question of a split of the evaluation help centres (bench/eval/) gets one
seeded typo in one of its words of five letters or more (a letter dropped, two
swapped, one doubled or one replaced), as customers type on a phone. Counted
per set, for two ways of ranking it:

* ``typed``: the question searched as typed, nothing corrected
  (`SearchEngine.search(..., correct=False)`, what "search instead for" gives);
* ``product``: what `SearchEngine.search` returns (a typo one edit from a known word
  corrected before the search, kb/search/typo_words.py; the speller's corrections
  where they answer the question; when neither is answered, the articles listed
  follow the corrected words).

Reports top-1, top-3 and "answered with a wrong first article" of both, how many
questions were searched corrected, and, for comparison, top-1 and "answered with the
right first article" of the questions as written. Only train is for choosing anything.

    python bench/typos.py [--split train|test] [--set NAME ...] [--seed 7]
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.index.build import build_index  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.search.evaluate import read_set  # noqa: E402
from retrieval_sets import EVAL, SETS, articles_of, split_of  # noqa: E402

TYPO_WORD = re.compile(r"[^\W\d_]{5,}")
KEYBOARD = "qwertzuiopasdfghjklyxcvbnm"
DEFAULT_SEED = 7


def with_typo(question: str, rng: random.Random) -> str | None:
    """The question with one typo inside one of its longer words; None without such a word."""
    words = list(TYPO_WORD.finditer(question))
    if not words:
        return None
    match = rng.choice(words)
    w, i = match.group(), rng.randrange(1, len(match.group()) - 1)
    edit = rng.choice("dtsr")
    if edit == "d":
        typo = w[:i] + w[i + 1:]
    elif edit == "t":
        typo = w[:i] + w[i + 1] + w[i] + w[i + 2:]
    elif edit == "r":
        typo = w[:i] + w[i] + w[i:]
    else:
        typo = w[:i] + rng.choice(KEYBOARD) + w[i + 1:]
    return question[:match.start()] + typo + question[match.end():]


def count(engine: SearchEngine, cases, rng: random.Random) -> Counter:
    c: Counter = Counter()
    for case in cases:
        question = with_typo(case.query, rng)
        if question is None or case.expected is None or case.articles_lang:
            continue
        product = engine.search(question, lang=case.lang)
        typed = engine.search(question, lang=case.lang, correct=False)
        c["questions"] += 1
        c["corrected"] += bool(product.original or product.fixes)
        for name, result in (("typed", typed), ("product", product)):
            ids = [h.id for h in result.results]
            c[f"{name} top-1"] += ids[:1] == [case.expected]
            c[f"{name} top-3"] += case.expected in ids[:3]
            c[f"{name} wrong answered"] += bool(result.answered and ids[:1] != [case.expected])
        right = engine.search(case.query, lang=case.lang)  # as the customer meant it
        c["untypo'd top-1"] += [h.id for h in right.results[:1]] == [case.expected]
        c["untypo'd right answered"] += bool(right.answered and right.results[0].id == case.expected)
        c["product right answered"] += bool(product.answered and product.results[0].id == case.expected)
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--split", default="train", choices=("train", "test"))
    ap.add_argument("--set", dest="sets", action="append", choices=SETS)
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = ap.parse_args()
    encoders = load_encoders(DEFAULT_MODELS)
    rng = random.Random(args.seed)
    total: Counter = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.sets or SETS:
            split = split_of(EVAL / name, args.split)
            if split is None:
                continue
            location = Path(tmp) / name
            build_index(articles_of(EVAL / name), location, lambda: encoders, DEFAULT_MODELS, force=True)
            engine = SearchEngine(LoadedIndex(location, DEFAULT_MODELS), encoders)
            c = count(engine, read_set(EVAL / name, split), rng)
            engine.index.close()
            total.update(c)
            print(f"{name} ({split}): {dict(c)}", flush=True)
    print(f"all: {dict(total)}")


if __name__ == "__main__":
    main()
