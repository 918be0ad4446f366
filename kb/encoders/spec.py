"""What every encoder offers, and the setting that names the encoders (``KB_MODELS``).

A comma-separated list of encoders; ``@en`` after a name limits an encoder to
questions and articles that are both in that language (an English model says
little about German text).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np

from kb.encoders.errors import ModelLoadError

DEFAULT_MODELS = "use-multilingual-v3,all-mpnet-base-v2:int8-block128@en"


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
