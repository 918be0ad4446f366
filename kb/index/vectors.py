"""Storing an encoder's vectors in FAISS, and embedding only the texts that need it.

A build keeps one vector per distinct passage text. Texts whose vector the
served build already has are copied from it instead of being encoded again.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
import sys

import faiss
import numpy as np
from tqdm import tqdm

from kb.encoders import Encoder
from kb.index.vector_cache import open_cache

# distinct texts (vectors) of an encoder above which its index is approximate (HNSW): here
# an HNSW search with its exactly scored sample costs as much as the exact product on one
# BLAS thread; above, exact search grows past the latency target (bench/RESULTS.md)
HNSW_THRESHOLD = 50_000
HNSW_M = 32  # links per node of an HNSW graph
HNSW_EF_CONSTRUCTION = 80  # an HNSW graph's beam while it is built
ENCODE_BATCH = 256  # texts handed to an encoder at once
HASH_BYTES = 16  # a text hash: blake2b digest size, stored as numpy "S16"
log = logging.getLogger(__name__)


def text_hash(text: str) -> bytes:
    """The key under which a text's vector is stored and found again."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=HASH_BYTES).digest()


def vector_index(vectors: np.ndarray) -> faiss.Index:
    """Exact inner product up to HNSW_THRESHOLD vectors, HNSW above (see bench/).

    Exact indexes keep the vectors as float16: half the bytes every query reads
    and every server keeps in memory, for cosines within 1e-4 of float32
    (bench/RESULTS.md, "Vectors as float16").
    """
    dim = vectors.shape[1]
    if len(vectors) > HNSW_THRESHOLD:
        index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        index = faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
    index.add(vectors)
    return index


def index_vectors(index: faiss.Index) -> np.ndarray:
    """All stored vectors as one float32 matrix (exact and HNSW indexes alike)."""
    if index.ntotal == 0:
        return np.zeros((0, index.d), dtype=np.float32)
    return index.reconstruct_n(0, index.ntotal)


def found_in(hashes: np.ndarray, before: np.ndarray | None) -> np.ndarray:
    """For each hash, its position in ``before``, or -1.

    Sorted lookups in numpy instead of a dict of tens of thousands of byte strings.
    """
    found = np.full(len(hashes), -1, dtype=np.int64)
    if before is None or not len(before) or not len(hashes):
        return found
    # as two unsigned 64-bit halves: no byte-string rules (numpy drops trailing NULs);
    # sorted by the first half, the second confirms (a rare miss only re-encodes)
    halves = np.dtype([("a", ">u8"), ("b", ">u8")])
    keys = np.ascontiguousarray(hashes).view(halves).ravel()
    before = np.ascontiguousarray(before).view(halves).ravel()
    order = np.argsort(before["a"], kind="stable")
    pos = order[np.minimum(np.searchsorted(before["a"][order], keys["a"]), len(order) - 1)]
    hit = (before["a"][pos] == keys["a"]) & (before["b"][pos] == keys["b"])
    found[hit] = pos[hit]
    return found


def embed(encoder: Encoder, texts: list[str], hashes: np.ndarray,
          previous: tuple[np.ndarray, np.ndarray] | None, progress: bool) -> tuple[np.ndarray, int]:
    """Vectors for distinct texts, encoding only those the previous build has no
    vector for (``previous``: its hashes and vectors) and the vector cache does not
    hold (kb/index/vector_cache.py, when configured). Returns (vectors, n encoded).

    Texts are encoded in order of length, so batches carry little padding.
    """
    out = np.zeros((len(texts), encoder.dim), dtype=np.float32)
    found = found_in(hashes, previous[0] if previous else None)
    have = found >= 0
    if have.any():
        out[have] = previous[1][found[have]]
    cache = open_cache(encoder)
    try:
        if cache is not None:
            have |= _from_cache(cache, hashes, have, out)
        todo = sorted(np.flatnonzero(~have).tolist(), key=lambda i: len(texts[i]))
        bar = tqdm(total=len(todo), desc=f"embedding ({encoder.name})", unit="passage",
                   disable=not progress or not todo, file=sys.stderr)
        for start in range(0, len(todo), ENCODE_BATCH):
            chunk = todo[start:start + ENCODE_BATCH]
            out[chunk] = encoder.encode([texts[i] for i in chunk])
            bar.update(len(chunk))
        bar.close()
        if cache is not None and todo:
            _store(cache, [bytes(hashes[i]) for i in todo], out[todo])
    finally:
        if cache is not None:
            cache.close()
    return out, len(todo)


def _from_cache(cache, hashes: np.ndarray, have: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Fill ``out`` from the cache where ``have`` is false; which rows it filled."""
    wanted = np.flatnonzero(~have)
    try:
        cached = cache.get([bytes(hashes[i]) for i in wanted])
    except sqlite3.Error as exc:
        log.warning("vector cache %s not read: %s", cache.path, exc)
        return np.zeros(len(hashes), dtype=bool)
    filled = np.zeros(len(hashes), dtype=bool)
    for i in wanted:
        vector = cached.get(bytes(hashes[i]))
        if vector is not None:
            out[i] = vector
            filled[i] = True
    return filled


def _store(cache, keys: list[bytes], vectors: np.ndarray) -> None:
    try:
        cache.put(keys, vectors)
    except sqlite3.Error as exc:
        log.warning("vector cache %s not written: %s", cache.path, exc)
