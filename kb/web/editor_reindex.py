"""Re-index in the running server after an editor saves, so the portal answers with the change in seconds.

A save only asks for a build and returns: the build runs on one background
thread with the server's already loaded models (an incremental `kb index`:
only the changed article is parsed and embedded again), then the live index
switches to it. Saves during a build ask for one more build after it, so the
newest text always wins and two builds never run at once.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from kb.encoders import load_encoders
from kb.web.live_index import LiveIndex

log = logging.getLogger(__name__)
BUSY_RETRY_SECONDS = 0.5  # another `kb index` (a watcher) holds the index lock
IDLE_SECONDS = 60  # an idle thread ends; the next save starts a new one


class Reindexer:
    def __init__(self, articles: Path, live: LiveIndex, default_lang: str | None = None) -> None:
        self.articles = Path(articles)
        self.live = live
        self.default_lang = default_lang
        self._wanted = threading.Event()
        self._idle = threading.Condition()
        self._requested = 0  # builds asked for
        self._done = 0       # requests a finished build covered
        self._thread: threading.Thread | None = None
        self.last_seconds: float | None = None
        self.last_error: str | None = None

    def request(self) -> int:
        """Ask for a build of the articles as they are now; returns a ticket for :meth:`wait`."""
        with self._idle:
            self._requested += 1
            ticket = self._requested
            self._wanted.set()
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kb-editor-reindex", daemon=True)
                self._thread.start()
        return ticket

    def wait(self, ticket: int, timeout: float) -> bool:
        """True once a build that started after ``ticket`` was requested is served (tests, bench)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._done >= ticket, timeout)

    def settle(self, timeout: float) -> bool:
        """True once every build asked for so far is served (tests and shutdown wait here)."""
        with self._idle:
            return self._idle.wait_for(lambda: self._done >= self._requested, timeout)

    def _run(self) -> None:
        while True:
            if not self._wanted.wait(timeout=IDLE_SECONDS):
                with self._idle:  # decided under the lock request() takes: no request is missed
                    if not self._wanted.is_set():
                        self._thread = None
                        return
                continue
            self._wanted.clear()
            with self._idle:
                covers = self._requested  # the build reads the files as they are from now on
            self._build()
            with self._idle:
                self._done = covers
                self._idle.notify_all()

    def _build(self) -> None:
        # imported here: a server loads the builder only once an editor saves
        from kb.index.build import IndexBuildError, IndexBusy, build_index

        started = time.monotonic()
        models = self.live.models
        while True:
            try:
                build_index(self.articles, self.live.location, lambda: load_encoders(models), models,
                            self.default_lang)
                break
            except IndexBusy:
                time.sleep(BUSY_RETRY_SECONDS)
            except (IndexBuildError, OSError) as exc:  # the served index stays; the editor sees why
                self.last_error = str(exc)
                log.error("re-index after an edit failed: %s", exc)
                return
        self.live.reload()
        self.last_error = None
        self.last_seconds = time.monotonic() - started
        log.info("re-indexed after an edit in %.2f s", self.last_seconds)
