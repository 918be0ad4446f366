"""Which runtime runs a sentence-transformers model (``KB_ENCODER_RUNTIME``): ONNX Runtime
from the model's export, made on first load, or torch; and the export's variants."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from kb.encoders.errors import ModelLoadError
from kb.encoders.model_paths import model_path
from kb.encoders.spec import Encoder, EncoderSpec
from kb.encoders.torch_encoder import SentenceTransformerEncoder

# the package's logger: `kb index` shows its messages (kb/cli/indexing.py) and the server's log names it
log = logging.getLogger("kb.encoders")


def sentence_transformer(spec: EncoderSpec) -> Encoder:
    """The model run by ONNX Runtime where its export exists or can be made, else by torch.

    ``KB_ENCODER_RUNTIME=torch`` always runs sentence-transformers (no export is
    read or made); the default ``auto`` exports the model the first time it is
    loaded and reads the export from then on (kb/encoders/onnx_runtime.py says why).
    A name ending in ``:<variant>`` (``all-mpnet-base-v2:int8-ffn``) runs that variant
    of the export (kb/encoders/onnx_quantize.py), made once from the fp32 export.
    """
    from kb.encoders import onnx_export
    from kb.encoders.onnx_quantize import split_variant

    runtime = chosen_runtime()
    base, variant = split_variant(spec.name)
    if variant:
        return _variant(spec, EncoderSpec(base, spec.languages), variant, runtime)
    path = model_path(spec)
    if runtime == "auto" and (exported := _read_export(spec, path)) is not None:
        return exported
    encoder = SentenceTransformerEncoder(spec, path)
    # after loading: a hub model's files are in the local cache now
    folder = _export_folder(spec, path) if runtime == "auto" else None
    if folder is None or onnx_export.refused(folder) is not None:
        return encoder
    try:
        exported = onnx_export.export(encoder._model, spec.name, spec.languages, folder)
    except (onnx_export.ExportRefused, OSError) as exc:
        log.warning("model '%s' runs on sentence-transformers (torch): no ONNX export (%s)",
                    spec.name, exc)
        return encoder
    log.info("model '%s' exported for ONNX Runtime to %s", spec.name, folder)
    return exported


def chosen_runtime() -> str:
    runtime = os.environ.get("KB_ENCODER_RUNTIME", "auto").strip().lower()
    if runtime not in ("auto", "torch"):
        raise ModelLoadError(f"KB_ENCODER_RUNTIME={runtime!r}: expected 'auto' or 'torch'")
    return runtime


def _variant(spec: EncoderSpec, base: EncoderSpec, variant: str, runtime: str) -> Encoder:
    """The ``variant`` of the base model's ONNX export; ModelLoadError where there is none
    (the configured name promises these vectors: no silent fp32 or torch fallback)."""
    from kb.encoders import onnx_export
    from kb.encoders import onnx_runtime as onnx_encoder

    if runtime == "torch":
        raise ModelLoadError(f"model '{spec.name}' (setting KB_MODELS): the variant '{variant}' "
                             "runs on ONNX Runtime only, not with KB_ENCODER_RUNTIME=torch")
    folder = _export_folder(spec, model_path(base), variant)
    if folder is not None and (folder / "export.json").is_file():  # made before: no fp32 load
        try:
            return onnx_encoder.OnnxEncoder(spec.name, spec.languages, folder)
        except onnx_encoder.ExportUnusable as exc:
            log.warning("%s; making variant '%s' again", exc, spec.name)
            shutil.rmtree(folder, ignore_errors=True)
    fp32 = sentence_transformer(base)
    if not isinstance(fp32, onnx_encoder.OnnxEncoder):
        raise ModelLoadError(f"model '{spec.name}' (setting KB_MODELS): '{base.name}' has no ONNX "
                             f"export, so no variant '{variant}' of it")
    model_dir = onnx_encoder.local_model_dir(model_path(base))  # a hub model: cached by now
    folder = onnx_encoder.export_dir(spec.name, model_dir, variant)
    try:
        made = onnx_export.derive(fp32.folder, spec.name, spec.languages, folder, variant, model_dir)
    except onnx_export.ExportRefused as exc:
        raise ModelLoadError(f"model '{spec.name}' (setting KB_MODELS): {exc}") from exc
    log.info("model '%s' made from the fp32 export in %s", spec.name, folder)
    return made


def _export_folder(spec: EncoderSpec, path: str, variant: str | None = None) -> Path | None:
    """Where the export (or ``variant``) of the model at ``path`` is or would be cached;
    None for a hub model not in the local cache."""
    from kb.encoders import onnx_runtime as onnx_encoder

    model_dir = onnx_encoder.local_model_dir(path)
    return None if model_dir is None else onnx_encoder.export_dir(spec.name, model_dir, variant)


def _read_export(spec: EncoderSpec, path: str) -> Encoder | None:
    """The model's export if there is a usable one; a damaged one is removed (made anew)."""
    from kb.encoders import onnx_runtime as onnx_encoder
    from kb.encoders import onnx_export

    folder = _export_folder(spec, path)
    if folder is None or onnx_export.refused(folder) is not None or not (folder / "export.json").is_file():
        return None
    try:
        return onnx_encoder.OnnxEncoder(spec.name, spec.languages, folder)
    except onnx_encoder.ExportUnusable as exc:
        log.warning("%s; exporting model '%s' again", exc, spec.name)
        shutil.rmtree(folder, ignore_errors=True)
        return None


def export_made(spec: EncoderSpec) -> bool:
    """Whether the export (or variant) this spec runs is in the cache already: then it is
    read without waiting for anyone."""
    from kb.encoders.onnx_quantize import split_variant

    base, variant = split_variant(spec.name)
    folder = _export_folder(spec, model_path(EncoderSpec(base, spec.languages)), variant)
    return folder is not None and (folder / "export.json").is_file()
