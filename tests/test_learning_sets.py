"""The learning sets in bench/learning-sets stay consistent with their articles: a renamed
article must fail here rather than silently count as a miss in `bench/learning.py`."""

import json
import sys
from collections import Counter
from pathlib import Path

import pytest

from kb.content.articles import load_articles
from kb.content.check import check_articles

SETS_DIR = Path(__file__).resolve().parent.parent / "bench" / "learning-sets"
SETS = sorted(p.name for p in SETS_DIR.iterdir() if (p / "articles").is_dir())


def rows(set_name: str, name: str) -> list[dict]:
    with open(SETS_DIR / set_name / f"{name}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_there_is_a_german_set():
    assert "lindner" in SETS


def test_learning_is_measured_in_german_and_english():
    langs = {a.lang for name in SETS for a in load_articles(SETS_DIR / name / "articles")[0]}
    assert {"de", "en"} <= langs


@pytest.mark.parametrize("set_name", SETS)
def test_labels_name_articles_of_their_language_and_no_question_repeats(set_name):
    articles, problems = check_articles(SETS_DIR / set_name / "articles")
    assert problems == []
    assert all(not a.questions for a in articles), "the learning run adds questions, not the set"
    lang_of = {a.id: a.lang for a in articles}
    train, test, offtopic = rows(set_name, "train"), rows(set_name, "test"), rows(set_name, "offtopic")
    for split, split_rows in (("train", train), ("test", test)):
        for r in split_rows:
            assert r["split"] == split and lang_of[r["expected"]] == r["lang"], r
    assert all(r["expected"] is None for r in offtopic)
    assert set(Counter(r["expected"] for r in train)) == set(lang_of) == set(Counter(r["expected"] for r in test))
    folded = Counter(r["query"].casefold() for r in train + test + offtopic)
    assert max(folded.values()) == 1, [q for q, n in folded.items() if n > 1]


SHARED_INTENTS = {p.stem for p in (SETS_DIR.parent / "helpcentre").glob("*.md")}  # one article per intent
# Bitext's intents that the shared sample lacks: utterances.en.jsonl and utterances.de.3.jsonl
# hold them, written in Bitext's style
UNSHARED_INTENTS = {"cancel_order", "check_cancellation_fee", "check_invoice", "contact_human_agent",
                    "delete_account", "newsletter_subscription", "registration_problems",
                    "set_up_shipping_address", "switch_account", "track_refund"}
BITEXT_INTENTS = SHARED_INTENTS | UNSHARED_INTENTS


def test_the_bitext_intents_are_the_shared_sets():
    assert len(SHARED_INTENTS) == 17 and "track_order" in SHARED_INTENTS
    assert not SHARED_INTENTS & UNSHARED_INTENTS


@pytest.mark.parametrize("set_name", [s for s in SETS if (SETS_DIR / s / "bitext.json").exists()])
def test_bitext_intents_name_articles_of_the_language_they_map(set_name):
    """bench/retrieval_sets.py searches Bitext utterances against these articles: an id that no
    longer exists, or one in another language, would count every utterance as a miss."""
    lang_of = {a.id: a.lang for a in load_articles(SETS_DIR / set_name / "articles")[0]}
    mapping = json.loads((SETS_DIR / set_name / "bitext.json").read_text(encoding="utf-8"))
    assert mapping and set(mapping) <= set(lang_of.values())
    for lang, ids in mapping.items():
        assert set(ids) <= BITEXT_INTENTS, set(ids) - BITEXT_INTENTS
        assert all(lang_of.get(article) == lang for article in ids.values()), ids
        assert len(set(ids.values())) == len(ids), "one article per intent: two would be ambiguous"


UTTERANCE_FILES = sorted(SETS_DIR.glob("utterances.*.jsonl"))


def test_there_are_german_utterances():
    assert SETS_DIR / "utterances.de.jsonl" in UTTERANCE_FILES


@pytest.mark.parametrize("path", UTTERANCE_FILES, ids=lambda p: p.name)
def test_utterances_are_labelled_with_bitext_intents_and_never_repeat(path):
    """bench/retrieval_sets.py and bench/learning.py split these per intent in halves: an
    unknown intent would be dropped silently, a repeated utterance would be learned and
    then measured."""
    lang = path.name.split(".")[1]
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert all(set(r) == {"query", "intent", "lang"} and r["lang"] == lang and r["query"].strip() for r in rows)
    per_intent = Counter(r["intent"] for r in rows)
    assert set(per_intent) <= BITEXT_INTENTS, set(per_intent) - BITEXT_INTENTS
    assert min(per_intent.values()) >= 20, per_intent  # at least 10 to replay and 10 to measure
    folded = Counter(" ".join("".join(c for c in r["query"].casefold() if c.isalnum() or c.isspace()).split())
                     for r in rows)
    assert max(folded.values()) == 1, [q for q, n in folded.items() if n > 1]


def test_a_file_of_the_intents_the_others_lack_is_learned_with_each_of_them():
    """bench/learning.py learns every article of a help centre at once, as a running one does:
    a file holding only intents no earlier source holds completes each earlier source, while a
    second author's file of the same intents stays a run of its own."""
    sys.path.insert(0, str(SETS_DIR.parent))
    from learning import learned_together

    first, second = [("wo ist mein paket", "track_order")], [("paket wo", "track_order")]
    rest = [("konto löschen", "delete_account")]
    runs = learned_together({"u": first, "u 2": second, "u 3": rest, "other": [("x", "review")]},
                            {"track_order", "delete_account"})
    assert runs == {"u + u 3": first + rest, "u 2 + u 3": second + rest}
    assert learned_together({"u": first, "u 3": rest}, {"track_order"}) == {"u": first}
    # routed to a finer intent (finer-intents.de.jsonl), a line may share an intent with the
    # file written for it: the files' written intents decide
    routed = [("wo ist mein paket", "track_order"), ("wo bleibt die erstattung", "track_refund")]
    refunds = [("erstattung status", "track_refund")]
    runs = learned_together({"u": routed, "u 3": refunds}, {"track_order", "track_refund"},
                            {"u": {"track_order", "get_refund"}, "u 3": {"track_refund"}})
    assert runs == {"u + u 3": routed + refunds}


def test_finer_intents_name_lines_of_their_file_and_one_of_the_ten_other_intents():
    """finer-intents.de.jsonl routes lines written with 17 intents to one of the other ten where
    a help centre has an article for it: a line it does not find would be routed silently never."""
    rows = [json.loads(line) for line in (SETS_DIR / "finer-intents.de.jsonl").read_text(encoding="utf-8")
            .splitlines() if line.strip()]
    written = {name: {(r["query"], r["intent"]) for r in map(json.loads, (SETS_DIR / name).read_text(
        encoding="utf-8").splitlines()) if r} for name in {r["file"] for r in rows}}
    assert rows and all(set(r) == {"query", "file", "intent", "intent_27"} for r in rows)
    for r in rows:
        assert (r["query"], r["intent"]) in written[r["file"]], r
        assert r["intent_27"] in UNSHARED_INTENTS and r["intent"] in SHARED_INTENTS, r


def test_an_utterance_goes_to_its_finer_intent_only_where_that_has_an_article():
    sys.path.insert(0, str(SETS_DIR.parent))
    from retrieval_sets import utterances

    path = SETS_DIR / "utterances.de.jsonl"
    written = dict(utterances(path))
    query = "Wie ist der Stand meiner Erstattung?"
    assert written[query] == "get_refund"
    assert dict(utterances(path, {"get_refund", "track_refund"}))[query] == "track_refund"
    assert dict(utterances(path, {"get_refund", "track_order"}))[query] == "get_refund"
    assert [u for u, _ in utterances(path, SHARED_INTENTS | UNSHARED_INTENTS)] == list(written)
