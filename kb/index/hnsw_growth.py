"""Grow the served HNSW graph by the changed texts instead of building it again.

Above ``HNSW_THRESHOLD`` texts an encoder's vectors are searched through an
HNSW graph, and building that graph from all vectors is slow for a large
help centre (bench/RESULTS.md). After an editor saves one article only a
few texts are new, so a build copies the served graph and adds nodes for them;
nodes whose text no passage has any more stay in the graph (HNSW cannot remove
a node without damaging its neighbours' links) but no passage maps to them, so
searches skip them. Once more than ``STALE_LIMIT`` of the graph is stale, or
with ``kb index --force``, the graph is built from scratch.
"""

from __future__ import annotations

import faiss
import numpy as np

STALE_LIMIT = 0.2  # share of stale nodes above which the graph is built anew


def grow(index: faiss.Index, node: np.ndarray, vectors: np.ndarray) -> np.ndarray | None:
    """Add to ``index`` (in place) a node for each text it has none for; returns the
    node of each text, or None when more than STALE_LIMIT of the nodes would be
    stale (``index`` is then left as it was).

    ``node``: for each text the graph must cover now, its live node in ``index``
    or -1; ``vectors``: those texts' vectors.
    """
    node = node.copy()
    new = np.flatnonzero(node < 0)
    total = index.ntotal + len(new)
    if total and (total - len(node)) / total > STALE_LIMIT:
        return None
    node[new] = np.arange(index.ntotal, total)
    if len(new):
        index.add(np.ascontiguousarray(vectors[new], dtype=np.float32))
    return node
