"""How long the editors' report of missing words takes on a busy period, cold.

The report reads every distinct (word, language) of the period's searches as the search
reads it (kb/search/word_reading.py); a word the speller has to look up costs milliseconds,
and every new index build starts with empty caches. This builds the sample shop's fixture
index (tests/fixtures/articles, fake encoders: the words and the speller do not depend on
the models), stores ``--words`` distinct words as customers' searches (German and English
words of wordfreq's lists, every ``--typo-every``-th one with a letter dropped, the first
ones searched more often), and times the report with a reading built cold, as after a build.

Usage: PYTHONPATH=. python bench/missing_words_speed.py [--words 5000] [--typo-every 5] [--runs 2]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from search_helpers import FIXTURES, build_fake_engine  # noqa: E402

from kb.ops.database import Store  # noqa: E402
from kb.ops.insights import missing_words  # noqa: E402
from kb.search.typo_words import frequencies  # noqa: E402
from kb.search.unused_words import missing_word_reader  # noqa: E402

SKIP_COMMONEST = 1500  # the commonest words are everyday words: a report's words are rarer
MIN_LETTERS = 5
REPEATS = (5, 3, 2, 1)  # how often the first, second, third and remaining quarters are searched


def sample_words(count: int, typo_every: int) -> list[tuple[str, str]]:
    """(word, language): German and English words by turns, past the commonest, some mistyped."""
    lists = {lang: [w for w in list(frequencies(lang))[SKIP_COMMONEST:] if w.isalpha() and len(w) >= MIN_LETTERS]
             for lang in ("de", "en")}
    words = []
    for i in range(count):
        lang = ("de", "en")[i % 2]
        word = lists[lang][i // 2]
        if typo_every and i % typo_every == 0:
            word = word[:2] + word[3:]  # a letter dropped
        words.append((word, lang))
    return words


def stored_searches(path: Path, words: list[tuple[str, str]]) -> Store:
    """The words as searches of today, the first quarter five times, the last once."""
    store = Store(f"sqlite:///{path}")
    quarter = max(1, len(words) // 4)
    for i, (word, lang) in enumerate(words):
        for _ in range(REPEATS[min(i // quarter, 3)]):
            store.log_search(f"{word} bestellen" if lang == "de" else f"{word} order", lang, False, [], "portal")
    return store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--words", type=int, default=5000, help="distinct words searched")
    ap.add_argument("--typo-every", type=int, default=5, help="every n-th word has a letter dropped")
    ap.add_argument("--runs", type=int, default=2, help="reports timed, each with a cold reading")
    ap.add_argument("--max-words", type=int, default=None,
                    help="distinct words the report reads (default: the report's own maximum)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="kb-words-speed-") as tmp:
        base = Path(tmp)
        shutil.copytree(FIXTURES, base / "articles")
        engine = build_fake_engine(base / "articles", base / "index")
        store = stored_searches(base / "kb.sqlite3", sample_words(args.words, args.typo_every))
        for run in range(args.runs):
            reads_as = missing_word_reader(engine.index)  # cold, as after a new index build
            t0 = time.perf_counter()
            cap = {} if args.max_words is None else {"max_words": args.max_words}
            rows = missing_words(store, days=2, limit=None, reads_as=reads_as, **cap)
            seconds = time.perf_counter() - t0
            checked = getattr(rows, "words_checked", None)
            print(f"run {run + 1}: {args.words} distinct words, {len(rows)} rows, words read: "
                  f"{checked if checked is not None else 'all'}; {seconds:.2f} s "
                  f"({1000 * seconds / args.words:.2f} ms per distinct word)", flush=True)


if __name__ == "__main__":
    main()
