"""Writing a build safely: one builder at a time, durable files, one atomic switch.

A build is written to ``DIR/.tmp-build-*``, flushed to disk and renamed only
when complete; ``current`` is then repointed with one atomic rename of a
symlink. A crash (or ``kill -9``) mid-build never touches the index being
served, and the next build removes the leftovers.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kb.content.files import LockTimeout, exclusive_lock
from kb.index.layout import CURRENT

KEEP_BUILDS = 2  # the served build and the one before, for servers still answering from it
BUILD_ID_HEX = 6  # random hex digits that keep two builds of the same microsecond apart
LINK_ID_HEX = 8


class IndexBuildError(RuntimeError):
    pass


class IndexBusy(IndexBuildError):
    """Another process is building this index location right now."""


@contextmanager
def build_lock(location: Path) -> Iterator[None]:
    """Hold the location's build lock, or raise IndexBusy at once."""
    try:
        with exclusive_lock(location / ".lock", timeout=0):
            yield
    except LockTimeout:
        raise IndexBusy(f"another 'kb index' is building {location}; wait for it to finish") from None


def new_build_folder(location: Path) -> Path:
    """An empty temporary folder for a build; its name without ``.tmp-`` is the build's."""
    stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%dT%H%M%S%f")
    tmp = location / f".tmp-build-{stamp}-{uuid.uuid4().hex[:BUILD_ID_HEX]}"
    tmp.mkdir()
    return tmp


def _fsync_tree(path: Path) -> None:
    for root, _, files in os.walk(path):
        for name in files:
            with open(os.path.join(root, name), "rb") as fh:
                os.fsync(fh.fileno())
        _fsync_dir(root)


def _fsync_dir(path: Path | str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def cleanup(location: Path, keep: int = KEEP_BUILDS) -> None:
    """Remove leftovers of crashed builds and all but the newest published builds."""
    current = (location / CURRENT).resolve() if (location / CURRENT).exists() else None
    for tmp in location.glob(".tmp-*"):
        shutil.rmtree(tmp, ignore_errors=True) if tmp.is_dir() else tmp.unlink(missing_ok=True)
    builds = sorted(location.glob("build-*"), reverse=True)
    kept = 0
    for b in builds:
        if current is not None and b.resolve() == current:
            continue
        kept += 1
        if kept >= keep:
            shutil.rmtree(b, ignore_errors=True)


def publish(location: Path, build: Path) -> None:
    """Point ``current`` at the new build with one atomic rename of a symlink."""
    link_tmp = location / f".tmp-link-{uuid.uuid4().hex[:LINK_ID_HEX]}"
    os.symlink(build.name, link_tmp)
    os.replace(link_tmp, location / CURRENT)
    _fsync_dir(location)


def publish_build(location: Path, tmp: Path) -> Path:
    """Make a complete temporary build durable, serve it, and clean up; its final path."""
    _fsync_tree(tmp)
    final = location / tmp.name.removeprefix(".tmp-")
    os.rename(tmp, final)
    publish(location, final)
    cleanup(location)
    return final
