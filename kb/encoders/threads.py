"""How many threads a server computes with: request threads, and numpy's BLAS.

A server answers several questions at once on request threads, and every
search runs BLAS products (USE's layers, the vector products over all texts).
With OpenBLAS' default of one thread per core, its worker threads spin after
each product and take the cores from ONNX Runtime and from the other requests,
so a server runs BLAS on one thread (figures in bench/RESULTS.md). Batch work
that gains from more threads asks for them per call (USE does, through
threadpoolctl, and restores this limit).
"""

from __future__ import annotations

import os

from threadpoolctl import threadpool_limits

_limits = None  # kept: the limit lasts as long as the process


def one_blas_thread() -> bool:
    """Limit BLAS to one thread for this process; False where the operator chose otherwise."""
    global _limits
    if any(v in os.environ for v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")):
        return False
    _limits = threadpool_limits(limits=1, user_api="blas")
    return True


def blas_on_one_thread() -> bool:
    """Whether ``one_blas_thread`` limited this process (BLAS calls need no limit of their own)."""
    return _limits is not None


MAX_REQUEST_THREADS = 8
MAX_ENCODER_THREADS = 4  # threads one batch encode uses; more gain little on small batches


def cpu_threads() -> int:
    """Threads for one batch encode: the cores this process may use, at most MAX_ENCODER_THREADS."""
    return max(1, min(len(os.sched_getaffinity(0)), MAX_ENCODER_THREADS))


def request_threads() -> int:
    """How many requests a server works on at once: one more than its cores, at most 8.

    Waitress reads and writes sockets on its own main thread, so request threads
    only compute, and the cores and the interpreter lock are the limit: more
    threads than that slow every question by the others' work for few more
    questions a second (bench/RESULTS.md). The one extra thread does Python work
    while the others are in the models' or BLAS' C code. While one thread loads a
    newly published index (kb/web/live_index.py) the others answer.
    """
    return max(1, min(len(os.sched_getaffinity(0)) + 1, MAX_REQUEST_THREADS))
