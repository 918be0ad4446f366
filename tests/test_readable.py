"""An article the customer cannot read in the question's language falls behind the others
(kb/search/readable.py)."""
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kb.content.articles import load_articles
from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search import readable
from kb.search.engine import SearchEngine
from kb.search.readable import CONFIDENCE_LEAD, LAG, Readability, put_first, surer_alone, unlinked_versions
from kb.search.results import Hit, SearchResult
from search_helpers import FIXTURES

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
from centres import unlinked_copy  # noqa: E402


def _article(id_, translation=None):
    return {"id": id_, "lang": id_[:2], "translation": translation}


def _vectors(*rows):
    return np.array(rows, dtype=np.float32), np.ones(len(rows), dtype=bool)


# de/a and en/a are one article's versions, not linked; de/x and en/x are linked; en/only has
# no German version; de/near is close to en/a, but en/a is closer still to de/a
ARTICLES = [_article("de/a"), _article("en/a"), _article("de/x", "x"), _article("en/x", "x"),
            _article("en/only"), _article("de/near")]
VECTORS = _vectors([1, 0, 0, 0], [0.95, 0.1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0.8, 0, 0, 0.6])
ALL = np.ones(len(ARTICLES), dtype=bool)


def test_unlinked_versions_are_mutual_nearest_neighbours_across_languages():
    versions = unlinked_versions(ARTICLES, *VECTORS)
    assert versions["de"].tolist() == [-1, 0, -1, -1, -1, -1]  # en/a's is de/a, not de/near
    assert versions["en"].tolist() == [1, -1, -1, -1, -1, -1]  # de/x and en/x: linked already
    # too far apart to be one article's versions
    apart = unlinked_versions(ARTICLES[:2], *_vectors([1, 0], [0.4, 0.9]))
    assert apart["de"].tolist() == [-1, -1]


def test_only_an_article_whose_version_in_the_questions_language_may_be_shown_falls_behind():
    r = Readability(ARTICLES, *VECTORS)
    assert r.unreadable(ALL, "de").tolist() == [False, True, False, False, False, False]
    assert r.unreadable(ALL, "en").tolist() == [True, False, False, False, False, False]
    scores = np.arange(6, dtype=np.float64)
    assert np.allclose(r.lagged(scores, ALL, "de"), scores - LAG * np.array([0, 1, 0, 0, 0, 0]))


def test_articles_with_no_version_in_the_questions_language_are_alone():
    r = Readability(ARTICLES, *VECTORS)
    assert r.alone(ALL, "de").tolist() == [False, False, False, False, True, False]  # en/only
    assert r.alone(ALL, "en").tolist() == [False, False, False, False, False, True]  # de/near
    without_de_a = np.array([0, 1, 1, 1, 1, 1], dtype=bool)
    assert r.alone(without_de_a, "de").tolist() == [False, True, False, False, True, False]
    # no German article may be shown: a cross-language search, nothing is alone
    assert not r.alone(np.array([0, 1, 0, 1, 1, 0], dtype=bool), "de").any()
    assert not r.alone(ALL, None).any()


def _hit(id_):
    return Hit(id=id_, title=id_, lang=id_[:2], category="c", audience="public", score=0.0,
               section="", anchor="", snippet="")


class _Index:
    def __init__(self, articles):
        self.articles = articles
        self.by_id = {a["id"]: i for i, a in enumerate(articles)}


def test_the_surer_ranking_of_the_articles_alone_puts_its_first_article_first():
    index = _Index(ARTICLES)
    alone = np.array([0, 0, 0, 0, 1, 0], dtype=bool)
    main = SearchResult("q", "de", False, None, [_hit("de/a"), _hit("en/only"), _hit("de/x")], confidence=0.2)
    surer = SearchResult("q", "de", True, None, [_hit("en/only")], confidence=0.2 + CONFIDENCE_LEAD + 0.01)
    assert surer_alone(index, main, surer, alone) == 4
    barely = replace(surer, confidence=0.2 + CONFIDENCE_LEAD - 0.01)
    assert surer_alone(index, main, barely, alone) is None
    readable_first = replace(surer, results=[_hit("de/a")])  # has a version: not for this rule
    assert surer_alone(index, main, readable_first, alone) is None
    mixed = put_first(index, main, _hit("en/only"), limit=3)
    assert [h.id for h in mixed.results] == ["en/only", "de/a", "de/x"]
    assert (mixed.answered, mixed.confidence) == (False, 0.2)  # offered, not asserted


@pytest.mark.parametrize("mask, qlang", [
    (ALL, None),  # the question's language unknown
    (ALL, "fr"),
    (np.array([0, 1, 1, 1, 1, 1], dtype=bool), "de"),  # de/a may not be shown: en/a is the answer
])
def test_nothing_changes_where_no_readable_version_may_be_shown(mask, qlang):
    r = Readability(ARTICLES, *VECTORS)
    assert r.unreadable(mask, qlang) is None
    scores = np.arange(6, dtype=np.float64)
    assert r.lagged(scores, mask, qlang) is scores


