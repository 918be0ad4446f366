"""What both cores could give if the request threads did not share one interpreter.

    python bench/processes_bound.py --articles DIR --index INDEX [--processes 2] [--threads 1] [--pin]

Not a way to run the product: N independent `kb serve` processes of the same
index, each on its own port (and with ``--pin`` on its own core), and the
customer-like stream of bench/perf.py from CLIENTS clients split evenly over
them. Every process holds its own models, index and caches, so memory is N
times one server's. The figure it gives is an upper bound for a multi-process
server on this machine: the p99 at 8 clients it reaches is the best any way of
spreading one machine's cores over processes could hope for (bench/RESULTS.md,
seventh round).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import perf  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(ports: list[int], queries: list[str], clients: int, seconds: float) -> tuple[list[float], int, float]:
    out: list[float] = []
    errors: list[str] = []
    until = time.monotonic() + seconds
    per = [queries[c::clients] for c in range(clients)]
    threads = [perf._Client(ports[c % len(ports)], per[c], until, out, errors) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out, len(errors), time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=Path, required=True)
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1, help="`kb serve --threads` of each process")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--pin", action="store_true", help="process i runs on core i mod cores (taskset)")
    ap.add_argument("--seconds", type=float, default=15)
    args = ap.parse_args()
    cores = len(os.sched_getaffinity(0))
    with tempfile.TemporaryDirectory(prefix="kb-bound-") as work:
        env = {**os.environ, "KB_INDEX": str(args.index.resolve()), "KB_INSTANCE": str(Path(work) / "instance"),
               "KB_ARTICLES": str(args.articles.resolve()), "KB_SITE": str(ROOT / "site.yml"),
               "KB_RATE_LIMITS": "off"}
        procs, ports = [], []
        try:
            for i in range(args.processes):
                port = perf.free_port()
                cmd = [sys.executable, "-m", "kb.cli", "serve", "--port", str(port), "--threads", str(args.threads)]
                if args.pin:
                    cmd = ["taskset", "-c", str(i % cores), *cmd]
                procs.append(subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                              stderr=subprocess.DEVNULL))
                ports.append(port)
            for port, proc in zip(ports, procs):
                if not perf.wait_ready(port, proc):
                    raise SystemExit(f"the server on port {port} did not start")
            pool = perf.query_pool()
            # the stream bench/ab_http.py sends; warmed up with other questions of the pool
            stream = perf.customer_stream(pool[200 * 2 + 600:], 600 * 4, seed=6)
            _run(ports, pool[:400], args.clients, 4)
            cpu0 = sum(_cpu_seconds(p.pid) for p in procs)
            out, errors, wall = _run(ports, stream, args.clients, args.seconds)
            cpu1 = sum(_cpu_seconds(p.pid) for p in procs)
            res = {**perf.summary(out), "qps": round(len(out) / wall, 1), "errors": errors,
                   "server_cpu_ms_per_question": round((cpu1 - cpu0) / len(out) * 1000, 2),
                   "peak_rss_mb_sum": round(sum(perf.vm_hwm_mb(p.pid) for p in procs), 1),
                   "config": {k: v for k, v in vars(args).items() if k not in ("articles", "index")}}
            print(json.dumps(res))
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                p.wait(timeout=30)


if __name__ == "__main__":
    main()
