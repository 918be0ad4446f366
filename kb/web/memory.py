"""Keep a long-running server's memory close to what it actually uses.

Every search allocates a few arrays of one float per passage (large blocks at
tens of thousands of passages). glibc's malloc serves such blocks with mmap at first, but
after the first one is freed it raises its mmap threshold (up to 32 MB) and
takes later ones from the heap, where freed memory mostly stays with the
process. Fixed thresholds keep the peak lower for a little throughput
(bench/RESULTS.md). glibc reads the same settings from the environment
(``MALLOC_MMAP_THRESHOLD_``, ``MALLOC_TRIM_THRESHOLD_``); those win if set.
"""

from __future__ import annotations

import ctypes
import os
import sys

M_TRIM_THRESHOLD = -1  # glibc malloc.h
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 64 * 1024
TRIM_THRESHOLD = 128 * 1024


def release_freed_memory() -> bool:
    """Fix glibc's mmap and trim thresholds for this process; False where that is not possible.

    Not glibc (macOS, musl without ``mallopt``), or thresholds chosen by the
    operator through the environment: left alone.
    """
    if not sys.platform.startswith("linux"):
        return False
    if "MALLOC_MMAP_THRESHOLD_" in os.environ or "MALLOC_TRIM_THRESHOLD_" in os.environ:
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    # mallopt returns 1 on success; fixing the mmap threshold also stops its dynamic growth
    return mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1 and mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD) == 1
