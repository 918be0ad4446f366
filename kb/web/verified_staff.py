"""Staff verified a moment ago keep working while the database cannot be reached.

Every staff request checks its session (or API token) against the database, so that
signing out everywhere and a new password end it at once. With PostgreSQL down that
check fails, and agents could not even search the help centre they are answering
from. Each server therefore remembers, for a few minutes, whom it verified: while the
database cannot answer, a session or token verified within that time stays valid.
Nothing of that can change meanwhile: ending sessions and revoking tokens are writes
to the same unreachable database. Only the server's memory holds this (keyed by a
digest, never the secret), and a server restart forgets it.
"""

from __future__ import annotations

import hashlib
import threading
import time

REMEMBERED_S = 300  # how long a verification carries a request through an outage
MAX_REMEMBERED = 1000  # sessions and tokens; a help centre's staff are far fewer


class VerifiedStaff:
    def __init__(self, remembered_s: float = REMEMBERED_S, clock=time.monotonic) -> None:
        self.remembered_s = remembered_s
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: dict[str, tuple[object, float]] = {}

    @staticmethod
    def key(*parts: object) -> str:
        return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()

    def verified(self, key: str, user) -> None:
        """The database just confirmed ``user`` for ``key`` (None: it refused: forget it)."""
        with self._lock:
            if user is None:
                self._seen.pop(key, None)
                return
            if len(self._seen) >= MAX_REMEMBERED:
                self._forget_oldest()
            self._seen[key] = (user, self._clock())

    def recent(self, key: str):
        """The user verified for ``key`` within the remembered time, else None."""
        with self._lock:
            found = self._seen.get(key)
        if found is None or self._clock() - found[1] > self.remembered_s:
            return None
        return found[0]

    def _forget_oldest(self) -> None:
        oldest = min(self._seen, key=lambda k: self._seen[k][1])
        del self._seen[oldest]
