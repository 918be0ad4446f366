"""Writing article files so that a reader never sees half a file.

Editors save from the browser and `kb questions accept` adds front-matter
questions while `kb index --watch` and the server may read the same folder: a
file is written beside its target, flushed to disk and renamed over it, which
POSIX makes atomic.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_POLL_SECONDS = 0.05


def _process_umask() -> int:
    """The umask, read once: reading it means setting it, which is process-wide, and another
    thread creating a file in between would get mode 0666."""
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _process_umask()


class LockTimeout(TimeoutError):
    """Another process held the lock for longer than the caller waits."""


@contextmanager
def exclusive_lock(path: Path, timeout: float) -> Iterator[None]:
    """Hold an exclusive lock on the file ``path`` (created when missing) against every other
    process that locks it, waiting at most ``timeout`` seconds for it (LockTimeout)."""
    with open(path, "a") as handle:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LockTimeout(f"{path} is held by another process") from None
                time.sleep(LOCK_POLL_SECONDS)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def write_atomically(path: Path, text: str | bytes) -> None:
    """Replace ``path``'s content by ``text`` (UTF-8; bytes as they are) in one step; the
    folder must exist.

    The file keeps its permission bits when it existed; a new file gets the
    process' default (umask). On any error the target is left as it was.
    """
    path = Path(path)
    mode = path.stat().st_mode & 0o7777 if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        binary = isinstance(text, bytes)
        with os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        if mode is not None:
            os.chmod(tmp, mode)
        else:
            os.chmod(tmp, 0o666 & ~_UMASK)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    """Make the rename itself durable (the folder's entry), where the OS allows it."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
