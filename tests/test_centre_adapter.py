"""A help centre's own query adapter (kb/index/centre_adapter.py): fitted at build time
on its front-matter questions, reused when they did not change, applied after the
model's adapter."""

import json
import re
import shutil

import numpy as np
import pytest

from kb.content.front_matter_questions import add_question
from kb.encoders import query_adapter as qa
from kb.index import centre_adapter
from kb.index.layout import centre_adapter_path
from kb.content.passages import ARTICLE, SECTION, SENTENCE
from kb.search import dense
from kb.search.dense import DenseEvidence
from search_helpers import FIXTURES, build_fake_engine

DIM, ARTICLES, PER_ARTICLE = 24, 8, 6


def _unit(x):
    return (x / np.linalg.norm(x, axis=-1, keepdims=True)).astype(np.float32)


def _centre(rng, distortion, langs=None):
    """Articles with two passages each; questions are their article's centre seen through
    a fixed distortion (customers' words), so the raw nearest article is often wrong."""
    centres = _unit(rng.normal(size=(ARTICLES, DIM)))
    passages = _unit(np.repeat(centres, 2, axis=0) + 0.3 * rng.normal(size=(2 * ARTICLES, DIM)))

    def questions(n):
        article = np.repeat(np.arange(ARTICLES), n)
        return _unit(centres[article] @ distortion + 0.2 * rng.normal(size=(len(article), DIM))), article

    langs = np.array(langs or ["en"] * ARTICLES)
    return passages, np.repeat(np.arange(ARTICLES), 2), langs, questions


def _top1(vectors, article, passages, passage_article, A=None):
    if A is not None:
        vectors = qa.QueryAdapter(A, "t").apply(vectors)
    best = (vectors @ passages.T).argmax(axis=1)
    return float((passage_article[best] == article).mean())


def test_the_fit_moves_new_questions_to_their_articles():
    rng = np.random.default_rng(3)
    distortion = np.eye(DIM) + 1.5 * rng.normal(size=(DIM, DIM)) / np.sqrt(DIM)
    passages, passage_article, langs, questions = _centre(rng, distortion)
    learned, learned_article = questions(PER_ARTICLE)
    new, new_article = questions(20)  # other questions, worded the same way
    A = centre_adapter.fit(centre_adapter.Pairs(learned, learned_article, passages, passage_article, langs))
    assert A.shape == (DIM, DIM) and A.dtype == np.float32
    before = _top1(new, new_article, passages, passage_article)
    after = _top1(new, new_article, passages, passage_article, A)
    assert before < 0.8 and after > 0.95
    again = centre_adapter.fit(centre_adapter.Pairs(learned, learned_article, passages, passage_article, langs))
    assert np.array_equal(A, again)  # deterministic: a rebuild gives the same search


