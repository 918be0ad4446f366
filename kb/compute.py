"""One thread for the numeric work of searches: model forward passes and vector products.

torch runs an operation on a team of OpenMP threads that belongs to the calling
thread. A server answering one client from 8 threads in turn woke a different,
cold team for almost every request: a 45,418 x 512 vector product took 3.0 ms
instead of 1.7 ms, and a question 25 ms instead of 19 ms (bench/RESULTS.md).
Handing the work to one long-lived thread keeps one team warm; each operation
uses both cores anyway, so running them one after another loses nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="kb-compute")
_inside = threading.local()


def run(fn: Callable[..., T], *args) -> T:
    """``fn(*args)`` on the compute thread; its result or its exception."""
    if getattr(_inside, "yes", False):  # already there (nested call): run directly
        return fn(*args)
    return _executor.submit(_marked, fn, *args).result()


def _marked(fn: Callable[..., T], *args) -> T:
    _inside.yes = True
    return fn(*args)
