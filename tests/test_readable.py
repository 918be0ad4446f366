"""An article the customer cannot read in the question's language falls behind the others
(kb/search/readable.py)."""
import re
import shutil

import numpy as np
import pytest

from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search import readable
from kb.search.engine import SearchEngine
from kb.search.readable import LAG, Readability
from search_helpers import FIXTURES


def _article(id_, translation=None):
    return {"id": id_, "lang": id_[:2], "translation": translation}


ARTICLES = [_article("de/a"), _article("en/b"), _article("en/c", "c"), _article("de/c", "c"),
            _article("en/d", "d")]
LANGS = np.array([a["lang"] for a in ARTICLES])
ALL = np.ones(len(ARTICLES), dtype=bool)


def test_only_articles_without_a_version_in_the_questions_language_fall_behind():
    r = Readability(ARTICLES, LANGS)
    assert r.unreadable(ALL, "de").tolist() == [False, True, False, False, True]  # en/c has de/c
    assert r.unreadable(ALL, "en").tolist() == [True, False, False, False, False]
    # de/c may not be shown (filtered out): en/c cannot be read in German then
    assert r.unreadable(np.array([1, 1, 1, 0, 1], dtype=bool), "de").tolist() == [False, True, True, False, True]
    scores = np.arange(5, dtype=np.float64)
    assert np.allclose(r.lagged(scores, ALL, "de"), scores - LAG * np.array([0, 1, 0, 0, 1]))


@pytest.mark.parametrize("mask, qlang", [
    (ALL, None),  # the question's language unknown
    (np.array([0, 1, 1, 0, 1], dtype=bool), "de"),  # no article readable: nothing to prefer
    (np.array([1, 0, 1, 1, 0], dtype=bool), "de"),  # every article readable
    (ALL, "fr"),
])
def test_nothing_changes_where_the_language_sets_no_article_apart(mask, qlang):
    r = Readability(ARTICLES, LANGS)
    assert r.unreadable(mask, qlang) is None
    scores = np.arange(5, dtype=np.float64)
    assert r.lagged(scores, mask, qlang) is scores


@pytest.fixture(scope="module")
def unlinked_engine(tmp_path_factory, encoders):
    """The fixture help centre with its German and English versions not linked."""
    base = tmp_path_factory.mktemp("unlinked")
    shutil.copytree(FIXTURES, base / "articles")
    for path in (base / "articles").rglob("*.md"):
        path.write_text(re.sub(r"(?m)^translation: .*\n", "", path.read_text(encoding="utf-8")),
                        encoding="utf-8")
    build_index(base / "articles", base / "index", lambda: encoders, DEFAULT_MODELS)
    return SearchEngine(LoadedIndex(base / "index", DEFAULT_MODELS), encoders)


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
    # the question's own language wins over the page's
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
