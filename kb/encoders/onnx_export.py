"""Export a loaded sentence-transformers model for ONNX Runtime (kb/encoders/onnx_runtime.py).

Run once per model version, by whichever process first loads the model through
sentence-transformers (usually `kb index`); every later process reads the
export and never imports torch. Only the common shape of a sentence-transformers
model is exported: a Transformer module, one Pooling mode (mean, cls, max) and
optionally Normalize, without a default prompt. Anything else, or an export
whose embeddings differ from the model's own on the probe texts, is refused
(the caller keeps using sentence-transformers) and the reason is stored so the
next start does not try again.
"""

from __future__ import annotations

import json
from importlib import metadata
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np

from kb.encoders.onnx_runtime import (EXPORT_VERSION, POOLINGS, PROBE_COSINE_SLACK, PROBE_TOLERANCE,
                                      ExportUnusable, OnnxEncoder)

ONNX_OPSET = 17  # the operator set the graph is exported with (ONNX Runtime reads it)
FAILED = "failed.json"  # in an export directory: why this model version cannot be exported

# German and English, short and long (truncation), padding in a batch, odd characters
PROBE_TEXTS = [
    "Wo ist mein Paket?",
    "can I send it back after 3 weeks",
    "  Rücksendung   ohne Etikett — geht das?  ",
    "Which carrier ships my parcel?",
    "Zahlung per Rechnung: Wann muss ich bezahlen? 💳",
    "x",
    "Lieferung " * 400,  # longer than any model's max_seq_length
    "The order confirmation e-mail never arrived; I checked the spam folder, too.",
]


class ExportRefused(RuntimeError):
    """This model cannot be run by ONNX Runtime the way kb does; the message says why."""


def _publish(tmp: Path, folder: Path) -> None:
    """Move a finished export or variant from its temp folder into the cache, where another
    process may have published the same one first (then theirs is kept)."""
    tmp.chmod(0o755)  # mkdtemp's 0700: the cache is shared by the machine's processes
    try:
        tmp.rename(folder)
    except OSError:
        if not (folder / "export.json").is_file():
            shutil.rmtree(folder, ignore_errors=True)
            tmp.rename(folder)


def _describe(model) -> dict:
    """What the runtime needs besides the graph, read off the loaded modules."""
    modules = list(model)
    kinds = [type(m).__name__ for m in modules]
    if kinds not in (["Transformer", "Pooling"], ["Transformer", "Pooling", "Normalize"]):
        raise ExportRefused(f"modules {kinds} (only Transformer, Pooling[, Normalize] are exported)")
    transformer, pooling = modules[0], modules[1]
    mode = pooling.pooling_mode
    if not isinstance(mode, str) or mode not in POOLINGS:
        raise ExportRefused(f"pooling {mode!r} (exported: {', '.join(POOLINGS)})")
    if getattr(model, "default_prompt_name", None):
        raise ExportRefused(f"default prompt {model.default_prompt_name!r}")
    tokenizer = transformer.tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ExportRefused("no fast (Rust) tokenizer")
    max_len = transformer.max_seq_length or tokenizer.model_max_length
    return {
        "version": EXPORT_VERSION,
        "dim": int(pooling.pooling_output_dimension),
        "pooling": mode,
        "max_seq_length": int(max_len),
        "lowercase": bool(getattr(transformer, "do_lower_case", False)),
        "pad_id": int(tokenizer.pad_token_id or 0),
        "padding_side": tokenizer.padding_side,
        "tokenizer": backend,
        "transformer": transformer,
    }


