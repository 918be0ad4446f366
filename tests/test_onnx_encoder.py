"""The English model through ONNX Runtime: same vectors, no torch in the process, and
damaged or unsupported exports never used silently."""
import json
import os
import shutil
import subprocess
import sys
import time

import numpy as np
import pytest

from kb import encoders as enc
from kb.encoders import export_lock, runtime_choice
from kb.encoders import onnx_runtime as onnx_encoder
from kb.encoders import onnx_export
from kb.encoders import EncoderSpec, ModelLoadError

MINILM = EncoderSpec("all-MiniLM-L6-v2", frozenset({"en"}))
TEXTS = [
    "Where is my parcel?", "wo ist mein Paket", "can I send it back after 3 weeks",
    "  leading and trailing spaces  ", "ÜBER 9000 Zeichen? Ünïcödé ☃", "refund " * 300, "",
    "I ordered two pairs of shoes but only one arrived, what now?",
]


@pytest.fixture()
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("KB_MODEL_CACHE", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture(scope="module")
def torch_minilm():
    return enc.SentenceTransformerEncoder(MINILM, enc.model_path(MINILM))


@pytest.fixture(scope="module")
def pristine_export(tmp_path_factory):
    """One export of the model for the tests that start from an existing one: each export
    loads the model and runs torch's exporter (seconds)."""
    cache = tmp_path_factory.mktemp("pristine") / "models"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_MODEL_CACHE", str(cache))
        assert isinstance(enc.load_encoder(MINILM), onnx_encoder.OnnxEncoder)
    return _export_folder(cache)


@pytest.fixture()
def exported(cache, pristine_export):
    """This test's cache, holding a copy of the pristine export."""
    shutil.copytree(pristine_export, cache / pristine_export.name)
    return cache


def _export_folder(cache):
    folders = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(folders) == 1, folders
    return folders[0]


def test_export_reproduces_the_models_embeddings(cache, torch_minilm):
    loaded = enc.load_encoder(MINILM)
    assert isinstance(loaded, onnx_encoder.OnnxEncoder)
    assert loaded.dim == torch_minilm.dim == 384 and loaded.languages == frozenset({"en"})
    ours, theirs = loaded.encode(TEXTS, batch_size=3), torch_minilm.encode(TEXTS)
    assert ours.dtype == np.float32 and ours.shape == theirs.shape
    assert np.abs(ours - theirs).max() < 1e-5
    # one text alone gets the vector it gets in a padded batch
    assert np.abs(loaded.encode([TEXTS[2]])[0] - ours[2]).max() < 1e-5
    folder = _export_folder(cache)
    assert folder.name.startswith("all-MiniLM-L6-v2-")
    config = json.loads((folder / "export.json").read_text())
    assert config["pooling"] == "mean" and config["max_seq_length"] == 256


def test_a_process_with_the_export_never_imports_torch(exported):
    cache = exported
    code = ("import sys; from kb.encoders import load_encoders; e = load_encoders("
            "'use-multilingual-v3,all-MiniLM-L6-v2@en'); v = e[1].encode(['Where is my parcel?']); "
            "print(type(e[1]).__name__, round(float(v[0] @ v[0]), 4), "
            "sorted(m for m in ('torch', 'transformers', 'sentence_transformers', 'sklearn') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**os.environ, "KB_MODEL_CACHE": str(cache)}, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["OnnxEncoder", "1.0", "[]"]


def test_a_process_waits_for_the_export_another_is_making_and_reads_it(cache):
    """Two processes loading a model whose export is not made yet (test workers, a server
    beside ``kb index``) make it once: the second waits for the first and reads its export."""
    code = ("import logging, sys; logging.basicConfig(level=logging.INFO, stream=sys.stderr); "
            "from kb import encoders as enc; print('loading', flush=True); "
            "e = enc.load_encoder(enc.EncoderSpec('all-MiniLM-L6-v2', frozenset({'en'}))); "
            "print(type(e).__name__, flush=True)")
    waiting = None
    try:
        with export_lock.one_maker(MINILM):
            waiting = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE,
                                       stderr=subprocess.PIPE, text=True,
                                       env={**os.environ, "KB_MODEL_CACHE": str(cache)})
            assert waiting.stdout.readline().strip() == "loading"
            made = runtime_choice.sentence_transformer(MINILM)  # the export, while the other process waits
            assert isinstance(made, onnx_encoder.OnnxEncoder) and waiting.poll() is None
        out, err = waiting.communicate(timeout=120)
    finally:
        if waiting is not None and waiting.poll() is None:
            waiting.kill()
            waiting.communicate()
    assert waiting.returncode == 0, err
    assert out.split() == ["OnnxEncoder"]
    assert "exported for ONNX Runtime" not in err  # it read the export made here
    assert "waiting for the process making its export" in err  # and said why it waited
    assert len([p for p in cache.iterdir() if not p.name.startswith(".")]) == 1


def test_a_maker_that_never_finishes_is_not_waited_for_forever(cache, monkeypatch, caplog):
    """The lock only saves work: after MAX_EXPORT_WAIT_S the process makes its own export
    (an export moves into place in one rename, so two makers cannot damage it)."""
    monkeypatch.setattr(export_lock, "MAX_EXPORT_WAIT_S", 1.0)
    cache.mkdir(parents=True)
    with export_lock.one_maker(MINILM):  # held here, as by a stopped `kb index`
        started = time.monotonic()
        with export_lock.one_maker(MINILM):  # its own open file: flock makes it wait like another process
            waited = time.monotonic() - started
    assert 1.0 <= waited < 10
    assert "waited 1 s for the process making its export" in caplog.text


@pytest.mark.parametrize("damage", [
    lambda f: (f / "model.onnx").write_bytes((f / "model.onnx").read_bytes()[:5000]),
    lambda f: (f / "tokenizer.json").write_text("{not json"),
    lambda f: np.savez(f / "probe.npz", texts=np.array(["a"]), vectors=np.ones((1, 384), np.float32)),
    lambda f: (f / "export.json").write_text(json.dumps({**json.loads((f / "export.json").read_text()),
                                                         "pooling": "cls"})),
])
def test_a_damaged_export_is_made_again(exported, torch_minilm, damage, caplog):
    folder = _export_folder(exported)
    assert isinstance(onnx_encoder.OnnxEncoder(MINILM.name, MINILM.languages, folder), onnx_encoder.OnnxEncoder)
    damage(folder)
    with pytest.raises(onnx_encoder.ExportUnusable):
        onnx_encoder.OnnxEncoder(MINILM.name, MINILM.languages, folder)
    loaded = enc.load_encoder(MINILM)  # warns, loads the model, exports it again
    assert isinstance(loaded, onnx_encoder.OnnxEncoder)
    assert "exporting model 'all-MiniLM-L6-v2' again" in caplog.text
    assert np.abs(loaded.encode(TEXTS[:3]) - torch_minilm.encode(TEXTS[:3])).max() < 1e-5


def test_an_unsupported_model_runs_on_torch_and_is_not_tried_again(cache, tmp_path, caplog):
    model = tmp_path / "weighted-minilm"
    shutil.copytree(enc.model_path(MINILM), model)
    pooling = model / "1_Pooling" / "config.json"
    config = json.loads(pooling.read_text())
    config.update(pooling_mode_mean_tokens=False, pooling_mode_weightedmean_tokens=True)
    pooling.write_text(json.dumps(config))
    spec = EncoderSpec(str(model), None)
    loaded = enc.load_encoder(spec)
    assert isinstance(loaded, enc.SentenceTransformerEncoder)
    assert "no ONNX export (pooling 'weightedmean'" in caplog.text
    folder = _export_folder(cache)
    assert onnx_export.refused(folder).startswith("pooling 'weightedmean'")
    assert not (folder / "model.onnx").exists()
    caplog.clear()
    assert isinstance(enc.load_encoder(spec), enc.SentenceTransformerEncoder)
    assert "ONNX" not in caplog.text  # refused once, remembered
    # ... while the libraries stay: with another onnx release it is tried again
    record = json.loads((folder / onnx_export.FAILED).read_text())
    record["libraries"]["onnx"] = "0.1"
    (folder / onnx_export.FAILED).write_text(json.dumps(record))
    assert isinstance(enc.load_encoder(spec), enc.SentenceTransformerEncoder)
    assert "no ONNX export (pooling 'weightedmean'" in caplog.text


def test_a_model_without_normalize_still_gives_unit_vectors(cache, tmp_path, torch_minilm):
    model = tmp_path / "minilm-unnormalised"
    shutil.copytree(enc.model_path(MINILM), model)
    modules = json.loads((model / "modules.json").read_text())
    (model / "modules.json").write_text(json.dumps([m for m in modules if "Normalize" not in m["type"]]))
    loaded = enc.load_encoder(EncoderSpec(str(model), None))
    assert isinstance(loaded, onnx_encoder.OnnxEncoder)
    vectors = loaded.encode(TEXTS)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.abs(vectors - torch_minilm.encode(TEXTS)).max() < 1e-5  # same directions


def test_a_changed_model_gets_its_own_export(cache, tmp_path):
    model = tmp_path / "minilm-copy"
    shutil.copytree(enc.model_path(MINILM), model)
    first = onnx_encoder.export_dir("m", model)
    (model / "README.md").write_text("edited")
    assert onnx_encoder.export_dir("m", model) != first


def test_runtime_setting(cache, monkeypatch):
    monkeypatch.setenv("KB_ENCODER_RUNTIME", "torch")
    assert isinstance(enc.load_encoder(MINILM), enc.SentenceTransformerEncoder)
    assert not cache.exists()  # nothing exported
    monkeypatch.setenv("KB_ENCODER_RUNTIME", "gpu")
    with pytest.raises(ModelLoadError, match="KB_ENCODER_RUNTIME='gpu': expected 'auto' or 'torch'"):
        enc.load_encoder(MINILM)


def test_a_batch_that_hands_its_memory_back_gives_the_same_vectors(exported):
    """Runs above ARENA_KEEP_TOKENS shrink ONNX Runtime's arena afterwards; their
    vectors are those of single questions, which keep it."""
    loaded = enc.load_encoder(MINILM)
    texts = [f"where is my parcel number {i}, it was due last week " * 6 for i in range(40)]
    batch = loaded.encode(texts)
    assert loaded._features(texts)["input_ids"].size > onnx_encoder.ARENA_KEEP_TOKENS
    alone = np.stack([loaded.encode([t])[0] for t in texts[:3]])
    assert np.abs(batch[:3] - alone).max() < 1e-5


def test_runs_are_longest_first_and_one_long_text_does_not_pad_short_ones():
    from kb.encoders.onnx_runtime import batches
    texts = ["x" * 40, "y" * 4000, "z" * 38, "w" * 35, "v" * 5] + ["u" * 30] * 20
    runs = batches(texts, 16)
    assert runs[0] == [1]  # the long text alone
    assert sorted(i for run in runs for i in run) == list(range(len(texts)))
    assert all(len(run) <= 16 for run in runs)
    lengths = [len(texts[i]) for run in runs for i in run]
    assert lengths == sorted(lengths, reverse=True)
    assert [4] in runs  # the 5-letter text is not padded to the 30-letter ones
