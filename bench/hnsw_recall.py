"""Approximate vector index: recall@10 against exact search, and latency, by size.

    python bench/hnsw_recall.py --index DIR [--sizes 50000,250000] [--slot 0]

Passage vectors come from a built index (e.g. the 10,000-section corpus of
bench/perf.py); sizes above what it holds are filled with perturbed copies
(Gaussian noise, sigma 0.05 per dimension, renormalised), which keeps the
vectors' distribution but is not the same as a real help centre of that size.
Queries: the benchmark query pool (XQuAD de/en questions, Bitext utterances)
encoded with the same model. Compares the product's settings
(kb.index.vectors.vector_index: HNSW, M and efConstruction from there) at several
efSearch values, with k = 10 and with k = 2000 (what kb.search asks for).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import faiss
import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.index.vectors import HNSW_EF_CONSTRUCTION, HNSW_M, index_vectors  # noqa: E402
from kb.index.loaded import resolve_build  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--index", type=Path, required=True)
    ap.add_argument("--sizes", default="250000")
    ap.add_argument("--slot", type=int, default=0)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--ef", default="64,128,256,512")
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from perf import query_pool

    build = resolve_build(args.index)
    base = index_vectors(faiss.read_index(str(build / f"vectors-{args.slot}.faiss")))
    # passages with the same text have the same vector: keep one, or ties make recall arbitrary
    base = np.unique(base[np.any(base != 0, axis=1)], axis=0)
    enc = load_encoders(DEFAULT_MODELS)[args.slot]
    queries = enc.encode(query_pool()[:args.queries])
    rng = np.random.default_rng(0)
    out = []
    faiss.omp_set_num_threads(2)
    for size in map(int, args.sizes.split(",")):
        parts, have = [base], len(base)
        while have < size:
            noisy = base + rng.normal(0, 0.05, base.shape).astype(np.float32)
            noisy /= np.linalg.norm(noisy, axis=1, keepdims=True)
            parts.append(noisy)
            have += len(base)
        vecs = np.ascontiguousarray(np.concatenate(parts)[:size])
        exact = faiss.IndexFlatIP(vecs.shape[1])
        exact.add(vecs)
        t = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(vecs.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        hnsw.add(vecs)
        build_s = time.perf_counter() - t
        faiss.omp_set_num_threads(1)  # single queries, as a server thread runs them
        _, truth = exact.search(queries, 10)
        ms = []
        for q in queries:
            t = time.perf_counter()
            exact.search(q[None, :], 10)
            ms.append((time.perf_counter() - t) * 1000)
        row = {"size": size, "dim": vecs.shape[1], "hnsw_build_s": round(build_s, 1),
               "exact_ms": round(statistics.median(ms), 2), "hnsw": []}
        for k in (10, 2000):
            for ef in map(int, args.ef.split(",")):
                hnsw.hnsw.efSearch = ef
                ms, rec = [], []
                for i, q in enumerate(queries):
                    t = time.perf_counter()
                    _, ids = hnsw.search(q[None, :], k)
                    ms.append((time.perf_counter() - t) * 1000)
                    rec.append(len(set(ids[0][:10]) & set(truth[i])) / 10)
                row["hnsw"].append({"k": k, "efSearch": ef, "recall@10": round(float(np.mean(rec)), 4),
                                    "ms": round(statistics.median(ms), 2)})
                print(json.dumps({"size": size, **row["hnsw"][-1]}), flush=True)
        faiss.omp_set_num_threads(2)
        out.append(row)
        print(json.dumps({k: v for k, v in row.items() if k != "hnsw"}), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