@pytest.fixture(scope="module")
def unlinked_engine(tmp_path_factory, encoders):
    """The fixture help centre with its German and English versions not linked."""
    base = tmp_path_factory.mktemp("unlinked")
    unlinked_copy(FIXTURES, base / "articles")
    build_index(base / "articles", base / "index", lambda: encoders, DEFAULT_MODELS)
    return SearchEngine(LoadedIndex(base / "index", DEFAULT_MODELS), encoders)


def test_an_unlinked_copy_differs_only_by_the_translation_lines(tmp_path):
    originals, problems = load_articles(FIXTURES)
    copies, copy_problems = load_articles(unlinked_copy(FIXTURES, tmp_path / "articles"))
    assert not problems and not copy_problems
    assert any(a.translation for a in originals) and not any(a.translation for a in copies)
    by_id = {a.id: a for a in copies}
    for article in originals:
        copy = by_id[article.id]
        assert (copy.title, copy.body, copy.questions, copy.lang) == \
            (article.title, article.body, article.questions, article.lang)


def _order(engine, question, lang, lag, monkeypatch, **options):
    monkeypatch.setattr(readable, "LAG", lag)
    engine._results.data.clear()
    return engine.search(question, lang=lang, **options)


def test_a_german_question_reads_german_articles_first_where_versions_are_not_linked(
        unlinked_engine, monkeypatch):
    plain = _order(unlinked_engine, "wann kommt mein paket", "de", 0.0, monkeypatch)
    assert [h.id for h in plain.results[:2]] == ["de/lieferzeit", "en/delivery"]
    lagged = _order(unlinked_engine, "wann kommt mein paket", "de", LAG, monkeypatch)
    assert [h.id for h in lagged.results] == ["de/lieferzeit", "de/ruecksendung", "en/delivery", "en/returns"]
    # the order changed, not the evidence: `answered` and the scores stay as they were
    assert (lagged.answered, lagged.confidence) == (plain.answered, plain.confidence)
    assert {h.id: h.score for h in lagged.results} == {h.id: h.score for h in plain.results}


def test_an_english_question_reads_english_articles_first(unlinked_engine, monkeypatch):
    plain = _order(unlinked_engine, "where is my order", "en", 0.0, monkeypatch)
    lagged = _order(unlinked_engine, "where is my order", "en", LAG, monkeypatch)
    assert lagged.lang == "en"
    # ordered by the evidence, the German articles LAG lower
    expected = sorted(plain.results, key=lambda h: -(h.score - (LAG if h.lang == "de" else 0.0)))
    assert [h.id for h in lagged.results] == [h.id for h in expected]
    assert [h.id for h in lagged.results] != [h.id for h in plain.results]
    # the question's own language wins over the page's where its words say it clearly ("return"
    # is no German word); one word both languages know ("order canceln") is a loanword as likely
    assert _order(unlinked_engine, "how do I get a return label", "de", LAG, monkeypatch).results[0].id == "en/returns"
    assert _order(unlinked_engine, "return label", "de", LAG, monkeypatch).results[0].id == "en/returns"


def test_a_question_in_a_language_no_article_uses_ranks_as_before(unlinked_engine, monkeypatch):
    def order(lag):
        result = _order(unlinked_engine, "wann kommt mein paket", "de", lag, monkeypatch, languages=["en"])
        return [(h.id, h.score) for h in result.results]
    assert order(LAG) == order(0.0)


def test_linked_versions_rank_as_before(engine, monkeypatch):
    for question in ("wann kommt mein paket", "return label"):
        lagged = _order(engine, question, "de", LAG, monkeypatch)
        plain = _order(engine, question, "de", 0.0, monkeypatch)
        assert [(h.id, h.score) for h in lagged.results] == [(h.id, h.score) for h in plain.results]


def test_an_article_with_no_version_in_the_questions_language_comes_first_when_surer(
        tmp_path_factory, encoders, monkeypatch):
    base = tmp_path_factory.mktemp("partial")
    unlinked_copy(FIXTURES, base / "articles")
    (base / "articles" / "en" / "delivery.md").unlink()  # translated in part
    build_index(base / "articles", base / "index", lambda: encoders, DEFAULT_MODELS)
    partial = SearchEngine(LoadedIndex(base / "index", DEFAULT_MODELS), encoders)
    question = "when will my parcel arrive"
    monkeypatch.setattr(readable, "CONFIDENCE_LEAD", 10.0)  # never surer enough
    partial._results.data.clear()
    own = partial.search(question, lang="en")
    monkeypatch.undo()
    partial._results.data.clear()
    offered = partial.search(question, lang="en")
    assert own.results[0].id == "en/returns" and not own.answered
    assert offered.results[0].id == "de/lieferzeit"  # the only article about delivery
    assert [h.id for h in offered.results[1:]] == [h.id for h in own.results if h.id != "de/lieferzeit"]
    assert (offered.answered, offered.confidence) == (own.answered, own.confidence)
    # its score is the first ranking's, as every other result's
    assert offered.results[0].score == next(h.score for h in own.results if h.id == "de/lieferzeit")
