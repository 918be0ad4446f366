"""One process at a time makes a model's export; the others wait for it and then read it."""

from __future__ import annotations

import fcntl
import logging
import time
from contextlib import contextmanager
from pathlib import Path

from kb.encoders.spec import EncoderSpec

# a process waits this long for another making a model's export, then makes its own
MAX_EXPORT_WAIT_S = 600.0
EXPORT_WAIT_POLL_S = 0.5
EXPORT_WAIT_LOG_S = 30.0  # says so in the log this often while it waits
# the package's logger: `kb index` shows its messages (kb/cli/indexing.py) and the server's log names it
log = logging.getLogger("kb.encoders")


@contextmanager
def one_maker(spec: EncoderSpec):
    """Held while a process makes a sentence-transformers model's export, so that one
    process makes it and the others (test workers, a server beside ``kb index``) wait and
    then read it: two exports at once cost each other the cores for the same files.

    Only a speed-up: an export is moved into place in one rename, so where the lock cannot
    be had (a cache on a file system without locks, another user's lock file) or the wait
    grows too long (the maker stopped), the process goes on and makes its own. The lock
    is released when the file closes, also on a crash.
    """
    from kb.content.machine_cache import cache_root
    from kb.encoders.onnx_quantize import split_variant
    from kb.encoders.onnx_runtime import file_label

    root = cache_root()
    path = root / f".make-{file_label(split_variant(spec.name)[0])}.lock"
    try:
        root.mkdir(parents=True, exist_ok=True)
        lock = open(path, "a+")
    except OSError:
        try:
            lock = open(path)  # another user's lock file: flock works on a file read-only
        except OSError:
            lock = None  # a read-only cache without it: nothing can be made there anyway
    if lock is None:
        yield
        return
    with lock:
        _wait_for_lock(lock, spec.name, root)
        yield


def _wait_for_lock(lock, name: str, root: Path) -> None:
    """Take ``lock``, saying in the log while it waits; or go on without it (no locks on
    this file system, or waited MAX_EXPORT_WAIT_S)."""
    waited = 0.0
    while True:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        except OSError as exc:  # a file system without locks
            log.info("model '%s': no lock in %s (%s); making the export unlocked", name, root, exc)
            return
        if waited >= MAX_EXPORT_WAIT_S:
            log.warning("model '%s': waited %.0f s for the process making its export in %s; "
                        "making it here", name, waited, root)
            return
        if waited % EXPORT_WAIT_LOG_S == 0:
            log.info("model '%s': waiting for the process making its export in %s", name, root)
        time.sleep(EXPORT_WAIT_POLL_S)
        waited += EXPORT_WAIT_POLL_S
