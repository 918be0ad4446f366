"""A monolingual encoder (all-MiniLM-L6-v2@en) embeds only its language's passages:
stored, reused across builds and searched as before, the other articles untouched."""
import json

import numpy as np
import pytest

from kb.index import build as index_build
from kb.web.catalog import Catalog
from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search.engine import SearchEngine


@pytest.fixture(autouse=True)
def _no_vector_cache(monkeypatch):
    """These tests count what a build encodes: no vectors from the run's cache."""
    monkeypatch.delenv("KB_VECTOR_CACHE", raising=False)


def test_the_english_model_has_vectors_of_english_passages_only(built_index, encoders):
    idx = LoadedIndex(built_index, DEFAULT_MODELS)
    english = idx.article_lang[idx.article] == "en"
    assert 0 < english.sum() < len(idx.kind)
    assert (idx.nodes[0] >= 0).all()
    assert np.array_equal(np.flatnonzero(idx.nodes[1] >= 0), np.flatnonzero(english))
    # one vector per distinct text: a passage's node holds its text's vector
    for slot, covered in ((0, np.ones(len(idx.kind), dtype=bool)), (1, english)):
        hashes = np.load(idx.build / "passages.npz")["hashes"][covered]
        assert idx.faiss[slot].ntotal == len(np.unique(hashes)) <= covered.sum()
        same_node = idx.nodes[slot][covered][:, None] == idx.nodes[slot][covered][None, :]
        assert np.array_equal(same_node, hashes[:, None] == hashes[None, :])
    manifest = json.loads((idx.build / "manifest.json").read_text())
    assert manifest["models"][1]["passages"] == english.sum()
    assert manifest["models"][1]["vectors"] == idx.faiss[1].ntotal
    # the stored vector of an English passage is that passage's encoding
    passages = np.flatnonzero(english)
    title = next(a for a in idx.articles if a["lang"] == "en")["title"]
    q = encoders[1].encode([title])[0]
    sims = idx.similarities(1, q)
    assert sims[~english].max() == 0.0  # no vector: not counted by the ranker
    assert sims[passages].max() > 0.99  # the title is one of its own passages


def as_format_5(build):
    """Rewrite a build as format 5 stored it: one vector per embedded passage, in order."""
    import faiss

    manifest = json.loads((build / "manifest.json").read_text())
    for slot in range(len(manifest["models"])):
        node_of = np.load(build / f"vectors-{slot}.nodes.npy")
        index = faiss.read_index(str(build / f"vectors-{slot}.faiss"))
        per_passage = index.reconstruct_n(0, index.ntotal)[node_of[node_of >= 0]]
        flat = faiss.IndexScalarQuantizer(index.d, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        flat.add(per_passage)
        faiss.write_index(flat, str(build / f"vectors-{slot}.faiss"))
        (build / f"vectors-{slot}.nodes.npy").unlink()
    manifest["format"] = 5
    (build / "manifest.json").write_text(json.dumps(manifest))


def test_vectors_are_reused_from_this_and_the_previous_format(articles_dir, tmp_path, encoders):
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    as_format_5((location / "current").resolve())
    p = articles_dir / "en" / "delivery.md"
    p.write_text(p.read_text() + "\n## Parcel lockers\nWe also deliver to parcel lockers near you.\n")
    report = build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    use, minilm = (e.name for e in encoders)
    # only the new section's passages (section, its sentence, the changed article view)
    assert 0 < report.encoded[use] <= 3 and report.encoded[minilm] == report.encoded[use]
    idx = LoadedIndex(location, DEFAULT_MODELS)
    assert idx.manifest["format"] == index_build.FORMAT_VERSION
    assert idx.faiss[1].ntotal <= (idx.article_lang[idx.article] == "en").sum() < len(idx.kind)
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
    assert (engine.index.nodes[0] < 0).any()
    catalog = Catalog(engine)
    assert catalog.related(catalog.get("de/lieferzeit")) == []
    related = [r["id"] for r in catalog.related(catalog.get("en/delivery"))]
    assert related == ["en/returns"]
    assert engine.search("How long does delivery take?").results[0].id == "en/delivery"
