"""The index a running server searches, switched without downtime after `kb index`.

`kb index` publishes a new build by atomically repointing ``<index>/current``.
The server notices (at most one cheap ``realpath`` per second), loads the new
build in the thread that noticed while every other request keeps using the old
one, then swaps one reference. The previous build directory stays on disk
(``kb index`` keeps it), so requests still running on it finish normally.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from kb.web.catalog import Catalog
from kb.encoders import load_encoders
from kb.index.loaded import IndexUnavailable, LoadedIndex
from kb.search.engine import SearchEngine

log = logging.getLogger(__name__)
CHECK_EVERY = 1.0  # seconds


@dataclass(frozen=True)
class Loaded:
    engine: SearchEngine
    catalog: Catalog
    build: Path


class LiveIndex:
    def __init__(self, location: Path, models: str, own_names: tuple[str, ...] = ()) -> None:
        self.location = Path(location)
        self.models = models
        self.own_names = own_names  # the shop's name (site.yml), for every engine loaded
        self._current: Loaded | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self.error: str | None = None
        self._load()

    def _load(self) -> None:
        index = LoadedIndex(self.location, self.models)
        engine = SearchEngine(index, load_encoders(self.models), self.own_names)
        self._current = Loaded(engine, Catalog(engine), index.build)
        self.error = None

    @property
    def current(self) -> Loaded:
        now = time.monotonic()
        if now - self._checked >= CHECK_EVERY and self._lock.acquire(blocking=False):
            try:
                self._checked = now
                self._maybe_reload()
            finally:
                self._lock.release()
        return self._current

    def _maybe_reload(self) -> None:
        try:
            target = Path(os.path.realpath(self.location / "current"))
        except OSError:
            return
        if target == self._current.build or not target.exists():
            return
        try:
            self._load()
            log.info("switched to index %s", target)
        except IndexUnavailable as exc:  # keep serving the last good index
            self.error = str(exc)
            log.error("new index not usable, still serving %s: %s", self._current.build, exc)

    def reload(self) -> bool:
        """Check now (editors' reload button, tests); True when a new build was loaded."""
        with self._lock:
            before = self._current.build
            self._maybe_reload()
            self._checked = time.monotonic()
            return self._current.build != before
