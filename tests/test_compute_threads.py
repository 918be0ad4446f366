"""kb serve's BLAS thread limit: one thread, unless the operator set a count, and batch
encodes still get their threads for the call."""
import os
import subprocess
import sys

PROBE = r"""
from threadpoolctl import threadpool_info
from kb.encoders.threads import one_blas_thread
from kb.encoders import USEEncoder, EncoderSpec
limited = one_blas_thread()
blas = lambda: sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})
after = blas()
use = USEEncoder(EncoderSpec("use-multilingual-v3", None))
use.encode(["eine Frage"] * 8)  # a batch: USE asks for its threads and restores the limit
print(limited, after, blas())
"""


def probe(**env) -> list[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=120,
                         env={**clean, **env}, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().split(maxsplit=1)


def test_blas_runs_on_one_thread_after_batches_too():
    assert probe() == ["True", "[1] [1]"]


SINGLE = r"""
from threadpoolctl import threadpool_info
from kb.encoders.threads import cpu_threads, one_blas_thread
from kb.encoders import USEEncoder, EncoderSpec
use = USEEncoder(EncoderSpec("use-multilingual-v3", None))
calls, during = [], []
limit, encode = use._blas_limit, use._use.encode
use._blas_limit = lambda **kw: calls.append(kw["limits"]) or limit(**kw)
use._use.encode = lambda texts: during.append(
    sorted({i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"})) or encode(texts)
use.encode(["eine Frage"])  # not limited yet: the question gets one thread for its call
assert one_blas_thread()
use.encode(["noch eine Frage"])  # the process computes on one thread: nothing to limit
use.encode(["eine Frage"] * 8)  # a batch: the cores there are, for the call
print(calls, during, cpu_threads())
"""


def test_a_single_question_asks_threadpoolctl_only_where_the_process_is_not_limited():
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", SINGLE], capture_output=True, text=True, timeout=120,
                         env=clean, cwd=os.path.dirname(os.path.dirname(__file__)))
    assert out.returncode == 0, out.stderr
    cores = int(out.stdout.split()[-1])
    batch = [cores] if cores > 1 else []  # one core: a batch runs on the one thread too
    assert out.stdout.strip() == f"{[1, *batch]} {[[1], [1], [cores]]} {cores}"


def test_an_operators_thread_count_wins():
    limited, counts = probe(OPENBLAS_NUM_THREADS="2")
    assert limited == "False" and counts == "[2] [2]"


REQUEST_THREADS = r"""
import os, sys
from kb.encoders.threads import request_threads
os.sched_setaffinity(0, {int(c) for c in sys.argv[1].split(",")})
print(request_threads())
"""


def test_request_threads_are_one_more_than_the_cores_at_most_eight():
    cores = sorted(os.sched_getaffinity(0))

    def threads(allowed) -> int:
        out = subprocess.run([sys.executable, "-c", REQUEST_THREADS, ",".join(map(str, allowed))],
                             capture_output=True, text=True, timeout=60,
                             cwd=os.path.dirname(os.path.dirname(__file__)))
        assert out.returncode == 0, out.stderr
        return int(out.stdout)

    assert threads(cores[:1]) == 2
    assert threads(cores) == min(len(cores) + 1, 8)
