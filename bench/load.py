"""Load test: the real server under 32 concurrent clients while the index is rebuilt.

    python bench/load.py [--seconds 60] [--clients 32] [--json out.json]

Starts `kb serve` (waitress) on a free port with its own instance directory and
a copy of the index of articles/, then runs clients that mix searches,
suggestions, article views and feedback for the given time. Meanwhile
`kb index --force` rebuilds the index twice and the server switches to it.
Passes when there was no 5xx, no connection error, every feedback answered 201
is in the database exactly once, and the server ended on the newest build.
Rate limits are off for the run (all clients share one address).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from perf import free_port, wait_ready  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
QUERIES = [
    "Wo ist mein Paket?", "wo ist mein paket", "Rücksendung kostenlos?", "kann ich nach 3 wochen zurückschicken",
    "Lieferzeit Österreich", "Rechnung herunterladen", "Gutschein einlösen", "Passwort vergessen",
    "can I send it back after 3 weeks", "where is my parcel", "how do I pay with PayPal", "change my address",
    "is the packaging recyclable", "which carrier ships my parcel", "Wer gewann die Fußball-WM 1954?",
    "Zahlung fehlgeschlagen was tun", "Konto löschen", "delivery to Switzerland customs", "Retoure Etikett",
    "warranty claim broken", "Klimaneutraler Versand", "Expressversand Kosten",
]
PREFIXES = ["lie", "rück", "pak", "ret", "del", "rech", "gut", "pass", "zahl", "vers"]


def load_marker(client: int, seq: int) -> str:
    """The unique text of one load write, e.g. ``load-bk-bmm`` for client 36, write 1000.

    Numbers are spelled in letters (a=0 … z=25): the store masks personal data
    before it writes (kb.content.privacy), and digits would not survive it:
    ``load-10-1000`` looks like a phone number and is stored as
    ``load-[number]``, so different writes came back as one text, counted as
    "stored twice" and "acknowledged but lost".
    """
    return f"load-{_letters(client)}-{_letters(seq)}"


def _letters(n: int) -> str:
    text = ""
    while True:
        n, digit = divmod(n, 26)
        text = chr(ord("a") + digit) + text
        if n == 0:
            return text


class Client(threading.Thread):
    def __init__(self, n: int, port: int, until: float, articles: list[str], results: dict) -> None:
        super().__init__(daemon=True)
        self.n, self.port, self.until, self.articles, self.results = n, port, until, articles, results
        self.rng = random.Random(n)

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        seq = 0
        while time.monotonic() < self.until:
            r = self.rng.random()
            body, headers, method = None, {}, "GET"
            if r < 0.5:
                kind, path = "search", "/api/search?" + urllib.parse.urlencode({"q": self.rng.choice(QUERIES)})
                if self.rng.random() < 0.3:
                    path = "/search?" + urllib.parse.urlencode({"q": self.rng.choice(QUERIES)})
            elif r < 0.7:
                kind, path = "suggest", "/api/suggest?q=" + urllib.parse.quote(self.rng.choice(PREFIXES))
            elif r < 0.9:
                kind, path = "article", "/articles/" + self.rng.choice(self.articles)
            else:
                seq += 1
                kind, path, method = "feedback", "/api/feedback", "POST"
                marker = load_marker(self.n, seq)
                body = json.dumps({"article_id": self.rng.choice(self.articles), "helpful": False,
                                   "comment": marker})
                headers = {"Content-Type": "application/json"}
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                resp.read()
                status = resp.status
            except (OSError, http.client.HTTPException) as exc:
                self.results["errors"].append(f"{kind}: {type(exc).__name__}: {exc}")
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                continue
            elapsed = (time.perf_counter() - started) * 1000
            with self.results["lock"]:
                self.results["status"][(kind, status)] += 1
                self.results["latency"][kind].append(elapsed)
                if kind == "feedback" and status == 201:
                    self.results["feedback_ok"].append(marker)
        conn.close()


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] if values else float("nan")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--clients", type=int, default=32)
    ap.add_argument("--rebuilds", type=int, default=2)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kb-load-"))
    kb = [sys.executable, "-m", "kb.cli"]
    env = {**os.environ, "KB_INDEX": str(work / "index"), "KB_INSTANCE": str(work / "instance"),
           "KB_ARTICLES": str(ROOT / "articles"), "KB_SITE": str(ROOT / "site.yml"), "KB_RATE_LIMITS": "off"}
    print("building the index …", flush=True)
    subprocess.run(kb + ["index", "--quiet"], env=env, check=True, cwd=ROOT)
    articles = [a["id"] for a in json.loads((work / "index" / "current" / "articles.json").read_text())
                if a["audience"] == "public"]
    port = free_port()
    log = open(work / "server.log", "w")
    server = subprocess.Popen(kb + ["serve", "--port", str(port), "--threads", "16"], env=env, cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    try:
        if not wait_ready(port, server, timeout=120, poll=0.2):
            print((work / "server.log").read_text())
            return 2
        results = {"lock": threading.Lock(), "status": Counter(), "latency": defaultdict(list),
                   "errors": [], "feedback_ok": []}
        start = time.monotonic()
        until = start + args.seconds
        clients = [Client(n, port, until, articles, results) for n in range(args.clients)]
        for c in clients:
            c.start()
        rebuilds = []
        for i in range(args.rebuilds):  # rebuild while the clients run
            time.sleep(max(0.0, start + args.seconds * (i + 1) / (args.rebuilds + 1) - time.monotonic()))
            t0 = time.monotonic()
            subprocess.run(kb + ["index", "--force", "--quiet"], env=env, check=True, cwd=ROOT)
            rebuilds.append({"at_s": round(t0 - start, 1), "took_s": round(time.monotonic() - t0, 1)})
        for c in clients:
            c.join()
        wall = time.monotonic() - start
        time.sleep(1.5)
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
        c.request("GET", "/readyz")
        ready = json.loads(c.getresponse().read())
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()

    db = sqlite3.connect(work / "instance" / "kb.sqlite3")
    stored = Counter(row[0] for row in db.execute("SELECT comment FROM feedback WHERE comment LIKE 'load-%'"))
    db.close()
    acknowledged = results["feedback_ok"]
    newest = (work / "index" / "current").resolve().name
    total = sum(results["status"].values())
    five_xx = sum(v for (k, s), v in results["status"].items() if s >= 500)
    report = {
        "clients": args.clients, "seconds": round(wall, 1), "requests": total,
        "throughput_rps": round(total / wall, 1),
        "status": {f"{k} {s}": v for (k, s), v in sorted(results["status"].items())},
        "latency_ms": {k: {"p50": round(pct(v, 50), 1), "p95": round(pct(v, 95), 1),
                           "p99": round(pct(v, 99), 1), "n": len(v)}
                       for k, v in sorted(results["latency"].items())},
        "connection_errors": len(results["errors"]), "errors_sample": results["errors"][:5],
        "five_xx": five_xx,
        "feedback_acknowledged": len(acknowledged), "feedback_stored": sum(stored.values()),
        "feedback_missing": len(set(acknowledged) - set(stored)),
        "feedback_duplicated": sum(1 for v in stored.values() if v > 1),
        "rebuilds": rebuilds, "served_newest_build": ready["index"]["build"] == newest,
    }
    ok = (five_xx == 0 and not results["errors"] and report["feedback_missing"] == 0
          and report["feedback_duplicated"] == 0 and report["feedback_stored"] == len(acknowledged)
          and report["served_newest_build"])
    report["passed"] = ok
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False))
    shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
