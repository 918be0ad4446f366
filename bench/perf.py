"""Performance: the product against the machine's floor and a peer, side by side in one run.

    python bench/perf.py [--quick] [--sizes shop,1000,10000] [--json out.json]
    python bench/perf.py --budget [--sizes 10000]   # only the serving budget, minutes not 20

``--budget`` builds each corpus and measures only what the serving budget names
(over HTTP, one client, never-asked questions: p50 by language; a customer-like
stream; the server's peak RSS; cold start) and the product's encoders alone.

For each corpus (the sample help centre `articles/`, and generated help centres
of N sections built deterministically from the shared XQuAD paragraphs and
Bitext utterances, German and English mixed, written to a temp dir):

* floor: bare ``encode`` of one query per model as its library ships it
  (sentence-transformers' ``model.encode`` on torch, USE's numpy ``encode``;
  median over many distinct queries, single query, as the product calls it),
  and bare batch encode throughput on the corpus' own passages (batches of 256,
  as the build does). The product runs sentence-transformers models through
  ONNX Runtime (kb/encoders/onnx_runtime.py); the same timing of the product's own
  encoders is reported beside it ("runtime floor"), so the overhead of the rest
  of the search shows too;
* build: ``kb.index.build.build_index`` wall time, sections/s, and its ratio to
  the bare encode time of the passages it encoded; re-index after one article
  changed; the "up to date" check;
* in-process ``SearchEngine.search``: p50/p95/p99 for cold (never seen) queries
  and for a customer-like stream with repeats (the query cache counts);
* HTTP against the real ``kb serve`` (subprocess, rate limits off): cold start
  (process start to first answer), p50/p95/p99 and throughput with 1, 8 and 32
  keep-alive clients, peak RSS (VmHWM) of the server;
* the peer: the Haystack hybrid pipeline of bench/retrieval.py (InMemory BM25 +
  all-MiniLM-L6-v2 embedder/retriever + DocumentJoiner RRF), one document per
  section, same queries: build time, per-query latency, throughput.

Timings are medians/percentiles on a shared 2-core machine; compare ratios
measured in the same run, not absolute numbers across runs.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders.threads import one_blas_thread  # noqa: E402
from kb.encoders import DEFAULT_MODELS, USEEncoder, load_encoders, parse_models  # noqa: E402
from kb.encoders import SentenceTransformerEncoder, model_path  # noqa: E402
from kb.index.build import CURRENT, build_index  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from kb.content.sections import split_sentences  # noqa: E402

SECTIONS_PER_ARTICLE = 5


# ---- data -------------------------------------------------------------------------------
def _xquad(lang: str):
    data = json.loads((SHARED / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    titles, sentences, questions = [], [], []
    for art in data["data"]:
        titles.append(art["title"].replace("_", " "))
        for para in art["paragraphs"]:
            sentences.extend(s for s in split_sentences(para["context"]) if len(s.split()) >= 4)
            questions.extend(qa["question"] for qa in para["qas"])
    return titles, sentences, questions


def _bitext():
    rows = list(csv.DictReader(open(SHARED / "bitext" / "utterances.csv", encoding="utf-8")))
    return [r["utterance"] for r in rows], sorted({r["intent"] for r in rows})


def generate_corpus(n_sections: int, folder: Path, seed: int = 7) -> int:
    """Deterministic help centre of ``n_sections`` sections (5 per article), de/en mixed.

    German articles: sections of 2-4 XQuAD-de sentences. English articles: XQuAD-en
    sentences, every other section with customer phrasing (Bitext utterances). The
    combination makes every section text distinct; sentences recur across sections
    (as boilerplate does in real help centres).
    """
    rng = random.Random(seed)
    pools = {lang: _xquad(lang) for lang in ("de", "en")}
    utterances, intents = _bitext()
    n_articles = max(1, n_sections // SECTIONS_PER_ARTICLE)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n_articles):
        lang = "de" if i % 2 == 0 else "en"
        titles, sentences, _ = pools[lang]
        topic = titles[rng.randrange(len(titles))]
        title = f"{topic} {i}" if lang == "de" else f"{topic} ({i})"
        parts = []
        for s in range(SECTIONS_PER_ARTICLE):
            text = " ".join(rng.sample(sentences, rng.randint(2, 4)))
            if lang == "en" and s % 2 == 1:
                text += " " + " ".join(u.strip().rstrip("?.!") + "." for u in rng.sample(utterances, 2))
            heading = (f"Abschnitt {s + 1}: {rng.choice(titles)}" if lang == "de"
                       else f"Part {s + 1}: {rng.choice(intents).replace('_', ' ')}")
            parts.append(f"## {heading}\n\n{text}\n")
        category = f"Kategorie {i % 12}" if lang == "de" else f"Category {i % 12}"
        path = folder / lang / f"a{i:06d}.md"
        path.parent.mkdir(exist_ok=True)
        path.write_text(f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\nlang: {lang}\n"
                        f"category: {json.dumps(category)}\n---\n" + "\n".join(parts), encoding="utf-8")
    return n_articles


def query_pool(seed: int = 11) -> list[str]:
    """Distinct questions: XQuAD de + en questions and Bitext utterances, shuffled."""
    rng = random.Random(seed)
    qs = _xquad("de")[2] + _xquad("en")[2]
    utterances, _ = _bitext()
    qs += rng.sample(utterances, 2000)
    qs = list(dict.fromkeys(q.strip() for q in qs if q.strip()))
    rng.shuffle(qs)
    return qs


def customer_stream(fresh: list[str], n: int, repeat: float = 0.35, popular: int = 50,
                    seed: int = 5) -> list[str]:
    """A stream in which ``repeat`` of the queries repeat one of the first ``popular`` asked."""
    rng = random.Random(seed)
    out, seen, it = [], [], iter(fresh)
    for _ in range(n):
        if seen and rng.random() < repeat:
            out.append(rng.choice(seen[:popular]))
        else:
            q = next(it)
            seen.append(q)
            out.append(q)
    return out


# ---- helpers ----------------------------------------------------------------------------
def pct(values, p) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), p)) if len(values) else float("nan")


def summary(ms: list[float]) -> dict:
    return {"p50": round(pct(ms, 50), 2), "p95": round(pct(ms, 95), 2), "p99": round(pct(ms, 99), 2),
            "n": len(ms)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def vm_hwm_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


# ---- measurements -------------------------------------------------------------------------
def floor_query(encoders, queries: list[str]) -> dict:
    out = {}
    for e in encoders:
        e.encode([queries[0]])  # warm
        ms = []
        for q in queries:
            t = time.perf_counter()
            e.encode([q])
            ms.append((time.perf_counter() - t) * 1000)
        out[e.name] = round(statistics.median(ms), 2)
    out["all"] = round(sum(out.values()), 2)
    return out


def bare_encoders(models: str) -> tuple:
    """Each model as its library runs it (the floor of issue 6: ``model.encode``); a graph
    variant (``name:int8-block128``) has no such form: its base model stands in."""
    from kb.encoders import EncoderSpec
    from kb.encoders.onnx_quantize import split_variant

    out = []
    for s in parse_models(models):
        if s.name.lower() in {"use-multilingual-v3", "usem3", "use-multilingual"}:
            out.append(USEEncoder(s))
            continue
        base = EncoderSpec(split_variant(s.name)[0], s.languages)
        out.append(SentenceTransformerEncoder(base, model_path(base)))
    return tuple(out)


def floor_throughput(encoders, texts: list[str], batch: int = 256) -> dict:
    """Passages per second of bare ``encode`` in batches, per encoder."""
    out = {}
    for e in encoders:
        t = time.perf_counter()
        for s in range(0, len(texts), batch):
            e.encode(texts[s:s + batch])
        out[e.name] = round(len(texts) / (time.perf_counter() - t), 1)
    return out


def passage_sample(engine: SearchEngine, n: int, seed: int = 3) -> list[str]:
    """Texts like those the build embeds (section passages and sentences), sampled."""
    idx = engine.index
    texts = [f"{s['heading']}: {s['text']}" for s in idx.sections]
    texts += [x for s in idx.sections for x in split_sentences(s["text"]) if len(x.split()) >= 3]
    texts = list(dict.fromkeys(texts))
    return random.Random(seed).sample(texts, min(n, len(texts)))


def in_process(engine: SearchEngine, cold: list[str], stream: list[str]) -> dict:
    engine._qcache = type(engine._qcache)(engine._qcache.size)
    engine.search("warm up")
    ms = []
    for q in cold:
        t = time.perf_counter()
        engine.search(q)
        ms.append((time.perf_counter() - t) * 1000)
    engine._qcache = type(engine._qcache)(engine._qcache.size)
    ms_stream = []
    t0 = time.perf_counter()
    for q in stream:
        t = time.perf_counter()
        engine.search(q)
        ms_stream.append((time.perf_counter() - t) * 1000)
    wall = time.perf_counter() - t0
    return {"cold": summary(ms), "stream": summary(ms_stream),
            "stream_qps": round(len(stream) / wall, 1),
            "cold_qps": round(len(cold) / (sum(ms) / 1000), 1)}


class _Client(threading.Thread):
    def __init__(self, port: int, queries: list[str], until: float, out: list, errors: list,
                 langs: list | None = None) -> None:
        super().__init__(daemon=True)
        self.port, self.queries, self.until, self.out, self.errors = port, queries, until, out, errors
        self.langs = langs  # if given: the language the server detected, per answered query

    def run(self) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        i = 0
        while time.monotonic() < self.until and i < len(self.queries):
            path = "/api/search?" + urllib.parse.urlencode({"q": self.queries[i]})
            i += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                body = resp.read()
            except (OSError, http.client.HTTPException) as exc:
                self.errors.append(repr(exc))
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                continue
            if resp.status != 200:
                self.errors.append(f"HTTP {resp.status}")
                continue
            self.out.append((time.perf_counter() - t) * 1000)
            if self.langs is not None:
                self.langs.append(json.loads(body).get("lang"))
        conn.close()


def http_run(port: int, queries: list[str], clients: int, seconds: float, by_lang: bool = False) -> dict:
    out: list[float] = []
    errors: list[str] = []
    langs: list | None = [] if by_lang else None
    per = [queries[c::clients] for c in range(clients)]
    until = time.monotonic() + seconds
    threads = [_Client(port, per[c], until, out, errors, langs) for c in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    res = {**summary(out), "qps": round(len(out) / wall, 1), "errors": len(errors)}
    if by_lang:  # one client: latencies and languages are in the same order
        for lang in sorted({str(x) for x in langs}):
            res[f"p50_{lang}"] = round(pct([ms for ms, x in zip(out, langs) if str(x) == lang], 50), 2)
            res[f"n_{lang}"] = sum(1 for x in langs if str(x) == lang)
    return res


def wait_ready(port: int, proc: subprocess.Popen, path: str = "/readyz", timeout: float = 300,
               poll: float = 0.05) -> bool:
    """Whether the server ``proc`` answered ``path`` with 200 before it exited or timed out."""
    deadline = time.monotonic() + timeout
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            c.request("GET", path)
            if c.getresponse().status == 200:
                return True
        except OSError:
            pass
        time.sleep(poll)
    return False


class _Server:
    """`kb serve` in a subprocess, started fresh: empty caches, models loaded once."""

    def __init__(self, articles: Path, index: Path, work: Path, root: Path = ROOT,
                 env: dict[str, str] | None = None, args: list[str] | None = None) -> None:
        self.args = list(args or [])  # more `kb serve` options, e.g. ["--threads", "3"]
        self.root = root  # the checkout whose code serves (bench/ab_http.py compares two)
        self.env = {**os.environ, "KB_INDEX": str(index), "KB_INSTANCE": str(work / "instance"),
                    "KB_ARTICLES": str(articles), "KB_SITE": str(ROOT / "site.yml"), "KB_RATE_LIMITS": "off",
                    **(env or {})}
        self.log_path = work / "server.log"

    def __enter__(self) -> "_Server":
        self.port = free_port()
        self.log = open(self.log_path, "w")
        t0 = time.perf_counter()
        self.proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--port", str(self.port), *self.args],
                                     env=self.env, cwd=self.root, stdout=self.log, stderr=subprocess.STDOUT)
        # the first answer, not just a listening socket: that is the cold start
        if not wait_ready(self.port, self.proc, "/api/search?q=" + urllib.parse.quote("wo ist mein paket")):
            self.__exit__()
            raise RuntimeError("server did not start: " + self.log_path.read_text()[-2000:])
        self.cold_start_s = round(time.perf_counter() - t0, 2)
        return self

    def rss_mb(self) -> float:
        return round(vm_hwm_mb(self.proc.pid), 1)

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


def over_http(articles: Path, index: Path, work: Path, cold: list[str], stream: list[str],
              seconds: float, levels=(1, 8, 32)) -> dict:
    """Each concurrency level on a freshly started server, with the same customer stream:
    a server that had already answered the stream would answer it from its result cache."""
    out: dict = {}
    peaks = []
    for n in levels:
        with _Server(articles, index, work) as server:
            if n == levels[0]:
                out["cold_start_s"] = server.cold_start_s
                out["rss_after_start_mb"] = server.rss_mb()
                out["cold_1"] = http_run(server.port, cold, 1, seconds, by_lang=True)
            out[f"stream_{n}"] = http_run(server.port, stream, n, seconds)
            peaks.append(server.rss_mb())
    out["peak_rss_mb"] = max(peaks)
    return out


class _Timed(list):
    """A query list that records when each query is taken: per-query latency of a loop over it."""

    def __iter__(self):
        self.marks = [time.perf_counter()]
        for q in list.__iter__(self):
            yield q
            self.marks.append(time.perf_counter())


def peer(engine: SearchEngine, queries: list[str]) -> dict:
    """The Haystack hybrid pipeline of bench/retrieval.py on the same sections and queries."""
    from retrieval import haystack_scores

    idx = engine.index
    texts = [f"{idx.articles[int(idx.section_article[n])]['title']}\n{s['heading']}: {s['text']}"
             for n, s in enumerate(idx.sections)]
    timed = _Timed(queries)
    t0 = time.perf_counter()
    if haystack_scores(texts, timed, "en") is None:
        return {}
    build_s = timed.marks[0] - t0
    ms = list(np.diff(timed.marks) * 1000)
    return {"build_s": round(build_s, 2), "latency": summary(ms),
            "qps": round(len(ms) / (timed.marks[-1] - timed.marks[0]), 1)}


def reindex_one(articles: Path, location: Path, models: str) -> dict:
    files = sorted(articles.rglob("*.md"))
    target = files[len(files) // 2]
    t = time.perf_counter()
    r = build_index(articles, location, lambda: load_encoders(models), models)
    unchanged_s = time.perf_counter() - t
    assert r.up_to_date
    target.write_text(target.read_text(encoding="utf-8") +
                      "\n## Neu\n\nDieser Abschnitt wurde eben ergänzt, um die Aktualisierung zu messen.\n",
                      encoding="utf-8")
    t = time.perf_counter()
    r = build_index(articles, location, lambda: load_encoders(models), models)
    in_process_s = time.perf_counter() - t
    # the same again through the command line: a new process that imports and loads the models
    target.write_text(target.read_text(encoding="utf-8") + "\nNoch ein Satz für die zweite Messung.\n",
                      encoding="utf-8")
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "kb.cli", "index", "--articles", str(articles), "--index",
                    str(location), "--models", models, "-q"], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cli_s = time.perf_counter() - t
    return {"reindex_one_s": round(in_process_s, 2), "reindex_one_cli_s": round(cli_s, 2),
            "reindex_one_watch_s": watch_latency(articles, location, models, files),
            "up_to_date_check_s": round(unchanged_s, 3), "reencoded": r.encoded}


def watch_latency(articles: Path, location: Path, models: str, files: list[Path], edits: int = 4) -> float:
    """`kb index --watch`: median seconds from saving one article to its new build being
    published (German and English articles alternately)."""
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "index", "--articles", str(articles), "--index",
                             str(location), "--models", models, "-q", "--watch"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in proc.stdout:
            if line.startswith("Watching"):
                break
        else:
            raise RuntimeError("kb index --watch did not start")
        by_lang = {lang: [f for f in files if f"/{lang}/" in f.as_posix()] for lang in ("de", "en")}
        seconds = []
        for i in range(edits):
            group = by_lang["de" if i % 2 == 0 else "en"] or files
            target = group[(i * 7919) % len(group)]
            before = (location / CURRENT).resolve()
            target.write_text(target.read_text(encoding="utf-8") + f"\nEin weiterer Satz, Nummer {i}.\n",
                              encoding="utf-8")
            t = time.perf_counter()
            while (location / CURRENT).resolve() == before:
                if time.perf_counter() - t > 120:
                    raise RuntimeError("kb index --watch did not publish a new build")
                time.sleep(0.01)
            seconds.append(time.perf_counter() - t)
            time.sleep(0.5)
        print(f"kb index --watch, save to new build: {[round(x, 2) for x in seconds]} s", flush=True)
        return round(statistics.median(seconds), 2)
    finally:
        # SIGTERM: a benchmark started in the background has SIGINT ignored, and so has
        # the watcher it starts (kb index --watch keeps an inherited SIG_IGN)
        proc.terminate()
        proc.wait(timeout=30)


def run_corpus(name: str, articles: Path, work: Path, encoders, bare, models: str, pool: list[str],
               args) -> dict:
    res: dict = {"corpus": name}
    location = work / "index"
    t = time.perf_counter()
    report = build_index(articles, location, lambda: encoders, models, force=True)
    build_s = time.perf_counter() - t
    res.update(articles=report.articles, sections=report.sections, passages=report.passages,
               build_s=round(build_s, 2), sections_per_s=round(report.sections / build_s, 1),
               encoded=report.encoded)
    engine = SearchEngine(LoadedIndex(location, models), encoders)
    sample = passage_sample(engine, args.throughput_sample)
    tput = floor_throughput(bare, sample)
    # the bare models are the product's as their libraries ship them (a variant's base model)
    bare_s = sum(report.encoded[p.name] / tput[b.name] for b, p in zip(bare, encoders))
    res["floor_encode_passages_per_s"] = tput
    res["runtime_encode_passages_per_s"] = floor_throughput(encoders, sample)
    res["bare_encode_s"] = round(bare_s, 2)
    res["build_vs_bare"] = round(bare_s / build_s, 3)  # >= 0.8 is the target
    print(f"[{name}] build {build_s:.1f} s for {report.sections} sections "
          f"({report.passages} passages); bare encode {bare_s:.1f} s", flush=True)

    cold = pool[:args.cold]
    stream = customer_stream(pool[args.cold:], args.stream)
    res["stream_repeat_share"] = round(1 - len(set(stream)) / len(stream), 3)
    res["in_process"] = in_process(engine, cold, stream)
    print(f"[{name}] in-process {json.dumps(res['in_process'])}", flush=True)
    engine.index.close()

    http_cold = pool[args.cold + args.stream:][:args.cold]
    http_stream = customer_stream(pool[args.cold * 2 + args.stream:], args.stream * 4, seed=6)
    res["http"] = over_http(articles, location, work, http_cold, http_stream, args.seconds)
    print(f"[{name}] http {json.dumps(res['http'])}", flush=True)

    if args.peer and name != "shop":
        engine = SearchEngine(LoadedIndex(location, models), encoders)
        res["peer"] = peer(engine, cold[:args.peer_queries])
        engine.index.close()
        print(f"[{name}] peer {json.dumps(res['peer'])}", flush=True)

    if name != "shop":
        res.update(reindex_one(articles, location, models))
        print(f"[{name}] reindex {res['reindex_one_s']} s", flush=True)
    return res


def budget_corpus(name: str, articles: Path, work: Path, encoders, models: str, pool: list[str],
                  args) -> dict:
    """The serving budget alone: build (vector cache welcome), then one client over HTTP."""
    location = work / "index"
    report = build_index(articles, location, lambda: encoders, models, force=True)
    cold = pool[:args.cold]
    stream = customer_stream(pool[args.cold:], args.stream * 4, seed=6)
    http = over_http(articles, location, work, cold, stream, args.seconds, levels=(1,))
    res = {"corpus": name, "sections": report.sections, "passages": report.passages, "http": http}
    print(f"[{name}] http {json.dumps(http)}", flush=True)
    return res


def budget_table(results: list[dict], runtime_floor: dict) -> str:
    lines = [f"The product's encoders alone: {runtime_floor['all']:.1f} ms per question (median; "
             + ", ".join(f"{k} {v:.1f}" for k, v in runtime_floor.items() if k != "all") + ")", "",
             "| corpus | sections | HTTP cold 1 client p50 / p95 ms | p50 en / de ms | stream p50 / p95 ms "
             "| peak RSS MB | RSS after start MB | cold start s |", "|---" * 8 + "|"]
    for r in results:
        h = r["http"]
        c, st = h["cold_1"], h["stream_1"]
        lines.append(f"| {r['corpus']} | {r['sections']} | {c['p50']:.1f} / {c['p95']:.1f} | "
                     f"{c.get('p50_en', float('nan')):.1f} / {c.get('p50_de', float('nan')):.1f} | "
                     f"{st['p50']:.1f} / {st['p95']:.1f} | {h['peak_rss_mb']:.0f} | "
                     f"{h['rss_after_start_mb']:.0f} | {h['cold_start_s']:.1f} |")
    return "\n".join(lines)


def table(results: list[dict], floor: dict, runtime_floor: dict) -> str:
    fl = floor["all"]
    lines = [f"Floor: one query through all models with their libraries' encode {fl:.1f} ms (median; "
             + ", ".join(f"{k} {v:.1f} ms" for k, v in floor.items() if k != "all") + "); "
             f"the product's own encoders alone {runtime_floor['all']:.1f} ms ("
             + ", ".join(f"{k} {v:.1f} ms" for k, v in runtime_floor.items() if k != "all") + ")", "",
             "| corpus | sections | build s | bare encode s | build/bare tput | re-index 1 article s: in-process / CLI / save to new build with --watch | "
             "in-proc cold p50/p95/p99 ms | in-proc stream p50/p99 ms | HTTP cold 1 client p50 ms (x floor) | "
             "HTTP cold p50 en / de questions ms (en x floor) | "
             "HTTP 1 client p50/p95/p99 | HTTP 8 p50/p95/p99 | HTTP 32 p50/p95/p99 | qps 1/8/32 | "
             "peak RSS MB | cold start s | peer build s | peer p50/p99 ms | peer qps | kb qps / peer qps |",
             "|---" * 21 + "|"]
    for r in results:
        ip, h, p = r["in_process"], r["http"], r.get("peer", {})
        trip = lambda d: f"{d['p50']:.1f} / {d['p95']:.1f} / {d['p99']:.1f}"  # noqa: E731
        ratio = ""
        if p:
            ratio = f"{ip['cold_qps'] / p['qps']:.1f} (cold, in-proc) / {h['stream_8']['qps'] / p['qps']:.1f} (HTTP 8)"
        lines.append(" | ".join([
            f"| {r['corpus']}", str(r["sections"]), f"{r['build_s']:.1f}", f"{r['bare_encode_s']:.1f}",
            f"{r['build_vs_bare']:.2f}",
            f"{r['reindex_one_s']} / {r['reindex_one_cli_s']} (CLI) / {r['reindex_one_watch_s']} (--watch)"
            if "reindex_one_s" in r else "",
            trip(ip["cold"]), f"{ip['stream']['p50']:.1f} / {ip['stream']['p99']:.1f}",
            f"{h['cold_1']['p50']:.1f} ({h['cold_1']['p50'] / fl:.2f}; x runtime floor "
            f"{h['cold_1']['p50'] / runtime_floor['all']:.2f})",
            f"{h['cold_1'].get('p50_en', float('nan')):.1f} / {h['cold_1'].get('p50_de', float('nan')):.1f} "
            f"({h['cold_1'].get('p50_en', float('nan')) / fl:.2f})",
            trip(h["stream_1"]), trip(h["stream_8"]), trip(h["stream_32"]),
            f"{h['stream_1']['qps']:.0f} / {h['stream_8']['qps']:.0f} / {h['stream_32']['qps']:.0f}",
            f"{h['peak_rss_mb']:.0f}", f"{h['cold_start_s']:.1f}",
            f"{p['build_s']:.1f}" if p else "", f"{p['latency']['p50']:.1f} / {p['latency']['p99']:.1f}" if p else "",
            f"{p['qps']:.1f}" if p else "", ratio]) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="sample help centre + 1,000 sections, fewer queries")
    ap.add_argument("--sizes", help="comma-separated: shop and/or section counts (default shop,1000,10000)")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-peer", dest="peer", action="store_false")
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--budget", action="store_true",
                    help="only the serving budget over HTTP (one client) and the encoders alone")
    args = ap.parse_args()
    os.environ["KB_MODELS"] = args.models  # the servers it starts serve the models measured here
    sizes = args.sizes or ("shop,1000" if args.quick else "shop,1000,10000")
    args.cold = 60 if args.quick else 200
    args.stream = 200 if args.quick else 600
    args.seconds = 6 if args.quick else 15
    args.peer_queries = 40 if args.quick else 150
    args.throughput_sample = 512 if args.quick else 2048
    t0 = time.time()
    encoders = load_encoders(args.models)
    pool = query_pool()
    runtime_floor = floor_query(encoders, pool[-(100 if args.quick else 300):])
    if args.budget:
        bare = floor = None
        print("the product's encoders alone (single query, median ms):", runtime_floor, flush=True)
    else:
        bare = bare_encoders(args.models)
        floor = floor_query(bare, pool[-(100 if args.quick else 300):])
        print("floor (single query, median ms):", floor, "the product's encoders alone:", runtime_floor,
              flush=True)
    one_blas_thread()  # as kb serve does (kb/encoders/threads.py), for the in-process figures
    results = []
    for size in sizes.split(","):
        work = Path(tempfile.mkdtemp(prefix=f"kb-perf-{size}-"))
        try:
            if size == "shop":
                articles = work / "articles"
                shutil.copytree(ROOT / "articles", articles)
            else:
                articles = work / "articles"
                generate_corpus(int(size), articles)
            if args.budget:
                results.append(budget_corpus(size, articles, work, encoders, args.models, pool, args))
            else:
                results.append(run_corpus(size, articles, work, encoders, bare, args.models, pool, args))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{os.cpu_count()} cores, "
            f"{platform.python_version()}", "models": args.models, "quick": args.quick,
            "seconds": round(time.time() - t0)}
    print("\n" + (budget_table(results, runtime_floor) if args.budget else table(results, floor, runtime_floor)))
    print(f"\n({'quick' if args.quick else 'full'} run, {meta['seconds']} s)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"meta": meta, "floor_query_ms": floor,
                                                "runtime_floor_query_ms": runtime_floor, "corpora": results}, indent=1))


if __name__ == "__main__":
    main()