def test_too_few_questions_fit_nothing_and_other_languages_are_no_competitors():
    rng = np.random.default_rng(4)
    passages, passage_article, _, questions = _centre(rng, np.eye(DIM))
    few, few_article = questions(1)
    langs = np.array(["de", "en"] * (ARTICLES // 2))
    pairs = centre_adapter.Pairs(few, few_article, passages, passage_article, langs)
    assert len(few) < centre_adapter.MIN_QUESTIONS and centre_adapter.fit(pairs) is None
    targets = centre_adapter._Targets(pairs, few_article)
    assert np.array_equal(targets.allowed, langs[None, :] == langs[few_article][:, None])


@pytest.fixture
def asked_centre(tmp_path, monkeypatch):
    """The fixture articles with enough front-matter questions for an adapter."""
    monkeypatch.delenv(qa.SWITCH, raising=False)
    qa.query_adapter.cache_clear()
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURES, articles)
    files = sorted(articles.rglob("*.md"))
    for n in range(centre_adapter.MIN_QUESTIONS + 4):
        add_question(files[n % len(files)], f"customer question number {n} about thing {n % 7}")
    yield articles
    qa.query_adapter.cache_clear()


def test_a_build_fits_reuses_and_serves_the_help_centres_adapter(asked_centre, tmp_path, monkeypatch):
    location = tmp_path / "index"
    engine = build_fake_engine(asked_centre, location)
    manifest = json.loads((location / "current" / "manifest.json").read_text())
    entry = manifest["models"][0]["centre_adapter"]
    assert entry["questions"] >= centre_adapter.MIN_QUESTIONS and "reused" not in entry
    stored = np.load(centre_adapter_path(location / "current", 0))
    assert np.array_equal(engine.index.centre_adapters[0], stored)
    question = "wann kommt mein paket"
    raw = engine.encoders[0].encode([question])
    assert np.allclose(engine.dense.query_vector(0, question),
                       qa.QueryAdapter(stored, "c").apply(raw)[0], atol=1e-5)
    assert np.allclose(engine.dense.question_vector(0, question), raw[0], atol=1e-6)  # before the centre's

    # an edit that leaves the questions and passages alone keeps the fitted adapter
    article = next(p for p in sorted(asked_centre.rglob("*.md")) if "\nupdated: " in p.read_text(encoding="utf-8"))
    text = article.read_text(encoding="utf-8")
    article.write_text(re.sub(r"\nupdated: \S+", "\nupdated: 2026-11-30", text, count=1), encoding="utf-8")
    assert article.read_text(encoding="utf-8") != text
    rebuilt = build_fake_engine(asked_centre, location)
    assert rebuilt.index.build != engine.index.build
    again = json.loads((location / "current" / "manifest.json").read_text())["models"][0]["centre_adapter"]
    assert again["reused"] and again["key"] == entry["key"]
    assert np.array_equal(rebuilt.index.centre_adapters[0], stored)

    monkeypatch.setenv(qa.SWITCH, "model")  # the model's adapter only: the help centre's is left out
    assert np.allclose(DenseEvidence(engine.index, engine.encoders).query_vector(0, question), raw[0])


def test_a_centre_without_enough_questions_has_no_adapter(tmp_path):
    location = tmp_path / "index"
    engine = build_fake_engine(FIXTURES, location)
    assert engine.index.centre_adapters == [None, None]
    assert not centre_adapter_path(location / "current", 0).exists()
    assert engine.dense.centre_maps == [None, None]


def test_an_encoder_without_passages_in_the_centres_languages_gets_no_adapter(tmp_path):
    """German articles only: the English-only encoder embeds nothing and fits nothing."""
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURES / "de", articles / "de")
    files = [f for f in sorted(articles.rglob("*.md")) if "\ndraft: true" not in f.read_text(encoding="utf-8")]
    for n in range(centre_adapter.MIN_QUESTIONS + 1):
        add_question(files[n % len(files)], f"kundenfrage nummer {n} zu ding {n % 5}")
    engine = build_fake_engine(articles, tmp_path / "index")
    assert engine.index.centre_adapters[0] is not None and engine.index.centre_adapters[1] is None


def test_answered_reads_cosines_of_the_question_before_the_centres_adapter(asked_centre, tmp_path):
    """The centre's adapter pulls every question towards its articles, off-topic ones too:
    ``answered`` takes its absolute cosines from the vector no help centre fitted."""
    engine = build_fake_engine(asked_centre, tmp_path / "index")
    assert engine.dense.centre_maps[0] is not None
    idx = engine.index
    question = "how tall is the eiffel tower"
    result = engine.search(question, limit=3)
    raw = engine.encoders[0].encode([question])[0]
    public = np.flatnonzero(idx.public_mask)
    assert len(public) <= dense.ANSWER_ARTICLES  # all counted articles are read: the exact maximum
    passages = np.concatenate([idx.article_passages[a] for a in public])
    for kind, feature in ((SENTENCE, "best_cos"), (SECTION, "cos_section"), (ARTICLE, "cos_article")):
        of_kind = passages[idx.kind[passages] == kind]
        vectors, have = idx.dense[0].passage_vectors(of_kind)
        assert result.features[feature] == pytest.approx(float((vectors[have] @ raw).max()), abs=1e-5)
    searched = engine.dense.query_vector(0, question)
    assert not np.allclose(searched, raw, atol=1e-3)  # the ranking does use the centre's adapter
