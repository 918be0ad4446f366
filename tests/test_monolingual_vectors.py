"""A monolingual encoder (all-MiniLM-L6-v2@en) embeds only its language's passages:
stored, reused across builds and searched as before, the other articles untouched."""
import json

import numpy as np

from kb import index_build
from kb.catalog import Catalog
from kb.encoders import DEFAULT_MODELS
from kb.index_build import build_index
from kb.index_store import LoadedIndex
from kb.search import SearchEngine


def test_the_english_model_has_vectors_of_english_passages_only(built_index, encoders):
    idx = LoadedIndex(built_index, DEFAULT_MODELS)
    english = idx.article_lang[idx.article] == "en"
    assert 0 < english.sum() < len(idx.kind)
    assert idx.rows[0] is None and idx.faiss[0].ntotal == len(idx.kind)
    assert np.array_equal(idx.rows[1], np.flatnonzero(english))
    assert idx.faiss[1].ntotal == english.sum()
    manifest = json.loads((idx.build / "manifest.json").read_text())
    assert manifest["models"][1]["vectors"] == english.sum()
    # the stored vector of an English passage is that passage's encoding
    passages = np.flatnonzero(english)
    title = next(a for a in idx.articles if a["lang"] == "en")["title"]
    q = encoders[1].encode([title])[0]
    sims = idx.similarities(1, q)
    assert sims[~english].max() == 0.0  # no vector: not counted by the ranker
    assert sims[passages].max() > 0.99  # the title is one of its own passages


def test_vectors_are_reused_from_this_and_the_previous_format(articles_dir, tmp_path, encoders, monkeypatch):
    location = tmp_path / "index"
    with monkeypatch.context() as m:  # a format 4 build: every passage, every encoder
        m.setattr(index_build, "FORMAT_VERSION", 4)
        m.setattr(index_build, "encoded_rows", lambda *a: None)
        build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    assert json.loads((location / "current" / "manifest.json").read_text())["format"] == 4
    p = articles_dir / "en" / "delivery.md"
    p.write_text(p.read_text() + "\n## Parcel lockers\nWe also deliver to parcel lockers near you.\n")
    report = build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    use, minilm = (e.name for e in encoders)
    # only the new section's passages (section, its sentence, the changed article view)
    assert 0 < report.encoded[use] <= 3 and report.encoded[minilm] == report.encoded[use]
    idx = LoadedIndex(location, DEFAULT_MODELS)
    assert idx.faiss[1].ntotal == (idx.article_lang[idx.article] == "en").sum() < len(idx.kind)
    # and from a format 5 build: a German change costs the English model nothing
    p = articles_dir / "de" / "lieferzeit.md"
    p.write_text(p.read_text() + "\n## Packstation\nWir liefern auch an Packstationen in Ihrer Nähe.\n")
    report = build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    assert report.encoded[use] > 0 and report.encoded[minilm] == 0
    assert report.reused[minilm] == idx.faiss[1].ntotal
    fresh = build_index(articles_dir, tmp_path / "fresh", lambda: encoders, DEFAULT_MODELS)
    a, b = LoadedIndex(location, DEFAULT_MODELS), LoadedIndex(fresh.path, DEFAULT_MODELS)
    for slot in (0, 1):
        assert np.abs(a.vectors[slot].astype(np.float32) - b.vectors[slot].astype(np.float32)).max() < 1e-3
    ea, eb = SearchEngine(a, encoders), SearchEngine(b, encoders)
    for q in ("parcel lockers", "Packstation", "return label", "Rücksendung"):
        assert [h.id for h in ea.search(q).results] == [h.id for h in eb.search(q).results]


def test_with_only_a_monolingual_model_other_articles_have_no_related_by_vector(articles_dir, tmp_path,
                                                                              encoders):
    spec = "all-MiniLM-L6-v2@en"
    build_index(articles_dir, tmp_path / "index", lambda: encoders[1:], spec)
    engine = SearchEngine(LoadedIndex(tmp_path / "index", spec), encoders[1:])
    assert engine.index.rows[0] is not None
    catalog = Catalog(engine)
    assert catalog.related(catalog.get("de/lieferzeit")) == []
    related = [r["id"] for r in catalog.related(catalog.get("en/delivery"))]
    assert related == ["en/returns"]
    assert engine.search("How long does delivery take?").results[0].id == "en/delivery"
