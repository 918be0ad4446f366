"""Answers with a hedge: answered, but the first article barely leads another
(kb/search/answer_model.py ``hedged``), shown as a choice and counted apart by `kb eval`."""

import math

import pytest

from kb.search import answer_model
from kb.search.evaluate import Case, evaluate

KNOWN = "wann kommt mein paket"  # a front-matter question of de/lieferzeit
DELIVERY = "wann kommt mein paket an"  # answered with de/lieferzeit, not a known phrasing
OFFTOPIC = "wie wird das wetter morgen in hamburg"


def _engine(built_index, encoders):
    from kb.encoders import DEFAULT_MODELS
    from kb.index.loaded import LoadedIndex
    from kb.search.engine import SearchEngine
    return SearchEngine(LoadedIndex(built_index, DEFAULT_MODELS), encoders)


@pytest.fixture()
def fresh_engine(built_index, encoders):
    """An engine of its own: its result cache holds only this test's hedge setting."""
    return _engine(built_index, encoders)


def test_hedged_reads_the_margin_and_never_hedges_a_known_phrasing():
    near = {"margin": answer_model.HEDGE_MARGIN / 2, "contested": True, "known_phrasing": False}
    assert answer_model.hedged(near, answered=True)
    assert not answer_model.hedged(near, answered=False)  # "no article fits" is no hedge
    assert not answer_model.hedged({**near, "known_phrasing": True}, answered=True)
    assert not answer_model.hedged({**near, "contested": False}, answered=True)  # nothing else to show
    assert not answer_model.hedged({**near, "margin": answer_model.HEDGE_MARGIN}, answered=True)
    assert not answer_model.hedged(near, answered=True, margin=near["margin"])  # strictly below


@pytest.mark.parametrize("side", [-0.01, 0.01])
def test_the_hedge_turns_at_the_searchs_own_margin(built_index, encoders, monkeypatch, side):
    margin = _engine(built_index, encoders).search(DELIVERY, lang="de").features["margin"]
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", margin + side)
    result = _engine(built_index, encoders).search(DELIVERY, lang="de")
    assert result.answered and result.hedged == (side > 0) and result.to_dict()["hedged"] == (side > 0)
    # how many results are asked for does not change the hedge
    assert _engine(built_index, encoders).search(DELIVERY, lang="de", limit=1).hedged == (side > 0)


def test_search_hedges_by_the_first_articles_margin(fresh_engine, monkeypatch):
    clear = fresh_engine.search(DELIVERY, lang="de")
    assert clear.answered and not clear.features["known_phrasing"] and clear.features["contested"]
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", math.inf)
    near = fresh_engine.search(DELIVERY + " eigentlich", lang="de")  # another question: not cached
    assert near.answered and near.hedged and len(near.results) > 1
    assert near.results[0].id == "de/lieferzeit"  # a hedge changes the heading, not the order
    known = fresh_engine.search(KNOWN, lang="de")
    assert known.features["known_phrasing"] and known.answered and not known.hedged
    offtopic = fresh_engine.search(OFFTOPIC, lang="de")
    assert not offtopic.answered and not offtopic.hedged


def test_eval_counts_hedged_answers_apart(fresh_engine, monkeypatch):
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", math.inf)
    report = evaluate(fresh_engine, [Case(DELIVERY, "de/lieferzeit", "de"),
                                     Case(DELIVERY + " denn", "de/ruecksendung", "de")])
    assert report.answered_wrong_first == 1 and report.hedged_wrong_first == 1
    assert report.hedged_when_right == 1
    assert report.misses[0].hedged
    figures = report.as_dict()
    assert figures["answered_wrong_first_hedged"] == 1 and figures["hedged_when_right"] == 1
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", 0.0)
    none = evaluate(fresh_engine, [Case(DELIVERY + " jetzt", "de/ruecksendung", "de")])
    assert none.answered_wrong_first == 1 and none.hedged_wrong_first == 0


def test_a_corrected_question_keeps_the_hedge_of_the_correction(fresh_engine, monkeypatch):
    monkeypatch.setattr(answer_model, "HEDGE_MARGIN", math.inf)
    result = fresh_engine.search("rturn labl", lang="en")
    assert result.original == "rturn labl" and result.query == "return label"
    assert result.answered and result.hedged
    typed = fresh_engine.search("rturn labl", lang="en", correct=False)  # offered as "did you mean"
    assert typed.did_you_mean == "return label" and typed.original is None
