"""The calibration questions of `answered` (bench/calibration/) stay well-formed and apart
from the evaluation sets (bench/eval/), which are what gets reported."""

import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CAL, EVAL = ROOT / "bench" / "calibration", ROOT / "bench" / "eval"
sys.path.insert(0, str(ROOT / "bench"))

from calibrate_answered import offtopic_for  # noqa: E402

LANGS = {"de", "en"}


def rows(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_nearby_questions_name_a_business_with_a_help_centre():
    nearby = rows(CAL / "nearby.jsonl")
    businesses = {p.name for p in EVAL.iterdir() if (p / "articles").is_dir()} | {"shop"}
    assert nearby
    for r in nearby:
        assert set(r) == {"query", "expected", "lang", "kind", "business"}, r
        assert r["expected"] is None and r["kind"] == "nearby" and r["lang"] in LANGS, r
        assert r["business"] in businesses, r
    per = Counter((r["business"], r["lang"]) for r in nearby)
    assert {b for b, _ in per} == businesses  # every business, both languages
    assert all(per[b, lang] > 0 for b in businesses for lang in LANGS)


def test_calibration_questions_are_asked_once_and_nearby_ones_are_no_evaluation_question():
    calibration = rows(CAL / "answered.jsonl") + rows(CAL / "nearby.jsonl")
    folded = Counter(r["query"].casefold() for r in calibration)
    assert max(folded.values()) == 1, [q for q, n in folded.items() if n > 1]
    evaluation = {r["query"].casefold() for path in EVAL.glob("*/*.jsonl") for r in rows(path)}
    assert not {r["query"].casefold() for r in rows(CAL / "nearby.jsonl")} & evaluation


def test_a_help_centre_is_asked_the_general_and_its_own_business_off_topic_questions():
    general = {"query": "wie wird das wetter", "expected": None, "lang": "de", "kind": "trivia"}
    telco = {"query": "do you sell home broadband", "expected": None, "lang": "en", "kind": "nearby",
             "business": "telco"}
    reisen = {"query": "do you rent cars", "expected": None, "lang": "en", "kind": "nearby",
              "business": "reisen"}
    customer = {"query": "wo ist mein paket", "expected": "de/versand", "lang": "de", "kind": "customer"}
    pool = [general, telco, reisen, customer]
    assert offtopic_for(pool, "telco-learned-all") == [general, telco]
    assert offtopic_for(pool, "shop-4topics-noq") == [general]