def _export_graph(transformer, tokenizer, target: Path) -> list[str]:
    import torch

    sample = tokenizer(["hello world", "where is my parcel"], padding=True, return_tensors="pt")
    names = [n for n in ("input_ids", "attention_mask", "token_type_ids") if n in sample]
    hf = transformer.auto_model.eval()

    class Graph(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.hf = hf

        def forward(self, *inputs):
            return self.hf(**dict(zip(names, inputs)))[0]  # token embeddings

    axes = {n: {0: "batch", 1: "tokens"} for n in names + ["token_embeddings"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(Graph(), tuple(sample[n] for n in names), str(target), input_names=names,
                          output_names=["token_embeddings"], dynamic_axes=axes, opset_version=ONNX_OPSET,
                          dynamo=False)
    return names


def export(model, name: str, languages: frozenset[str] | None, folder: Path) -> OnnxEncoder:
    """Write the export of ``model`` to ``folder`` (atomically) and return it loaded.

    Raises ExportRefused (after storing the reason in ``folder``) when the model
    cannot be exported or its export does not reproduce the model's embeddings.
    """
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        try:
            info = _describe(model)
            inputs = _export_graph(info.pop("transformer"), model[0].tokenizer, tmp / "model.onnx")
        except ExportRefused:
            raise
        except Exception as exc:
            raise ExportRefused(f"export failed: {type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
        info.pop("tokenizer").save(str(tmp / "tokenizer.json"))
        info["inputs"] = inputs
        (tmp / "export.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        # what SentenceTransformerEncoder returns: unit vectors
        vectors = model.encode(PROBE_TEXTS, normalize_embeddings=True, convert_to_numpy=True,
                               show_progress_bar=False).astype(np.float32)
        np.savez(tmp / "probe.npz", texts=np.array(PROBE_TEXTS), vectors=vectors)
        try:
            OnnxEncoder(name, languages, tmp)  # checks the probe against the model's vectors
        except ExportUnusable as exc:
            raise ExportRefused(f"the export's embeddings differ from the model's by more than "
                                f"{PROBE_TOLERANCE}") from exc
        _publish(tmp, folder)
        return OnnxEncoder(name, languages, folder)
    except ExportRefused as exc:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True, exist_ok=True)
        (folder / FAILED).write_text(json.dumps({"libraries": _libraries(), "reason": str(exc)}),
                                     encoding="utf-8")
        raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def derive(source: Path, name: str, languages: frozenset[str] | None, folder: Path, variant: str,
           model_dir: Path) -> OnnxEncoder:
    """Write ``variant`` (kb/encoders/onnx_quantize.py) of the fp32 export in ``source`` to
    ``folder`` (atomically) and return it loaded; no torch is needed.

    Its probe vectors are the fp32 model's, so loading it checks the variant against the
    model itself (by cosine for int8). Raises ExportRefused when the variant cannot be
    made or moves the vectors too far.
    """
    from kb.encoders.onnx_quantize import make_variant, min_probe_cosine

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        try:
            config = json.loads((model_dir / "config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            config = {}
        try:
            make_variant(source / "model.onnx", tmp / "model.onnx", variant, config)
        except Exception as exc:
            raise ExportRefused(f"variant {variant!r} failed: {type(exc).__name__}: "
                                f"{str(exc).splitlines()[0] if str(exc) else ''}") from exc
        for f in ("tokenizer.json", "probe.npz"):
            shutil.copyfile(source / f, tmp / f)
        info = json.loads((source / "export.json").read_text(encoding="utf-8"))
        # first held to the least the variant may have, then to what it has
        info.update(variant=variant, probe_cosine=min_probe_cosine(variant) + PROBE_COSINE_SLACK)
        (tmp / "export.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        try:
            made = OnnxEncoder(name, languages, tmp)
        except ExportUnusable as exc:
            raise ExportRefused(str(exc).replace(f"export {tmp}", f"variant {variant!r}")) from exc
        info["probe_cosine"] = round(made.probe_cosine, 6)
        del made
        (tmp / "export.json").write_text(json.dumps(info, indent=2), encoding="utf-8")
        _publish(tmp, folder)
        return OnnxEncoder(name, languages, folder)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _libraries() -> dict[str, str | None]:
    """What an export depends on besides the model; a refusal holds only while these stay."""
    found: dict[str, str | None] = {"kb-export": str(EXPORT_VERSION)}
    for name in ("torch", "transformers", "sentence-transformers", "onnx", "onnxruntime", "tokenizers"):
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def refused(folder: Path) -> str | None:
    """Why an earlier export of this model version was refused, if it was, with the same
    libraries (a missing or older package may have been the reason)."""
    try:
        data = json.loads((folder / FAILED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("reason") if data.get("libraries") == _libraries() else None
