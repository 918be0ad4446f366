"""Loading the configured encoders: USE from its package, a sentence-transformers model on
the runtime chosen for it, each loaded once per process."""

from __future__ import annotations

from functools import lru_cache

from kb.encoders.export_lock import one_maker
from kb.encoders.runtime_choice import chosen_runtime, export_made, sentence_transformer
from kb.encoders.spec import Encoder, EncoderSpec, parse_models
from kb.encoders.use_encoder import USE_NAMES, USEEncoder


def load_encoder(spec: EncoderSpec) -> Encoder:
    if spec.name.lower() in USE_NAMES:
        return USEEncoder(spec)
    if chosen_runtime() == "torch" or export_made(spec):  # nothing to make in the cache
        return sentence_transformer(spec)
    with one_maker(spec):  # made by us, or by another process meanwhile and read
        return sentence_transformer(spec)


@lru_cache(maxsize=8)
def load_encoders(models: str) -> tuple[Encoder, ...]:
    """Load once per process: every request and batch query shares the same models."""
    return tuple(load_encoder(s) for s in parse_models(models))
