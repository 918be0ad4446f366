"""A sentence-transformers model run by torch: any hub name or local path, and the fallback
where a model has no ONNX export (kb/encoders/runtime_choice.py)."""

from __future__ import annotations

import os

import numpy as np

from kb.encoders.errors import ModelLoadError
from kb.encoders.spec import EncoderSpec


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
