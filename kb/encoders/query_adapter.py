"""A linear map applied to an encoder's question vectors, never to the articles'.

A sentence encoder places a customer's question ("hab mich verklickt zwei mal
bestellt") and the help article that answers it ("Bestellung ändern oder
stornieren") less close than two paraphrases: questions and answers are worded
differently. The adapter moves question vectors towards the articles that answer
them: ``q' = normalise(q + q @ A)``. ``A`` is fitted by ``python bench/fit_adapter.py``
on customer questions of several businesses and written only when no business it
was not fitted on (leave one business out) loses more than ``MAX_LOSS`` of top-1
(bench/fit_adapter.py); for a business it never saw it measured neutral in the
ranker, it pays on help centres whose customers' questions it saw; the articles' vectors
stay as the model computes them, so an index needs no rebuild when it changes.

The file ``adapters/<encoder name>.npz`` belongs to that model; an encoder
without one (another ``KB_MODELS``) gets its vectors unchanged. A help centre's
index may add its own adapter on top (kb/index/centre_adapter.py).
``KB_QUERY_ADAPTERS=off`` turns all adapters off, ``=model`` keeps the model's and
leaves out the help centre's (to compare, or for models whose file is stale);
``KB_QUERY_ADAPTER_DIR`` reads the models' files from another folder (a benchmark
measuring adapters fitted without the business it searches).
"""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

ADAPTERS = Path(__file__).resolve().parent / "adapters"
SWITCH = "KB_QUERY_ADAPTERS"
FOLDER = "KB_QUERY_ADAPTER_DIR"
OFF, MODEL_ONLY = ("off", "0", "no", "false"), "model"


class QueryAdapter:
    """``apply`` maps question vectors (rows) and normalises them again."""

    def __init__(self, matrix: np.ndarray, name: str) -> None:
        if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
            raise ValueError(f"query adapter {name}: a square matrix is needed, not {matrix.shape}")
        self.name = name
        self.dim = matrix.shape[0]
        self.matrix = matrix.astype(np.float32)
        self.digest = hashlib.sha256(self.matrix.tobytes()).hexdigest()[:16]
        self._map = (np.eye(self.dim, dtype=np.float32) + matrix.astype(np.float32))

    def apply(self, vectors: np.ndarray) -> np.ndarray:
        if vectors.shape[-1] != self.dim:
            raise ValueError(f"query adapter {self.name} is for {self.dim} dimensions, "
                             f"the encoder gives {vectors.shape[-1]}")
        mapped = vectors.astype(np.float32, copy=False) @ self._map
        norms = np.linalg.norm(mapped, axis=-1, keepdims=True)
        return mapped / np.maximum(norms, 1e-12)


def adapter_path(encoder_name: str, folder: Path | None = None) -> Path:
    return (folder or ADAPTERS) / (re.sub(r"[^A-Za-z0-9._-]", "_", encoder_name) + ".npz")


def _switch() -> str:
    return os.environ.get(SWITCH, "on").lower()


def centre_adapters_on() -> bool:
    """Whether a help centre's own adapters apply (kb/index/centre_adapter.py)."""
    return _switch() not in (*OFF, MODEL_ONLY)


@lru_cache(maxsize=None)
def query_adapter(encoder_name: str) -> QueryAdapter | None:
    """The fitted adapter of this encoder, None without one or when switched off."""
    if _switch() in OFF:
        return None
    folder = os.environ.get(FOLDER)
    path = adapter_path(encoder_name, Path(folder) if folder else None)
    if not path.exists():
        return None
    with np.load(path) as z:
        return QueryAdapter(z["A"], encoder_name)
