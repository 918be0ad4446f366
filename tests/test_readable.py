"""An article the customer cannot read in the question's language falls behind the others
(kb/search/readable.py)."""
import re
import shutil

import numpy as np
import pytest

from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search import readable, ranker
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


def _lag_by_article(engine, question, lang):
    """Article id -> how far the search put it behind the ranker's own score."""
    ev = engine.evidence(question, lang=lang)
    plain = ranker.scores(ev.columns)
    return {a["id"]: round(float(plain[i] - ev.fused[i]), 6)
            for i, a in enumerate(engine.index.articles) if ev.mask[i]}


def test_a_german_question_reads_german_articles_first_where_versions_are_not_linked(unlinked_engine):
    lags = _lag_by_article(unlinked_engine, "wann kommt mein paket", "de")
    assert lags == {"de/lieferzeit": 0, "de/ruecksendung": 0, "en/delivery": LAG, "en/returns": LAG}
    result = unlinked_engine.search("wann kommt mein paket", lang="de")
    assert [h.lang for h in result.results] == ["de", "de", "en", "en"]
    assert result.results[0].id == "de/lieferzeit"


def test_an_english_question_reads_english_articles_first(unlinked_engine):
    # the question's own language wins over the page's
    lags = _lag_by_article(unlinked_engine, "return label", "de")
    assert lags == {"de/lieferzeit": LAG, "de/ruecksendung": LAG, "en/delivery": 0, "en/returns": 0}
    result = unlinked_engine.search("return label", lang="de")
    assert result.lang == "en" and result.results[0].id == "en/returns"


def test_a_question_in_a_language_no_article_uses_ranks_as_before(unlinked_engine, monkeypatch):
    def fused():
        return unlinked_engine.evidence("wann kommt mein paket", lang="de", languages=("en",)).fused
    lagged = fused()
    monkeypatch.setattr(readable, "LAG", 0.0)
    assert np.array_equal(lagged, fused())


def test_linked_versions_rank_as_before(engine, monkeypatch):
    question = "wann kommt mein paket"
    lagged = engine.evidence(question, lang="de").fused
    monkeypatch.setattr(readable, "LAG", 0.0)
    plain = engine.evidence(question, lang="de").fused
    assert np.array_equal(lagged, plain)
