"""Vectors of texts an encoder has encoded before, kept across builds and index locations.

Opt-in: set ``KB_VECTOR_CACHE`` to a folder. A build then looks up every text
its served build does not already have, and stores what it encodes. This pays
where the same articles are indexed into many locations: a test suite, staging
next to production, a rebuild with ``--force``. Without the setting nothing is
written: a large help centre's vectors would otherwise grow a cache nobody
cleans.

One SQLite file per encoder version (its name, dimension and, for exported
models, the export's fingerprint of the model files), keyed by the same text
hash the index uses; concurrent builds share it (SQLite's locking). A damaged
or unreadable cache is skipped with a warning: it only costs encoding time.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from pathlib import Path

import numpy as np

from kb.content.sqlite_wal import use_wal

ENV = "KB_VECTOR_CACHE"
LOOKUP_CHUNK = 500  # hashes per SELECT: below SQLite's limit of bound parameters
BUSY_TIMEOUT_S = 60
log = logging.getLogger(__name__)


def identity(encoder) -> str:
    """A file name for one version of an encoder's vectors."""
    folder = getattr(encoder, "folder", None)  # an ONNX export: named by the model files' fingerprint
    label = Path(folder).name if folder else encoder.name
    version = getattr(encoder, "version", None)  # a packaged model: its package's version
    return re.sub(r"[^A-Za-z0-9._-]+", "-", "-".join(
        str(part) for part in (label, version, encoder.dim) if part)).strip("-.")


class VectorCache:
    def __init__(self, path: Path, dim: int) -> None:
        self.path, self.dim = path, dim
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=BUSY_TIMEOUT_S)
        use_wal(self._db, BUSY_TIMEOUT_S)  # concurrent builds may open a new cache together
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (hash BLOB PRIMARY KEY, vector BLOB NOT NULL)")

    def get(self, hashes: list[bytes]) -> dict[bytes, np.ndarray]:
        found = {}
        for start in range(0, len(hashes), LOOKUP_CHUNK):
            chunk = hashes[start:start + LOOKUP_CHUNK]
            rows = self._db.execute(f"SELECT hash, vector FROM vectors WHERE hash IN ({','.join('?' * len(chunk))})",
                                    chunk).fetchall()
            for key, blob in rows:
                vector = np.frombuffer(blob, dtype=np.float32)
                if len(vector) == self.dim:
                    found[bytes(key)] = vector
        return found

    def put(self, hashes: list[bytes], vectors: np.ndarray) -> None:
        with self._db:
            self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                 [(h, np.ascontiguousarray(v, dtype=np.float32).tobytes())
                                  for h, v in zip(hashes, vectors)])

    def close(self) -> None:
        self._db.close()


def open_cache(encoder) -> VectorCache | None:
    """The cache of this encoder's vectors, or None when not configured or unusable."""
    folder = os.environ.get(ENV)
    if not folder:
        return None
    path = Path(folder) / f"{identity(encoder)}.sqlite"
    try:
        return VectorCache(path, encoder.dim)
    except (sqlite3.Error, OSError) as exc:
        log.warning("vector cache %s not used: %s", path, exc)
        return None
