"""The ranker's columns and scores (kb/search/ranker.py), on the fixture articles with fake
encoders, and the fitting script's conditional logit (bench/fit_ranker.py) on made-up data."""
import sys
from pathlib import Path

import numpy as np
import pytest

from kb.search import ranker
from search_helpers import fake_engine  # noqa: F401 (a fixture)

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))


def _row(ev, article_id, engine):
    a = engine.index.by_id[article_id]
    return {name: float(ev.columns[name][a]) for name in ranker.COLUMNS}


def test_every_column_is_finite_for_every_candidate(fake_engine):
    ev = fake_engine.evidence("Wie lange dauert die Lieferung nach Österreich?", audience="internal")
    X = ranker.matrix(ev.columns)
    assert X.shape == (fake_engine.index.n_articles, len(ranker.COLUMNS))
    assert np.isfinite(X[ev.mask]).all()
    assert np.allclose(ev.fused[ev.mask], ranker.features(X[ev.mask]) @ ranker.WEIGHT_VECTOR)


def test_the_head_view_is_the_title_or_a_front_matter_question(fake_engine):
    ev = fake_engine.evidence("wann kommt mein paket", audience="internal")
    row = _row(ev, "de/lieferzeit", fake_engine)
    # the fake encoder gives the listed question the same vector: cosine 1, the best candidate
    assert row["multi_gap_head"] == pytest.approx(0.0, abs=1e-5)
    per_article = ev.per_article
    head = [v for (slot, view), v in per_article.items() if view == 3 and slot == 0][0]
    assert head[fake_engine.index.by_id["de/lieferzeit"]] == pytest.approx(1.0, abs=1e-4)


def test_a_german_question_has_no_monolingual_columns(fake_engine):
    ev = fake_engine.evidence("Wie lange dauert die Lieferung?", audience="internal")
    X = ranker.matrix(ev.columns)
    mono = [i for i, name in enumerate(ranker.COLUMNS) if name.startswith("mono_")]
    assert not X[:, mono].any()
    english = fake_engine.evidence("How long does delivery take?", audience="internal")
    en = fake_engine.index.by_id["en/delivery"]
    assert english.columns["mono_applies"][en] == 1.0
    assert english.columns["same_lang"][en] == 1.0
    assert english.columns["same_lang"][fake_engine.index.by_id["de/lieferzeit"]] == 0.0


def test_keyword_columns_split_by_language_relation():
    bm25 = np.array([4.0, 3.0, 0.0])
    mask = np.array([True, True, True])
    langs = np.array(["de", "en", "de"])
    cols = ranker.keyword_columns(bm25, mask, langs, "de")
    assert cols["kw_rel"].tolist() == [1.0, 0.75, 0.0]
    assert cols["kw_z_same"][1] == 0.0 and cols["kw_z_other"][1] != 0.0
    assert not cols["kw_z_unknown"].any()
    unknown = ranker.keyword_columns(bm25, mask, langs, None)
    assert not unknown["kw_z_same"].any() and not unknown["kw_z_other"].any()
    assert unknown["kw_z_unknown"][0] > 0


def test_the_fit_learns_which_column_finds_the_right_article():
    """Column 0 points at the right article, the others are noise: after fitting, column 0
    carries the weight and ranks the right article first in most questions it never saw."""
    from fit_ranker import Flat, fit

    rng = np.random.default_rng(0)

    def question(business):
        X = rng.normal(size=(8, len(ranker.COLUMNS)))
        gold = int(rng.integers(8))
        X[gold, 0] += 2.0
        return {"business": business, "centre": business, "X": X,
                "group": np.array([f"g{i}" for i in range(8)]), "gold": f"g{gold}"}

    train = [question("a" if i % 2 else "b") for i in range(400)]
    w = fit(train, l2=0.001)
    assert w[0] == max(w, key=abs)
    held = [question("c") for _ in range(200)]
    assert (Flat(held).ranks(w) == 1).mean() > 0.6


def test_corrections_for_english_leave_a_german_question_alone(fake_engine, monkeypatch):
    """MONO_CORRECTIONS apply where the English model counts for an article: a German
    question ranks by the shared weights alone, an English one by both."""
    german = fake_engine.evidence("Wie lange dauert die Lieferung?", audience="internal")
    english = fake_engine.evidence("How long does delivery take?", audience="internal")
    before = ranker.scores(german.columns), ranker.scores(english.columns)
    n = len(ranker.COLUMNS)
    vector = ranker.WEIGHT_VECTOR.copy()
    vector[n:] += 1.0
    monkeypatch.setattr(ranker, "WEIGHT_VECTOR", vector)
    assert np.allclose(ranker.scores(german.columns), before[0])
    en = fake_engine.index.by_id["en/delivery"]
    assert not np.isclose(ranker.scores(english.columns)[en], before[1][en])


def test_the_correction_fit_learns_what_counts_for_english_questions_only():
    """Column 0 finds the article for German questions, column 1 for English ones (where
    ``mono_applies``): the shared fit takes column 0, the corrections add column 1 without
    changing the German ranking."""
    from fit_ranker import Flat, featured, fit, fit_correction

    rng = np.random.default_rng(1)
    applies = ranker.COLUMNS.index("mono_applies")

    def question(english):
        X = rng.normal(size=(8, len(ranker.COLUMNS)))
        X[:, applies] = float(english)
        gold = int(rng.integers(8))
        X[gold, 1 if english else 0] += 3.0
        return {"business": "en" if english else "de", "centre": "c", "X": X,
                "group": np.array([f"g{i}" for i in range(8)]), "gold": f"g{gold}"}

    train = [question(i % 2 == 1) for i in range(600)]
    w = fit(train, l2=0.001)
    correction = fit_correction(train, w, l2=0.001)
    assert correction[ranker.CORRECTED.index(ranker.COLUMNS[1])] == max(correction)
    held = [question(True) for _ in range(200)]
    full = np.r_[w, correction]
    assert (Flat(featured(held)).ranks(full) == 1).mean() > (Flat(featured(held)).ranks(
        np.r_[w, np.zeros_like(correction)]) == 1).mean() + 0.1
