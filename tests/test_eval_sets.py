"""The independent evaluation sets in bench/eval stay consistent with their articles.

They are measured by others (bench/eval/measure.py, `kb eval`), so an article renamed or
a translation key changed must fail here rather than silently count as a miss.
"""

import json
from collections import Counter
from pathlib import Path

import pytest

from kb.content.articles import load_articles
from kb.content.check import check_articles

EVAL_DIR = Path(__file__).resolve().parent.parent / "bench" / "eval"
SETS = sorted(p.name for p in EVAL_DIR.iterdir() if (p / "articles").is_dir())
LANGS = ("de", "en")
TRAIN_PER_ARTICLE, TEST_PER_ARTICLE = 10, 6


def rows(set_name: str, name: str) -> list[dict]:
    with open(EVAL_DIR / set_name / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_there_are_sets():
    assert {"moebel", "telco"} <= set(SETS)


@pytest.mark.parametrize("set_name", SETS)
def test_articles_pass_check_and_are_translated_pairs(set_name):
    articles, problems = check_articles(EVAL_DIR / set_name / "articles")
    assert problems == []  # `kb check` passes without warnings
    by_key = Counter(a.translation for a in articles)
    assert all(n == len(LANGS) for n in by_key.values()), by_key
    assert all(not a.questions for a in articles), "the learning run adds questions, not the set"


@pytest.mark.parametrize("set_name", SETS)
def test_every_label_names_an_article_of_the_right_language(set_name):
    articles, _ = load_articles(EVAL_DIR / set_name / "articles")
    lang_of = {a.id: a.lang for a in articles}
    for name in ("train", "test"):
        for r in rows(set_name, name):
            assert r["split"] == name and lang_of[r["expected"]] == r["lang"], r
    for r in rows(set_name, "crosslingual"):
        assert lang_of[r["expected"]] == r["articles_lang"] != r["lang"], r
    for r in rows(set_name, "offtopic"):
        assert r["expected"] is None and r["lang"] in LANGS, r


@pytest.mark.parametrize("set_name", SETS)
def test_each_article_has_its_train_and_test_questions_and_none_repeats(set_name):
    articles, _ = load_articles(EVAL_DIR / set_name / "articles")
    train, test = rows(set_name, "train"), rows(set_name, "test")
    assert Counter(r["expected"] for r in train) == {a.id: TRAIN_PER_ARTICLE for a in articles}
    assert Counter(r["expected"] for r in test) == {a.id: TEST_PER_ARTICLE for a in articles}
    every = train + test + rows(set_name, "offtopic") + rows(set_name, "crosslingual")
    folded = Counter(r["query"].casefold() for r in every)
    assert [q for q, n in folded.items() if n > 1] == []
