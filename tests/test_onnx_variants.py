"""Graph variants (':<variant>' after a model name): made once from the fp32 export, their own
cache folder, checked against the fp32 model's vectors by cosine, never a silent fallback."""
import json
import shutil

import numpy as np
import pytest

from kb import encoders as enc
from kb.encoders import EncoderSpec, ModelLoadError
from kb.encoders import onnx_runtime as onnx_encoder

MINILM = EncoderSpec("all-MiniLM-L6-v2", frozenset({"en"}))
VARIANT = EncoderSpec("all-MiniLM-L6-v2:int8-block128", frozenset({"en"}))
TEXTS = ["Where is my parcel?", "can I send it back after 3 weeks", "refund " * 300,
         "I ordered two pairs of shoes but only one arrived, what now?"]


@pytest.fixture(scope="module")
def cache(tmp_path_factory):
    root = tmp_path_factory.mktemp("variants") / "models"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KB_MODEL_CACHE", str(root))
        yield root


def _folders(cache):
    return sorted(p.name for p in cache.iterdir() if not p.name.startswith("."))


def test_a_variant_is_made_from_the_fp32_export(cache):
    fp32 = enc.load_encoder(MINILM)
    variant = enc.load_encoder(VARIANT)
    assert isinstance(variant, onnx_encoder.OnnxEncoder) and variant.name == VARIANT.name
    assert variant.folder != fp32.folder and variant.folder.name.startswith("all-MiniLM-L6-v2-int8-block128-")
    config = json.loads((variant.folder / "export.json").read_text())
    assert config["variant"] == "int8-block128" and 0.99 <= config["probe_cosine"] <= 1.0
    # the layers' weights in int8 (the word embeddings stay fp32)
    assert (variant.folder / "model.onnx").stat().st_size < (fp32.folder / "model.onnx").stat().st_size * 0.75
    cos = np.sum(variant.encode(TEXTS) * fp32.encode(TEXTS), axis=1)
    assert cos.min() > 0.99
    again = enc.load_encoder(VARIANT)  # read from the cache, not made again
    assert again.folder == variant.folder and len(_folders(cache)) == 2


def test_a_mixed_variant_quantises_attention_dynamically_and_the_rest_block_wise(cache):
    import onnx

    fp32 = enc.load_encoder(MINILM)
    mixed = enc.load_encoder(EncoderSpec("all-MiniLM-L6-v2:int8-attn-block128", frozenset({"en"})))
    graph = onnx.load(str(mixed.folder / "model.onnx")).graph
    weights = {i.name for i in graph.initializer}
    integer = [n.name for n in graph.node if n.op_type == "MatMulInteger"]
    blockwise = [n.name for n in graph.node if n.op_type == "MatMulNBits"]
    assert integer and all("attention" in name for name in integer)
    assert blockwise and not any("attention" in name for name in blockwise)
    assert not [n for n in graph.node if n.op_type == "MatMul" and n.input[1] in weights]
    assert not [p.name for p in mixed.folder.iterdir() if "int8-attn." in p.name]  # no half-made graph kept
    assert np.sum(mixed.encode(TEXTS) * fp32.encode(TEXTS), axis=1).min() > 0.99


def test_a_damaged_variant_is_made_again(cache, caplog):
    folder = enc.load_encoder(VARIANT).folder
    config = json.loads((folder / "export.json").read_text())
    (folder / "export.json").write_text(json.dumps({**config, "probe_cosine": 1.01}))  # cannot be met
    with pytest.raises(onnx_encoder.ExportUnusable, match="cosine"):
        onnx_encoder.OnnxEncoder(VARIANT.name, VARIANT.languages, folder)
    remade = enc.load_encoder(VARIANT)
    assert "making variant 'all-MiniLM-L6-v2:int8-block128' again" in caplog.text
    assert json.loads((remade.folder / "export.json").read_text())["probe_cosine"] <= 1.0


def test_a_variant_too_far_from_the_model_is_refused(cache, monkeypatch):
    from kb.encoders import onnx_quantize

    monkeypatch.setitem(onnx_quantize.MIN_PROBE_COSINE, "int4-block32", 0.99999)
    with pytest.raises(ModelLoadError, match="int4-block32.*cosine"):
        enc.load_encoder(EncoderSpec("all-MiniLM-L6-v2:int4-block32", None))
    assert not any("int4" in name for name in _folders(cache))  # no half-made folder left


def test_a_variant_needs_onnx_runtime(cache, monkeypatch):
    monkeypatch.setenv("KB_ENCODER_RUNTIME", "torch")
    with pytest.raises(ModelLoadError, match="ONNX Runtime only"):
        enc.load_encoder(VARIANT)


def test_the_fp32_export_keeps_its_folder(cache):
    """No variant: the export folder (and so every machine's existing cache) is as before."""
    model_dir = onnx_encoder.local_model_dir(enc.model_path(MINILM))
    assert onnx_encoder.export_dir(MINILM.name, model_dir) == \
        onnx_encoder.export_dir(MINILM.name, model_dir, None)
    assert onnx_encoder.export_dir("m", model_dir, "int8") != onnx_encoder.export_dir("m", model_dir, "int8-pc")


def test_the_block_wise_quantiser_leaves_the_process_logging_alone():
    """Its module configures the root logger at INFO on import; a `kb index` that makes a
    variant must not start printing every graph node and every INFO message after it."""
    import subprocess
    import sys
    code = ("import logging; from kb.encoders.onnx_quantize import _quiet_import_nbits; "
            "_quiet_import_nbits(); root = logging.getLogger(); "
            "print(len(root.handlers), root.level, "
            "logging.getLogger('onnxruntime.quantization.matmul_nbits_quantizer').getEffectiveLevel())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "30", "30"], out.stdout + out.stderr
