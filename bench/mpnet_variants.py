"""all-mpnet-base-v2 on ONNX Runtime: latency and accuracy of the graph variants, side by side.

For every variant (kb/encoders/onnx_quantize.py; fp32 = the plain export) and for the
fp32 all-MiniLM-L6-v2 as the reference the product uses today:

* latency: one question per call, median (and p90) over the same English customer
  questions, with one intra-op thread and with the threads kb's ONNX path uses
  (kb.encoders.threads.cpu_threads). The variants take turns question by question, so
  load from other processes falls on all of them alike.
* agreement: cosine of each variant's vector with the fp32 model's on 300 texts
  (customer questions, Bitext utterances, article paragraphs): mean and minimum.
* retrieval top-1 (dense only, no keyword part): English questions of the training
  splits of bench/eval/moebel and bench/eval/telco (never test.jsonl) against their
  English articles, and Bitext utterances (40 per intent, seeded, as
  bench/retrieval.py --quick) against bench/helpcentre/ and its distractors. An
  article is scored by the best of its passages (title + summary, title + each
  paragraph).

Usage: python bench/mpnet_variants.py [--variants fp32,int8,...] [--questions 200] [--json out.json]
Variants are made (and cached in the model cache) on first use.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import frontmatter  # noqa: E402

from kb.encoders import EncoderSpec, load_encoder  # noqa: E402
from kb.encoders import onnx_runtime  # noqa: E402
from kb.encoders.threads import cpu_threads  # noqa: E402

DEFAULT_VARIANTS = "fp32,opt,int8,int8-pc,int8-attn,int8-noffn2,int8-block32,int8-block128,int8-attn-block128,int4-block32,opt-int8-block128"
EN = frozenset({"en"})


def load_set(name: str):
    rows = [json.loads(line) for line in (ROOT / "bench" / "eval" / name / "train.jsonl").open(encoding="utf-8")]
    rows = [r for r in rows if r.get("lang") == "en" and r.get("split", "train") == "train"]
    articles = {f"en/{p.stem}": p for p in sorted((ROOT / "bench" / "eval" / name / "articles" / "en").glob("*.md"))}
    return articles, [r["query"] for r in rows], [r["expected"] for r in rows]


def load_bitext_set():
    import retrieval

    # ../shared/data next to the checkout (a worktree may sit deeper: look further up)
    retrieval.SHARED = next((p / "shared" / "data" for p in ROOT.parents
                             if (p / "shared" / "data" / "bitext").is_dir()), retrieval.SHARED)
    load_bitext = retrieval.load_bitext
    articles = {p.stem: p for p in sorted((ROOT / "bench" / "helpcentre").rglob("*.md"))}
    sample = load_bitext(40)
    return articles, [u for u, _ in sample], [i for _, i in sample]


def passages(path: Path) -> list[str]:
    post = frontmatter.load(path)
    title = str(post.get("title", path.stem))
    out = [f"{title}. {post.get('summary', '')}".strip()]
    for para in post.content.split("\n\n"):
        para = para.strip().lstrip("#").strip()
        if len(para) >= 20:
            out.append(f"{title}. {para}")
    return out


class Retrieval:
    def __init__(self, name, articles: dict[str, Path], questions, gold) -> None:
        self.name, self.questions = name, questions
        self.ids = list(articles)
        self.passages, self.owner = [], []
        for i, path in enumerate(articles.values()):
            for p in passages(path):
                self.passages.append(p)
                self.owner.append(i)
        self.owner = np.array(self.owner)
        missing = sorted({g for g in gold if g not in self.ids})
        assert not missing, f"{name}: gold articles not found: {missing[:5]}"
        self.gold = np.array([self.ids.index(g) for g in gold])

    def top1(self, encoder) -> float:
        pv, qv = encoder.encode(self.passages), encoder.encode(self.questions)
        sims = qv @ pv.T
        best = np.full((len(self.questions), len(self.ids)), -np.inf, dtype=np.float32)
        for a in range(len(self.ids)):
            best[:, a] = sims[:, self.owner == a].max(axis=1)
        return float(np.mean(best.argmax(axis=1) == self.gold))


def single_thread_copy(encoder):
    """The same export in a session with one intra-op thread."""
    real = onnx_runtime.cpu_threads
    onnx_runtime.cpu_threads = lambda: 1
    try:
        return onnx_runtime.OnnxEncoder(encoder.name, encoder.languages, encoder.folder)
    finally:
        onnx_runtime.cpu_threads = real


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--variants", default=DEFAULT_VARIANTS)
    ap.add_argument("--questions", type=int, default=200, help="questions timed one by one")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()

    sets = [Retrieval("moebel en", *load_set("moebel")), Retrieval("telco en", *load_set("telco")),
            Retrieval("Bitext x helpcentre", *load_bitext_set())]
    rng = random.Random(7)
    timed = (sets[0].questions + sets[1].questions)
    rng.shuffle(timed)
    timed = timed[:args.questions]
    agree_texts = sets[0].questions[:100] + rng.sample(sets[2].questions, 100) + \
        rng.sample(sets[0].passages + sets[1].passages + sets[2].passages, 100)

    names = {"MiniLM fp32": "all-MiniLM-L6-v2"}
    for v in args.variants.split(","):
        names[f"mpnet {v}"] = "all-mpnet-base-v2" if v == "fp32" else f"all-mpnet-base-v2:{v}"
    encoders, made = {}, {}
    for label, name in names.items():
        t0 = time.time()
        encoders[label] = load_encoder(EncoderSpec(name, EN))
        made[label] = time.time() - t0
        print(f"loaded {label} in {made[label]:.1f}s ({encoders[label].folder.name})", flush=True)
    single = {label: single_thread_copy(e) for label, e in encoders.items()}
    threads = cpu_threads()

    # latency: variants take turns on every question
    lat = {label: {1: [], threads: []} for label in encoders}
    for label in encoders:  # warm up
        single[label].encode(timed[:3])
        encoders[label].encode(timed[:3])
    for q in timed:
        for label in encoders:
            for n, e in ((1, single[label]), (threads, encoders[label])):
                t0 = time.perf_counter()
                e.encode([q])
                lat[label][n].append((time.perf_counter() - t0) * 1000)
    print(f"timed {len(timed)} questions", flush=True)

    reference = encoders["mpnet fp32"].encode(agree_texts) if "mpnet fp32" in encoders else None
    results = {}
    for label, e in encoders.items():
        row = {f"p50 {n}t ms": float(np.median(lat[label][n])) for n in (1, threads)}
        row[f"p90 1t ms"] = float(np.percentile(lat[label][1], 90))
        row["model MB"] = (e.folder / "model.onnx").stat().st_size / 1e6
        if reference is not None and label.startswith("mpnet"):
            cos = np.sum(e.encode(agree_texts) * reference, axis=1)
            row["cos mean"], row["cos min"] = float(cos.mean()), float(cos.min())
        for s in sets:
            row[s.name] = s.top1(e)
        row["top-1 mean"] = float(np.mean([row[s.name] for s in sets]))
        results[label] = row
        print(label, json.dumps({k: round(v, 4) for k, v in row.items()}), flush=True)

    cols = [f"p50 1t ms", "p90 1t ms", f"p50 {threads}t ms", "model MB", "cos mean", "cos min"] + \
        [s.name for s in sets] + ["top-1 mean"]
    print(f"\nquestions timed: {len(timed)}; agreement texts: {len(agree_texts)}; retrieval questions: "
          + ", ".join(f"{s.name} {len(s.questions)} x {len(s.ids)} articles" for s in sets))
    print("\n| variant | " + " | ".join(cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for label, row in results.items():
        cells = []
        for c in cols:
            v = row.get(c)
            cells.append("—" if v is None else f"{v:.1f}" if "ms" in c or "MB" in c else f"{v:.3f}")
        print(f"| {label} | " + " | ".join(cells) + " |")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "made_s": made}, indent=2))


if __name__ == "__main__":
    main()
