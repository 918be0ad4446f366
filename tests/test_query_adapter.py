"""Query adapters (kb/encoders/query_adapter.py): questions' vectors move, articles' do not."""

import sys
from pathlib import Path

import numpy as np
import pytest

from kb.encoders import query_adapter as qa
from kb.search.dense import DenseEvidence
from search_helpers import FIXTURES, build_fake_engine


@pytest.fixture
def adapters(tmp_path, monkeypatch):
    """An adapters folder of our own; the cache of loaded adapters is emptied around the test."""
    folder = tmp_path / "adapters"
    folder.mkdir()
    monkeypatch.setattr(qa, "ADAPTERS", folder)
    monkeypatch.delenv(qa.SWITCH, raising=False)
    qa.query_adapter.cache_clear()
    yield folder
    qa.query_adapter.cache_clear()


def test_apply_maps_and_normalises():
    A = np.zeros((3, 3), dtype=np.float32)
    A[0, 1] = 1.0  # the first dimension also pulls towards the second
    out = qa.QueryAdapter(A, "x").apply(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]], dtype=np.float32))
    assert np.allclose(out, [[2 ** -0.5, 2 ** -0.5, 0.0], [0.0, 0.0, 1.0]])
    with pytest.raises(ValueError, match="for 3 dimensions"):
        qa.QueryAdapter(A, "x").apply(np.ones((1, 4), dtype=np.float32))
    with pytest.raises(ValueError, match="square"):
        qa.QueryAdapter(np.zeros((2, 3)), "x")


def test_only_an_encoder_with_a_file_is_adapted_and_the_switch_turns_it_off(adapters, monkeypatch):
    np.savez(adapters / "fake-multi.npz", A=np.zeros((4, 4), dtype=np.float32))
    assert qa.query_adapter("fake-multi").dim == 4
    assert qa.query_adapter("fake-en") is None
    qa.query_adapter.cache_clear()
    monkeypatch.setenv(qa.SWITCH, "off")
    assert qa.query_adapter("fake-multi") is None


def test_dense_evidence_adapts_questions_not_passages(adapters, tmp_path):
    engine = build_fake_engine(FIXTURES, tmp_path / "index")
    encoder = engine.encoders[0]
    rng = np.random.default_rng(0)
    np.savez(adapters / f"{encoder.name}.npz", A=rng.normal(0, 0.3, (encoder.dim, encoder.dim)).astype(np.float32))
    qa.query_adapter.cache_clear()  # the engine built above looked before the file existed
    adapted = DenseEvidence(engine.index, engine.encoders)
    plain_vectors = engine.index.vectors[0].copy()
    question = "wann kommt mein paket"
    raw = encoder.encode([question])
    moved = adapted.encode_questions(0, [question])
    assert np.allclose(moved, qa.query_adapter(encoder.name).apply(raw))
    assert not np.allclose(moved, raw) and np.isclose(np.linalg.norm(moved), 1.0, atol=1e-5)
    assert np.array_equal(engine.index.vectors[0], plain_vectors)  # the articles' vectors stay
    assert adapted.adapters[1] is None  # the English fake has no file: its vectors as encoded
    assert np.allclose(adapted.encode_questions(1, [question]), engine.encoders[1].encode([question]))


def test_fitting_an_adapter_for_other_languages_than_configured_is_refused():
    """The adapter file is keyed by the model's name: fitting mpnet without its ``@en`` would
    replace the served adapter with one fitted on German questions mpnet never encodes."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    from fit_adapter import configured_languages_differ

    configured = "use-multilingual-v3,all-mpnet-base-v2:int8-block128@en"
    why = configured_languages_differ("all-mpnet-base-v2:int8-block128", configured)
    assert why and "all-mpnet-base-v2:int8-block128@en" in why and "--languages-as-given" in why
    assert configured_languages_differ("all-mpnet-base-v2:int8-block128@en", configured) is None
    assert configured_languages_differ("use-multilingual-v3", configured) is None
    assert "every language" in configured_languages_differ("use-multilingual-v3@de", configured)
    assert configured_languages_differ("some-other-model", configured) is None
