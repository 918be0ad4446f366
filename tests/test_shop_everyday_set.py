"""bench/eval/shop-everyday, shop-everyday-2, shop-everyday-3, shop-everyday-4 and shop-messages
(customer questions about the sample shop in articles/, written independently of each other) stay consistent with those
articles: an article renamed, made internal or deleted must fail here rather than silently
count as a miss in `kb eval`. No models are loaded."""

import json
import re
from collections import Counter
from pathlib import Path

import pytest

from kb.content.articles import load_articles

ROOT = Path(__file__).resolve().parent.parent
SET_DIR = ROOT / "bench" / "eval" / "shop-everyday"
SECOND_DIR = ROOT / "bench" / "eval" / "shop-everyday-2"  # test and off-topic only
THIRD_DIR = ROOT / "bench" / "eval" / "shop-everyday-3"  # development only
FOURTH_DIR = ROOT / "bench" / "eval" / "shop-everyday-4"  # dev, test and off-topic
MESSAGES_DIR = ROOT / "bench" / "eval" / "shop-messages"  # multi-sentence messages, dev and test
KINDS = ("context-noise", "context-topical", "both")
LANGS = ("de", "en")


def rows(name: str, set_dir: Path = SET_DIR) -> list[dict]:
    with open(set_dir / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


@pytest.fixture(scope="module")
def public_lang_of() -> dict[str, str]:
    articles, problems = load_articles(ROOT / "articles")
    assert problems == []
    return {a.id: a.lang for a in articles if a.public}


@pytest.mark.parametrize("set_dir, name", [(SET_DIR, "dev"), (SET_DIR, "test"), (SECOND_DIR, "test"),
                                           (THIRD_DIR, "dev"), (FOURTH_DIR, "dev"), (FOURTH_DIR, "test")])
def test_labels_name_public_articles_of_the_question_language(set_dir, name, public_lang_of):
    found = rows(name, set_dir)
    assert found
    for r in found:
        assert set(r) == {"query", "expected", "lang", "split"}, r
        assert r["split"] == name, r
        assert r["lang"] in LANGS, r
        assert public_lang_of.get(r["expected"]) == r["lang"], r
    assert {r["lang"] for r in found} == set(LANGS)


def test_offtopic_lines_expect_nothing():
    found = rows("offtopic")
    assert Counter(r["lang"] for r in found) == {"de": 20, "en": 20}
    assert all(r["expected"] is None and r.get("split", "offtopic") == "offtopic" for r in found)


def test_every_public_article_is_asked_about_in_its_language(public_lang_of):
    both = rows("dev") + rows("test")
    per_article = Counter(r["expected"] for r in both)
    assert {a: n for a, n in per_article.items() if n < 2} == {}
    assert set(per_article) == set(public_lang_of)
    # split 50/50 per article (alternating): dev and test differ by at most one per article
    dev = Counter(r["expected"] for r in rows("dev"))
    test = Counter(r["expected"] for r in rows("test"))
    assert all(abs(dev[a] - test[a]) <= 1 for a in per_article)


def test_no_query_repeats():
    every = rows("dev") + rows("test") + rows("offtopic")
    folded = Counter(" ".join(r["query"].casefold().split()) for r in every)
    assert [q for q, n in folded.items() if n > 1] == []


def test_second_set_asks_about_every_public_article_without_repeats(public_lang_of):
    test, off = rows("test", SECOND_DIR), rows("offtopic", SECOND_DIR)
    assert Counter(r["lang"] for r in test) == {"de": 50, "en": 50}
    assert Counter(r["lang"] for r in off) == {"de": 15, "en": 15}
    assert all(r["expected"] is None and r["split"] == "offtopic" for r in off)
    assert {r["expected"] for r in test} == set(public_lang_of)
    folded = Counter(" ".join(r["query"].casefold().split()) for r in test + off)
    assert [q for q, n in folded.items() if n > 1] == []


def test_third_set_asks_about_every_public_article_without_repeats(public_lang_of):
    dev = rows("dev", THIRD_DIR)
    assert Counter(r["lang"] for r in dev) == {"de": 70, "en": 70}
    assert {r["expected"] for r in dev} == set(public_lang_of)
    folded = Counter(" ".join(r["query"].casefold().split()) for r in dev)
    assert [q for q, n in folded.items() if n > 1] == []


def test_fourth_set_splits_every_public_article_between_dev_and_test(public_lang_of):
    dev, test, off = (rows(name, FOURTH_DIR) for name in ("dev", "test", "offtopic"))
    assert Counter(r["lang"] for r in dev) == Counter(r["lang"] for r in test) == {"de": 60, "en": 60}
    assert Counter(r["lang"] for r in off) == {"de": 25, "en": 25}
    assert all(r["expected"] is None and r["split"] == "offtopic" for r in off)
    assert {r["expected"] for r in dev} == {r["expected"] for r in test} == set(public_lang_of)
    folded = Counter(" ".join(r["query"].casefold().split()) for r in dev + test + off)
    assert [q for q, n in folded.items() if n > 1] == []


@pytest.mark.parametrize("name", ["dev", "test"])
def test_messages_name_public_articles_and_balance_their_kinds(name, public_lang_of):
    found = rows(name, MESSAGES_DIR)
    for r in found:
        assert set(r) == {"query", "expected", "lang", "split", "kind"}, r
        assert r["split"] == name and r["kind"] in KINDS, r
        assert public_lang_of.get(r["expected"]) == r["lang"], r
    assert Counter((r["lang"], r["kind"]) for r in found) == {(lang, kind): 20 for lang in LANGS for kind in KINDS}


def test_messages_hold_more_than_one_sentence_and_never_repeat():
    every = rows("dev", MESSAGES_DIR) + rows("test", MESSAGES_DIR)
    assert all(len(re.split(r"[.!?,]\s+", r["query"].strip(" .!?"))) >= 2 for r in every)
    folded = Counter(" ".join(r["query"].casefold().split()) for r in every)
    assert [q for q, n in folded.items() if n > 1] == []
