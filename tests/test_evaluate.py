"""`kb eval` and bench/eval/measure.py count the same way (kb/search/evaluate.py):
top-1, answered with a wrong first article, off-topic not answered, cross-language."""

import json
import subprocess
import sys

import pytest

from kb.search.evaluate import (Case, CaseError, evaluate, evaluate_groups, read_cases, read_set,
                                set_audience, unknown_ids)

DELIVERY = "wann kommt mein paket"  # the fixture help centre answers it with de/lieferzeit
OFFTOPIC = "wie wird das wetter morgen in hamburg"


def test_answered_with_a_wrong_first_article_is_counted(engine):
    right = evaluate(engine, [Case(DELIVERY, "de/lieferzeit", "de")])
    assert right.top1 == 1 and right.answered == 1 and right.answered_wrong_first == 0
    wrong = evaluate(engine, [Case(DELIVERY, "de/ruecksendung", "de")])
    assert wrong.top1 == 0 and wrong.answered == 1 and wrong.answered_wrong_first == 1
    assert wrong.misses[0].answered and wrong.misses[0].got[0] == "de/lieferzeit"


def test_offtopic_questions_count_as_right_when_not_answered(engine):
    report = evaluate(engine, [Case(OFFTOPIC, None, "de"), Case(DELIVERY, "de/lieferzeit", "de")])
    assert report.n == 1 and report.offtopic == 1  # off-topic is not a labelled question
    figures = report.as_dict()
    assert figures["offtopic_questions"] == 1
    assert figures["offtopic_not_answered"] == 1 - report.offtopic_answered
    assert figures["top1"] == 1.0
    offtopic_only = evaluate(engine, [Case(OFFTOPIC, None, "de")]).as_dict()
    assert "top1" not in offtopic_only and offtopic_only["offtopic_questions"] == 1


def test_crosslingual_cases_search_one_language_only(engine):
    groups = evaluate_groups(engine, [Case("how long does delivery take", "de/lieferzeit", "en", "de"),
                                      Case(DELIVERY, "de/lieferzeit", "de")])
    assert sorted(groups) == ["crosslingual en->de", "de"]
    assert groups["crosslingual en->de"].top1 == 1  # en/delivery is not searched


def test_read_cases_accepts_null_and_names_bad_lines(tmp_path, engine):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"query": OFFTOPIC, "expected": None}) + "\n"
                    + json.dumps({"query": "x", "expected": "de/nope", "lang": "de",
                                  "articles_lang": "de"}) + "\n", encoding="utf-8")
    cases = read_cases(path)
    assert cases[0].expected is None and cases[1].articles_lang == "de"
    assert unknown_ids(engine, cases) == ["de/nope"]
    path.write_text('{"query": "x"}\n')
    with pytest.raises(CaseError, match=r"cases.jsonl:1: "):
        read_cases(path)
    for bad in ({"query": "   ", "expected": None}, {"query": "x" * 501, "expected": None},
                {"query": 123, "expected": None}, {"query": "wo ist mein paket", "expected": ["de/a"]}):
        path.write_text(json.dumps({"query": "wo ist mein paket", "expected": None}) + "\n" + json.dumps(bad) + "\n")
        with pytest.raises(CaseError, match=r"cases.jsonl:2: "):  # the search box refuses it, or not one id
            read_cases(path)


def test_read_cases_takes_a_byte_order_mark_and_names_the_line_of_a_byte_that_is_not_utf8(tmp_path):
    path = tmp_path / "cases.jsonl"
    line = json.dumps({"query": DELIVERY, "expected": "de/lieferzeit"}) + "\r\n"
    path.write_bytes(b"\xef\xbb\xbf" + line.encode())  # as Windows editors save UTF-8
    assert read_cases(path) == [Case(DELIVERY, "de/lieferzeit")]
    path.write_bytes(line.encode() + '{"query": "Rückgabe", "expected": null}\n'.encode("latin-1"))
    with pytest.raises(CaseError, match=r"cases.jsonl:2: not valid UTF-8 \(byte 0xfc\): save the file as UTF-8"):
        read_cases(path)


@pytest.mark.parametrize("line, said", [
    ('{"query": "wo ist mein paket"}', "'expected' is missing"),
    ('{"expected": null}', "'query' is missing"),
    ('["wo ist mein paket", null]', "expected a JSON object"),
    ('"wo ist mein paket"', "got text"),
    ('{"query": "wo ist mein paket", "expected": null, "lang": ["de"]}', "'lang' must be a language code"),
    ('{"query": "wo ist mein paket", "expected": null', "not JSON"),
    ("[" * 100_000, "nested too deeply"),
])
def test_a_bad_case_is_named_by_its_line_and_said_in_words(tmp_path, line, said):
    path = tmp_path / "cases.jsonl"
    path.write_text(json.dumps({"query": DELIVERY, "expected": None}) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(CaseError) as raised:
        read_cases(path)
    message = str(raised.value)
    assert message.startswith(f"{path}:2: ") and said in message, message
    for internal in ("indices must be", "('expected')", "KeyError", "TypeError"):  # Python's words, not the file's
        assert internal not in message


def test_read_set_joins_the_split_with_offtopic_and_crosslingual(tmp_path):
    (tmp_path / "test.jsonl").write_text('{"query": "a", "expected": "de/x", "lang": "de"}\n')
    (tmp_path / "offtopic.jsonl").write_text('{"query": "b", "expected": null, "lang": "de"}\n')
    cases = read_set(tmp_path)
    assert [c.expected for c in cases] == ["de/x", None]


def test_cli_eval_reports_wrong_first_and_offtopic(built_index, tmp_path):
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"query": DELIVERY, "expected": "de/ruecksendung"}) + "\n"
                     + json.dumps({"query": OFFTOPIC, "expected": None}) + "\n", encoding="utf-8")
    r = subprocess.run([sys.executable, "-m", "kb.cli", "eval", str(cases), "--index", str(built_index)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "answered with a wrong first article 1" in r.stdout
    assert "MISS (rank 2, answered)" in r.stdout or "MISS (not in top 10, answered)" in r.stdout
    assert "1 off-topic questions: not answered" in r.stdout
    r = subprocess.run([sys.executable, "-m", "kb.cli", "eval", str(cases), "--index", str(built_index),
                        "--json"], capture_output=True, text=True)
    out = json.loads(r.stdout)
    assert out["answered_wrong_first"] == 1 and out["offtopic_questions"] == 1


def test_customer_sets_are_searched_as_a_customer(engine, built_index, tmp_path):
    """A set expecting public articles only measures what customers see; one that expects
    an internal article measures the agents' search."""
    internal = next(a["id"] for a in engine.index.articles if a["audience"] == "internal")
    assert set_audience(engine, [Case(DELIVERY, "de/lieferzeit", "de"), Case(OFFTOPIC, None)]) == "public"
    assert set_audience(engine, [Case(DELIVERY, "de/lieferzeit", "de"), Case("x", internal)]) == "internal"
    cases = tmp_path / "cases.jsonl"
    cases.write_text(json.dumps({"query": DELIVERY, "expected": "de/lieferzeit"}) + "\n", encoding="utf-8")
    for flag, said in ((), "a customer"), (("--audience", "internal"), "an agent"):
        r = subprocess.run([sys.executable, "-m", "kb.cli", "eval", str(cases), "--index", str(built_index), *flag],
                           capture_output=True, text=True)
        assert r.returncode == 0 and f"searched as: {said}" in r.stdout, r.stderr
