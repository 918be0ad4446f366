"""`kb index --watch`: re-index as soon as an article file changes, models kept loaded.

A new `kb index` process spends seconds importing and loading the models
before it re-indexes one changed article. A watching process pays that once and
parses only the changed files again, so an editor sees a saved change in the
running help centre within seconds (the server switches to each new build by
itself; figures in bench/RESULTS.md).

File events come from the operating system (watchdog: inotify on Linux), so an
idle watcher costs nothing. Editors and sync tools often write several files,
or one file several times, in a burst: a build starts once no event came for
``settle`` seconds, and events during a build start another one after it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from kb.content.media import NAME as MEDIA_NAME

SETTLE_SECONDS = 0.2  # quiet time after the last file event before a build starts
STOP_POLL_SECONDS = 0.5  # how often an idle watch checks whether it was asked to stop


class _ArticleEvents(FileSystemEventHandler):
    """Sets ``changed`` for events that can change what is indexed: Markdown files,
    uploaded images (a build carries those its articles show), and folders created,
    deleted or moved (a folder of articles moved in)."""

    def __init__(self, changed: threading.Event) -> None:
        self.changed = changed

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return  # reads, e.g. by the build itself
        if event.is_directory:
            if event.event_type in ("created", "deleted", "moved"):
                self.changed.set()
            return
        paths = [event.src_path, getattr(event, "dest_path", "") or ""]
        if any(str(p).lower().endswith(".md") or MEDIA_NAME.fullmatch(os.path.basename(p)) for p in paths):
            self.changed.set()


def watch(articles_dir: Path, rebuild: Callable[[], None], stop: threading.Event,
          settle: float = SETTLE_SECONDS, on_ready: Callable[[], None] | None = None) -> None:
    """Call ``rebuild`` after each burst of article changes until ``stop`` is set.

    ``on_ready`` is called once changes are being watched (a change saved before
    that is not seen). ``rebuild`` handles its own errors (a broken article must
    not end the watch); whatever it raises ends the watch and is raised here.
    """
    changed = threading.Event()
    observer = Observer()
    observer.schedule(_ArticleEvents(changed), str(articles_dir), recursive=True)
    observer.start()
    if on_ready:
        on_ready()
    try:
        while not stop.is_set():
            if not changed.wait(timeout=STOP_POLL_SECONDS):
                continue
            changed.clear()
            while changed.wait(settle) and not stop.is_set():  # still being written
                changed.clear()
            if not stop.is_set():
                rebuild()
    finally:
        observer.stop()
        observer.join()
