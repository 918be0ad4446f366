"""WAL mode for a SQLite file that several processes or threads may open at once.

Switching a new file to WAL needs its exclusive lock, and SQLite answers a
connection that already reads the file "database is locked" at once, without
its busy handler. Replicas (and builds sharing a vector cache) that open a new
file together therefore retry the switch until their timeout. The mode is
stored in the file: later connections find it set and skip the switch.
"""

from __future__ import annotations

import sqlite3
import time

RETRY_SECONDS = 0.01


def use_wal(db: sqlite3.Connection, timeout: float) -> None:
    """Put ``db``'s file in WAL mode, retrying a locked switch for up to ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                db.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_SECONDS)
