"""Two versions of the server side by side over HTTP: before/after figures from one run.

    python bench/ab_http.py --articles DIR --a CHECKOUT:INDEX --b CHECKOUT:INDEX [--b-env K=V]
                            [--b-serve-args "--threads 3"]

CHECKOUT is a source tree (e.g. `git worktree add /tmp/base <commit>`), INDEX an
index of DIR built by that version's `kb index`. For every round and
concurrency level, A and B each serve on a freshly started `kb serve` (empty
caches), alternating which goes first, with the same questions as
bench/perf.py: 200 never-asked questions from one client ("cold"), then the
customer-like stream (34 % repeats) from 1, 8 and 32 clients. Reported: medians
over rounds of each figure, peak RSS, and B / A.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import perf  # noqa: E402

LEVELS = ("cold_1", "stream_1", "stream_8", "stream_32")
FIGURES = ("p50", "p95", "p99", "qps")
COLD, STREAM = 200, 600  # bench/perf.py's full-run sizes


def variant(text: str) -> tuple[Path, Path]:
    code, _, index = text.partition(":")
    if not index:
        raise SystemExit(f"expected CHECKOUT:INDEX, got {text!r}")
    code_dir, index_dir = Path(code).resolve(), Path(index).resolve()
    found = subprocess.run([sys.executable, "-c", "import kb; print(kb.__file__)"], cwd=code_dir,
                           capture_output=True, text=True, check=True).stdout.strip()
    if not found.startswith(str(code_dir)):
        raise SystemExit(f"{code_dir}: `python -m kb.cli` there would run {found}")
    return code_dir, index_dir


def one(code: Path, index: Path, env: dict[str, str], serve_args: list[str], articles: Path, level: str,
        cold: list[str], stream: list[str], seconds: float) -> dict:
    with tempfile.TemporaryDirectory(prefix="kb-ab-") as work:
        with perf._Server(articles, index, Path(work), root=code, env=env, args=serve_args) as server:
            if level == "cold_1":
                res = perf.http_run(server.port, cold, 1, seconds, by_lang=True)
                res["cold_start_s"] = server.cold_start_s
            else:
                res = perf.http_run(server.port, stream, int(level.split("_")[1]), seconds)
            res["peak_rss_mb"] = server.rss_mb()
            return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=Path, required=True)
    ap.add_argument("--a", required=True, help="CHECKOUT:INDEX of the version before")
    ap.add_argument("--b", required=True, help="CHECKOUT:INDEX of the version after")
    ap.add_argument("--a-env", action="append", default=[], metavar="K=V", help="environment of A's server")
    ap.add_argument("--b-env", action="append", default=[], metavar="K=V", help="environment of B's server")
    ap.add_argument("--a-serve-args", default="", help="more `kb serve` options for A, e.g. '--threads 3'")
    ap.add_argument("--b-serve-args", default="", help="more `kb serve` options for B")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seconds", type=float, default=15)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    versions = {"A": (*variant(args.a), dict(kv.split("=", 1) for kv in args.a_env), args.a_serve_args.split()),
                "B": (*variant(args.b), dict(kv.split("=", 1) for kv in args.b_env), args.b_serve_args.split())}
    pool = perf.query_pool()
    # the questions bench/perf.py asks over HTTP in a full run
    cold = pool[COLD + STREAM:][:COLD]
    stream = perf.customer_stream(pool[COLD * 2 + STREAM:], STREAM * 4, seed=6)
    runs: dict[str, dict[str, list[dict]]] = {v: {lv: [] for lv in LEVELS} for v in versions}
    for r in range(args.rounds):
        for level in LEVELS:
            order = ("A", "B") if (r + LEVELS.index(level)) % 2 == 0 else ("B", "A")
            for v in order:
                res = one(*versions[v], args.articles, level, cold, stream, args.seconds)
                runs[v][level].append(res)
                print(f"round {r + 1} {level} {v}: " + json.dumps(
                    {k: res[k] for k in res if k in FIGURES + ("p50_en", "p50_de", "peak_rss_mb")}), flush=True)
    summary: dict = {}
    for level in LEVELS:
        row = {}
        for v in versions:
            figs = FIGURES + (("p50_en", "p50_de", "cold_start_s") if level == "cold_1" else ())
            row[v] = {k: round(statistics.median(x[k] for x in runs[v][level]), 2) for k in figs + ("peak_rss_mb",)}
        row["B/A"] = {k: round(row["B"][k] / row["A"][k], 3) for k in row["A"] if row["A"][k]}
        summary[level] = row
    print("\n| level | version | p50 | p95 | p99 | qps | peak RSS MB |\n|---|---|---|---|---|---|---|")
    for level, row in summary.items():
        for v in ("A", "B", "B/A"):
            f = row[v]
            print(f"| {level} | {v} | {f['p50']} | {f['p95']} | {f['p99']} | {f['qps']} | {f['peak_rss_mb']} |")
    if args.json:
        args.json.write_text(json.dumps({"versions": {v: [str(p) for p in versions[v]] for v in versions},
                                         "summary": summary, "runs": runs}, indent=1))


if __name__ == "__main__":
    main()
