"""Where a published index lives on disk and which format it has.

An index location holds build folders and a ``current`` link to the build being
served; the builder writes and the server reads through these names only, so
the server never imports the builder.
"""

from __future__ import annotations

from pathlib import Path

# 4: exact vectors stored as float16 (IndexScalarQuantizer QT_fp16)
# 5: a monolingual encoder's vectors only for the passages of its languages' articles
# 6: one vector per distinct text, passage -> vector in vectors-<n>.nodes.npy; an HNSW
#    graph may be grown from the previous build's, with stale nodes (kb/index/hnsw_growth.py)
FORMAT_VERSION = 6
CURRENT = "current"


def nodes_path(build: Path, slot: int) -> Path:
    """passage -> node of the encoder's index (-1: not embedded by it), format 6."""
    return build / f"vectors-{slot}.nodes.npy"
