"""Where a published index lives on disk, which format it has, and its manifest.

An index location holds build folders and a ``current`` link to the build being
served; the builder writes and the server reads through these names only, so
the server never imports the builder.
"""

from __future__ import annotations

import json
from pathlib import Path

# 4: exact vectors stored as float16 (IndexScalarQuantizer QT_fp16)
# 5: a monolingual encoder's vectors only for the passages of its languages' articles
# 6: one vector per distinct text, passage -> vector in vectors-<n>.nodes.npy; an HNSW
#    graph may be grown from the previous build's, with stale nodes (kb/index/hnsw_growth.py)
# 7: German keyword terms are lemmas with compound parts, not Snowball stems
# 8: English keyword terms are lemminflect lemmas, not Snowball stems ("packaging" != "package")
# 9: German keyword terms add verb/-ung family roots ("zahlen", "Zahlung" -> "~zahl") and
#    compound heads lose their linking s ("Zahlungs|art" -> "zahlung")
# 10: a help centre's own query adapter per encoder, fitted on its front-matter questions
#     (vectors-<n>.adapter.npy, kb/index/centre_adapter.py)
# 11: German verbs are not cut by the compound splitter; a separable verb adds the verb
#     inside it ("zurückschicken" -> "schicken")
# 12: the articles' words per language as vectors of the multilingual encoder
#     (dictionary-<lang>.npz, kb/index/dictionary.py)
FORMAT_VERSION = 12
CURRENT = "current"
MANIFEST = "manifest.json"


class ManifestError(ValueError):
    """A manifest that is not JSON or not a mapping with a format number."""


def read_manifest(build: Path) -> dict:
    """The manifest of a build folder; OSError when it cannot be read, ManifestError
    when its content is not a manifest (every reader checks the same things)."""
    path = Path(build) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:  # not UTF-8 or not JSON
        raise ManifestError(str(exc)) from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), int):
        raise ManifestError("no format number")
    return manifest


def vectors_path(build: Path, slot: int) -> Path:
    """The FAISS index of the encoder in this slot of the manifest's models."""
    return build / f"vectors-{slot}.faiss"


def nodes_path(build: Path, slot: int) -> Path:
    """passage -> node of the encoder's index (-1: not embedded by it), format 6."""
    return build / f"vectors-{slot}.nodes.npy"


def centre_adapter_path(build: Path, slot: int) -> Path:
    """The help centre's query adapter of the encoder in this slot (format 10), if fitted."""
    return build / f"vectors-{slot}.adapter.npy"
