"""Variants of an exported graph: ONNX Runtime's graph optimiser and int8/int4 weights.

A configured model name may end in ``:<variant>`` (``all-mpnet-base-v2:int8-block128@en``);
without one the fp32 export is used as it is. The variant is part of the
encoder's name, so an index records it and vectors of two variants are never
mixed (kb/index reuses vectors only from an encoder of the same name).

Variants (figures for all-mpnet-base-v2 in bench/RESULTS.md, ``bench/mpnet_variants.py``):

* ``opt``: onnxruntime.transformers' optimiser (model type bert), fp32; the same
  vectors within float rounding.
* ``int8``: ONNX Runtime's dynamic quantisation (int8 weights per tensor, activations
  quantised per tensor at run time) of every weight MatMul; ``int8-pc``: per-channel
  weight scales. Fast, but the input of each feed-forward output projection (after GELU)
  has outliers that one uint8 scale per tensor cannot hold: the vectors move far.
* ``int8-attn``: dynamic int8 for the attention projections (q, k, v, o) only.
* ``int8-noffn2``: dynamic int8 for all weight MatMuls but the feed-forward output ones.
* ``int8-block32``, ``int8-block128``, ``int4-block32``: weight-only quantisation into
  ONNX Runtime's MatMulNBits (symmetric, one scale per block of 32/128 weights of a
  column) with accuracy level 4 (int8 compute, activations quantised per block at run
  time): the outliers stay in their blocks.
* ``int8-attn-block128``: dynamic int8 for the attention projections (their inputs,
  layer-normed, lose little to one scale per tensor), then block-wise int8 for the
  feed-forward ones, whose inputs need the per-block scales: the accuracy of
  ``int8-block128`` at a fifth less encode time on one thread. The dynamic scale is one
  per batch, so a text's vector moves a little with the texts encoded beside it (cosine
  0.998 with itself in another batch): not the default.
* ``opt-`` before a quantised variant: optimise first, then quantise.
"""

from __future__ import annotations

import logging
import re
import shutil
import tempfile
from pathlib import Path

DYNAMIC = ("int8", "int8-pc", "int8-attn", "int8-noffn2")
BLOCKWISE = {"int8-block32": (8, 32), "int8-block128": (8, 128), "int4-block32": (4, 32)}
# a dynamic variant for some MatMuls, then a block-wise one for the MatMuls it left in fp32
MIXED = {"int8-attn-block128": ("int8-attn", "int8-block128")}
VARIANTS = frozenset({"opt"} | {f"{o}{q}" for o in ("", "opt-") for q in (*DYNAMIC, *BLOCKWISE, *MIXED)})
# The least cosine to the fp32 model's probe vectors a variant may have when it is made
# (a variant made once is then held to its own figure, kb/encoders/onnx_runtime.py)
MIN_PROBE_COSINE = {"opt": 0.9999, "int8": 0.4, "int8-pc": 0.4, "int8-attn": 0.97,
                    "int8-noffn2": 0.9, "int8-block32": 0.99, "int8-block128": 0.99,
                    "int4-block32": 0.85, "int8-attn-block128": 0.99}
_FFN_OUT = re.compile(r"[./]output[./]dense")
_ATTENTION = re.compile(r"attention[./]")


def min_probe_cosine(variant: str) -> float:
    return MIN_PROBE_COSINE[variant.removeprefix("opt-")]


def split_variant(name: str) -> tuple[str, str | None]:
    """``"all-mpnet-base-v2:int8-ffn"`` -> ``("all-mpnet-base-v2", "int8-ffn")``; names without a
    known variant suffix are returned whole (a path may contain a colon)."""
    base, sep, suffix = name.rpartition(":")
    if sep and base and suffix.lower() in VARIANTS:
        return base, suffix.lower()
    return name, None


def _weight_matmuls(model) -> list:
    weights = {i.name for i in model.graph.initializer}
    return [n for n in model.graph.node if n.op_type == "MatMul" and
            any(i in weights for i in n.input)]


def quantize_nodes(model, variant: str) -> list[str]:
    """The MatMul nodes a dynamic variant quantises (by name)."""
    nodes = _weight_matmuls(model)
    if variant in ("int8", "int8-pc"):
        return [n.name for n in nodes]
    if variant == "int8-attn":
        return [n.name for n in nodes if _ATTENTION.search(n.name)]
    if variant == "int8-noffn2":
        return [n.name for n in nodes if _ATTENTION.search(n.name) or not _FFN_OUT.search(n.name)]
    raise ValueError(f"unknown dynamic variant {variant!r}")


def _optimize(src: Path, dst: Path, config: dict) -> None:
    from onnxruntime.transformers.optimizer import optimize_model

    heads = int(config.get("num_attention_heads") or 0)
    hidden = int(config.get("hidden_size") or 0)
    optimized = optimize_model(str(src), model_type="bert", num_heads=heads, hidden_size=hidden,
                               opt_level=1, use_gpu=False)
    optimized.save_model_to_file(str(dst))


def _quiet_import_nbits():
    """ONNX Runtime's block-wise quantiser. Its module calls ``logging.basicConfig(level=INFO)``
    on import and logs every graph node: the process's logging is put back as it was and
    the quantiser's own messages are kept to warnings."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    from onnxruntime.quantization.matmul_nbits_quantizer import MatMulNBitsQuantizer

    for handler in root.handlers[:]:
        if handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    logging.getLogger("onnxruntime.quantization.matmul_nbits_quantizer").setLevel(logging.WARNING)
    return MatMulNBitsQuantizer


def _quantize(src: Path, dst: Path, variant: str) -> None:
    import onnx

    if variant in MIXED:
        dynamic, blockwise = MIXED[variant]
        half = dst.with_name(f"{dst.stem}.{dynamic}{dst.suffix}")
        _quantize(src, half, dynamic)
        _quantize(half, dst, blockwise)  # its quantiser takes only the MatMuls still in fp32
        half.unlink()
        return
    if variant in BLOCKWISE:
        MatMulNBitsQuantizer = _quiet_import_nbits()
        bits, block = BLOCKWISE[variant]
        quantizer = MatMulNBitsQuantizer(onnx.load(str(src)), bits=bits, block_size=block,
                                         is_symmetric=True, accuracy_level=4)
        quantizer.process()
        quantizer.model.save_model_to_file(str(dst), use_external_data_format=False)
        return
    from onnxruntime.quantization import QuantType, quantize_dynamic

    nodes = quantize_nodes(onnx.load(str(src), load_external_data=False), variant)
    if not nodes:
        raise ValueError(f"no MatMul of the graph matches variant {variant!r}")
    quantize_dynamic(str(src), str(dst), weight_type=QuantType.QInt8, per_channel=variant == "int8-pc",
                     op_types_to_quantize=["MatMul"], nodes_to_quantize=nodes,
                     extra_options={"MatMulConstBOnly": True})


def make_variant(src: Path, dst: Path, variant: str, config: dict | None = None) -> None:
    """Write the ``variant`` of the fp32 graph ``src`` to ``dst``.

    ``config``: the transformer's config (num_attention_heads, hidden_size) for the optimiser.
    """
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (known: {', '.join(sorted(VARIANTS))})")
    with tempfile.TemporaryDirectory(dir=dst.parent) as work:
        current = src
        rest = variant
        if rest == "opt" or rest.startswith("opt-"):
            current = Path(work) / "optimized.onnx"
            _optimize(src, current, config or {})
            rest = rest[4:]
        if rest:
            out = Path(work) / "quantized.onnx"
            _quantize(current, out, rest)
            current = out
        shutil.copyfile(current, dst)
