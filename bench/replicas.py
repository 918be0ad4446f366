"""Replicas on one PostgreSQL and one Redis: the harness and a throughput bench.

    python bench/replicas.py [--seconds 20] [--clients 16] [--json out.json]

Starts a throw-away PostgreSQL and Redis (Debian's packages, as the tests
do), builds the index of articles/ into a shared folder, and measures the
same mixed load (searches, suggestions, article views, feedback and contact
writes) against one `kb serve` replica and then against two, side by side.
tests/test_replicas.py uses the same harness for the two-replica load test
with an index publish and a PostgreSQL outage in the middle.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from db_servers import Postgres, Redis, _pg_bin, free_port  # noqa: E402
from load import PREFIXES, QUERIES, load_marker, pct  # noqa: E402
from perf import wait_ready  # noqa: E402

KB = [sys.executable, "-m", "kb.cli"]
WRITE_KINDS = ("feedback", "contact")
# per client address: generous for the load's clients (they do not pause as people do);
# sign-ins keep the default budget, which the replica test exhausts on purpose
INSTANCE_CONFIG = 'RATE_LIMIT_SEARCH = "100000 per minute"\nRATE_LIMIT_SUGGEST = "100000 per minute"\n' \
                  'RATE_LIMIT_WRITE = "100000 per minute"\n'


@dataclass
class Replica:
    port: int
    process: subprocess.Popen
    log: Path

    def get_json(self, path: str) -> dict:
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            c.request("GET", path)
            return json.loads(c.getresponse().read())
        finally:
            c.close()


def cluster_env(work: Path, articles: Path, database_url: str, redis_url: str) -> dict:
    """What every replica and `kb index` share: the index folder, the database, Redis, one key."""
    return {**os.environ, "KB_INDEX": str(work / "index"), "KB_ARTICLES": str(articles),
            "KB_SITE": str(ROOT / "site.yml"), "KB_DATABASE_URL": database_url,
            "KB_RATE_LIMIT_STORAGE": redis_url, "KB_SECRET_KEY": "replicas-bench-" + "k" * 40,
            "KB_TRUSTED_PROXY": "127.0.0.1", "PYTHONPATH": str(ROOT)}


def publish_index(env: dict, force: bool = False) -> None:
    subprocess.run(KB + ["index", "--quiet"] + (["--force"] if force else []), env=env, check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)


def start_replicas(n: int, work: Path, env: dict, threads: int = 8) -> list[Replica]:
    """``n`` `kb serve` processes, each with its own instance folder (its config.py sets the limits)."""
    replicas = []
    for i in range(n):
        instance = work / f"replica-{i}"
        instance.mkdir(parents=True, exist_ok=True)
        (instance / "config.py").write_text(INSTANCE_CONFIG)
        port = free_port()
        log = work / f"replica-{i}.log"
        process = subprocess.Popen(KB + ["serve", "--port", str(port), "--threads", str(threads)],
                                   env={**env, "KB_INSTANCE": str(instance)}, cwd=ROOT,
                                   stdout=log.open("w"), stderr=subprocess.STDOUT)
        replicas.append(Replica(port, process, log))
    for r in replicas:
        if not wait_ready(r.port, r.process, timeout=300, poll=0.2):
            stop_replicas(replicas)
            raise RuntimeError(f"replica on port {r.port} did not start:\n{r.log.read_text()[-3000:]}")
    return replicas


def stop_replicas(replicas: list[Replica]) -> None:
    for r in replicas:
        r.process.terminate()
    for r in replicas:
        try:
            r.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            r.process.kill()


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    status: Counter = field(default_factory=Counter)                  # (kind, status) -> n
    latency: dict = field(default_factory=lambda: defaultdict(list))  # kind -> ms
    errors: list = field(default_factory=list)
    acknowledged: dict = field(default_factory=lambda: defaultdict(list))  # kind -> markers
    server_errors: list = field(default_factory=list)                 # (seconds, kind, status, Retry-After)
    timeline: list = field(default_factory=list)                      # (seconds, kind, status)

    def count(self, kinds=None, statuses=None) -> int:
        return sum(v for (k, s), v in self.status.items()
                   if (kinds is None or k in kinds) and (statuses is None or s in statuses))


class LoadClient(threading.Thread):
    """One customer: a mix of reads and writes, spread over all replicas, from its own address."""

    def __init__(self, n: int, ports: list[int], until: float, start: float, articles: list[str],
                 results: Results) -> None:
        super().__init__(daemon=True)
        self.n, self.ports, self.until, self.start_at = n, ports, until, start
        self.articles, self.results = articles, results
        self.rng = random.Random(n)
        self.address = f"10.{n // 250}.{n % 250}.1"

    def _request(self, r: float, seq: int) -> tuple[str, str, str, bytes | None, str | None]:
        if r < 0.55:
            q = urllib.parse.urlencode({"q": self.rng.choice(QUERIES)})
            return ("search", "GET", ("/search?" if self.rng.random() < 0.3 else "/api/search?") + q, None, None)
        if r < 0.7:
            return "suggest", "GET", "/api/suggest?q=" + urllib.parse.quote(self.rng.choice(PREFIXES)), None, None
        if r < 0.85:
            return "article", "GET", "/articles/" + self.rng.choice(self.articles), None, None
        marker = load_marker(self.n, seq)
        if r < 0.93:
            body = {"article_id": self.rng.choice(self.articles), "helpful": False, "comment": marker}
            return "feedback", "POST", "/api/feedback", json.dumps(body).encode(), marker
        body = {"question": marker, "consent": True}
        return "contact", "POST", "/api/contact", json.dumps(body).encode(), marker

    def run(self) -> None:
        conns = {p: http.client.HTTPConnection("127.0.0.1", p, timeout=30) for p in self.ports}
        seq = 0
        while time.monotonic() < self.until:
            seq += 1
            kind, method, path, body, marker = self._request(self.rng.random(), seq)
            port = self.rng.choice(self.ports)
            headers = {"X-Forwarded-For": self.address}
            if body:
                headers["Content-Type"] = "application/json"
            started = time.perf_counter()
            try:
                conns[port].request(method, path, body=body, headers=headers)
                resp = conns[port].getresponse()
                resp.read()
            except (OSError, http.client.HTTPException) as exc:
                with self.results.lock:
                    self.results.errors.append(f"{kind}: {type(exc).__name__}: {exc}")
                conns[port].close()
                conns[port] = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            with self.results.lock:
                self.results.status[(kind, resp.status)] += 1
                self.results.latency[kind].append((time.perf_counter() - started) * 1000)
                self.results.timeline.append((time.monotonic() - self.start_at, kind, resp.status))
                if marker and resp.status in (200, 201):
                    self.results.acknowledged[kind].append(marker)
                if resp.status >= 500:
                    self.results.server_errors.append((round(time.monotonic() - self.start_at, 1), kind,
                                                       resp.status, resp.getheader("Retry-After")))
        for c in conns.values():
            c.close()


def run_load(ports: list[int], clients: int, seconds: float, articles: list[str],
             events: list[tuple[float, callable]] = ()) -> tuple[Results, float, dict]:
    """Clients for ``seconds``; each event ``(at_seconds, action)`` runs on time meanwhile,
    on its own thread: a slow event (a publish that encodes for a minute) never delays
    the next one.

    Returns the results, the wall time and when each event started and ended (seconds).
    """
    results = Results()
    start = time.monotonic()
    workers = [LoadClient(n, ports, start + seconds, start, articles, results) for n in range(clients)]
    for w in workers:
        w.start()
    timeline, failed = {}, []

    def run_event(at: float, action) -> None:
        time.sleep(max(0.0, start + at - time.monotonic()))
        began = time.monotonic() - start
        try:
            action()
        except BaseException as exc:  # raised again below, in the caller's thread
            failed.append(exc)
        timeline[getattr(action, "__name__", str(at))] = (round(began, 1), round(time.monotonic() - start, 1))

    events = [threading.Thread(target=run_event, args=event) for event in events]
    for e in events:
        e.start()
    for thread in [*events, *workers]:
        thread.join()
    if failed:
        raise failed[0]
    return results, time.monotonic() - start, timeline


def summary(results: Results, wall: float) -> dict:
    total = sum(results.status.values())
    return {"requests": total, "seconds": round(wall, 1), "throughput_rps": round(total / wall, 1),
            "status": {f"{k} {s}": v for (k, s), v in sorted(results.status.items())},
            "latency_ms": {k: {"p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1), "n": len(v)}
                           for k, v in sorted(results.latency.items())},
            "connection_errors": len(results.errors), "errors_sample": results.errors[:3]}


def public_articles(work: Path) -> list[str]:
    return [a["id"] for a in json.loads((work / "index" / "current" / "articles.json").read_text())
            if a["audience"] == "public"]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    if _pg_bin() is None or shutil.which("redis-server") is None:
        print("needs Debian's postgresql and redis-server (make servers)")
        return 2
    work = Path(tempfile.mkdtemp(prefix="kb-replicas-"))
    pg_folder = Path(tempfile.mkdtemp(prefix="kb-pg-"))  # its own: may belong to the postgres user
    redis_folder = work / "redis"
    redis_folder.mkdir()
    pg = Postgres(_pg_bin(), pg_folder)
    pg.start()
    redis = Redis(redis_folder)
    report = {"clients": args.clients, "seconds": args.seconds, "cores": os.cpu_count()}
    try:
        env = cluster_env(work, ROOT / "articles", pg.new_database(), redis.url)
        publish_index(env)
        articles = public_articles(work)
        for n in (1, 2):
            replicas = start_replicas(n, work / f"run-{n}", env)
            try:
                results, wall, _ = run_load([r.port for r in replicas], args.clients, args.seconds, articles)
            finally:
                stop_replicas(replicas)
            report[f"{n}_replica{'s' if n > 1 else ''}"] = summary(results, wall)
            print(f"{n} replica(s): {report[f'{n}_replica' + ('s' if n > 1 else '')]['throughput_rps']} req/s",
                  flush=True)
    finally:
        redis.stop()
        pg.stop("immediate")
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(pg_folder, ignore_errors=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
