"""The server's malloc settings: freed per-search arrays go back to the system."""
import ctypes
import os
import subprocess
import sys

import pytest

try:
    ctypes.CDLL(None).mallinfo2
except AttributeError:  # not glibc >= 2.33
    pytest.skip("needs glibc's mallinfo2", allow_module_level=True)

# Allocate, free and allocate again an array of a search's size (180 KB); report
# whether the second one was served by mmap (and so is unmapped when freed).
# The module is loaded by its path: importing the kb.web package first loads
# libraries (the German compound splitter's tables) whose freed memory leaves large
# free chunks in the heap, which then serve the probe's array whatever the threshold.
PROBE = r"""
import ctypes, importlib.util, sys
import numpy as np
spec = importlib.util.spec_from_file_location("memory", "kb/web/memory.py")
memory = importlib.util.module_from_spec(spec)
spec.loader.exec_module(memory)
release_freed_memory = memory.release_freed_memory
tuned = release_freed_memory() if sys.argv[1] == "tune" else None
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in
                "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
a = np.ones(45_000, dtype=np.float32); del a
before = libc.mallinfo2().hblks
b = np.ones(45_000, dtype=np.float32)
print(tuned, libc.mallinfo2().hblks > before)
"""


def probe(mode: str, **env) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE, mode], capture_output=True, text=True, check=True,
                         env={**os.environ, **env}, cwd=os.path.dirname(os.path.dirname(__file__)))
    return out.stdout.strip()


def test_freed_search_arrays_are_returned_to_the_system():
    assert probe("default") == "None False"  # glibc's dynamic threshold: the heap keeps it
    assert probe("tune") == "True True"


def test_the_operators_own_malloc_settings_win():
    assert probe("tune", MALLOC_MMAP_THRESHOLD_="1048576") == "False False"
