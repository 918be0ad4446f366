"""Re-indexing above the HNSW threshold: the served graph grown by the changed
passages (kb/index/hnsw_growth.py) against the graph built anew, side by side.

    python bench/hnsw_growth.py [--articles DIR [--index DIR]] [--edits 4] [--threshold 10000] [--json FILE]

Real builds (kb.index.build.build_index) of a copy of DIR, by default the
generated 10,000-section help centre of bench/perf.py, with HNSW_THRESHOLD lowered so
that its vectors (one per distinct text: 19,701 for the multilingual model,
11,149 for the English one) are HNSW graphs, as they are above 50,000. ``--index``: an index of DIR to start from (its vectors are
reused; only the first graphs are built). Two index locations get the same edits: one article
changed at a time (a sentence appended; German and English alternately), then
re-indexed as `kb index` does (graph grown) and with --force (graph built
anew). At the end, for 200 benchmark questions: recall@10 of each index's
search as kb.search runs it (LoadedIndex.similarities: 2,000 neighbours)
against exact search over the same vectors, counting a result as found when
its score reaches the exact 10th (passages with the same text share a vector),
and how often a full search gives the same first article (and the same
`answered`) as with an exact index of the same articles.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.index import vectors as index_vectors_module  # noqa: E402
from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.index.build import build_index  # noqa: E402
from kb.index.vectors import index_vectors  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402


def recall_at_10(idx: LoadedIndex, slot: int, queries: np.ndarray) -> float:
    """Share of the top 10 by the index's search whose exact score reaches the exact 10th."""
    stored = index_vectors(idx.faiss[slot])
    node_of = idx.nodes[slot]
    covered = np.flatnonzero(node_of >= 0)
    exact = np.full((len(queries), len(idx.kind)), -np.inf, dtype=np.float32)
    exact[:, covered] = (queries @ stored.T)[:, node_of[covered]]
    approx = idx.similarities_many(slot, queries)
    found = []
    for q in range(len(queries)):
        tenth = np.sort(exact[q])[-10]
        top = np.argsort(-approx[q])[:10]
        found.append(float(np.mean(exact[q][top] >= tenth - 1e-5)))
    return round(statistics.mean(found), 4)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=Path, help="default: bench/perf.py's generated help centre")
    ap.add_argument("--sections", type=int, default=10_000, help="its size, without --articles")
    ap.add_argument("--index", type=Path, help="an index of the same articles, for its vectors")
    ap.add_argument("--edits", type=int, default=4)
    ap.add_argument("--threshold", type=int, default=10_000)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    from perf import generate_corpus, query_pool

    index_vectors_module.HNSW_THRESHOLD = args.threshold
    encoders = load_encoders(DEFAULT_MODELS)
    out: dict = {"threshold": args.threshold, "grown_s": [], "anew_s": []}
    with tempfile.TemporaryDirectory(prefix="kb-hnsw-growth-") as work:
        articles = Path(work) / "articles"
        if args.articles:
            shutil.copytree(args.articles, articles)
        else:
            generate_corpus(args.sections, articles)
        grown_at, anew_at = Path(work) / "grown", Path(work) / "anew"
        if args.index:
            shutil.copytree(args.index, grown_at, symlinks=True)
        t = time.perf_counter()
        build_index(articles, grown_at, lambda: encoders, DEFAULT_MODELS, force=True)
        out["first_build_s"] = round(time.perf_counter() - t, 1)
        shutil.copytree(grown_at, anew_at, symlinks=True)
        files = {lang: sorted((articles / lang).rglob("*.md")) for lang in ("de", "en")}
        for i in range(args.edits):
            group = files["de" if i % 2 == 0 else "en"]
            target = group[(i * 7919) % len(group)]
            target.write_text(target.read_text(encoding="utf-8")
                              + f"\nEin weiterer Satz zur Rücksendung, Nummer {i}.\n", encoding="utf-8")
            t = time.perf_counter()
            build_index(articles, grown_at, lambda: encoders, DEFAULT_MODELS)
            out["grown_s"].append(round(time.perf_counter() - t, 2))
            t = time.perf_counter()
            build_index(articles, anew_at, lambda: encoders, DEFAULT_MODELS, force=True)
            out["anew_s"].append(round(time.perf_counter() - t, 2))
            print(f"edit {i + 1}: grown {out['grown_s'][-1]} s, built anew {out['anew_s'][-1]} s", flush=True)
        grown, anew = LoadedIndex(grown_at, DEFAULT_MODELS), LoadedIndex(anew_at, DEFAULT_MODELS)
        out["stale"] = [m.get("stale", 0) for m in grown.manifest["models"]]
        out["vectors"] = [m["vectors"] for m in grown.manifest["models"]]
        out["index"] = [m["index"] for m in grown.manifest["models"]]
        pool = query_pool()
        questions = pool[::max(1, len(pool) // 200)][:200]
        for slot, encoder in enumerate(encoders):
            queries = encoder.encode(questions)
            out[f"recall_grown_{slot}"] = recall_at_10(grown, slot, queries)
            out[f"recall_anew_{slot}"] = recall_at_10(anew, slot, queries)
        index_vectors_module.HNSW_THRESHOLD = 10 ** 12
        exact_at = Path(work) / "exact"
        shutil.copytree(anew_at, exact_at, symlinks=True)
        build_index(articles, exact_at, lambda: encoders, DEFAULT_MODELS, force=True)
        engines = {name: SearchEngine(idx, encoders) for name, idx in
                   (("grown", grown), ("anew", anew), ("exact", LoadedIndex(exact_at, DEFAULT_MODELS)))}
        found = {name: [e.search(q) for q in questions] for name, e in engines.items()}
        for name in ("grown", "anew"):
            pairs = list(zip(found[name], found["exact"]))
            out[f"same_first_as_exact_{name}"] = round(float(np.mean(
                [a.results[0].id == b.results[0].id for a, b in pairs])), 3)
            out[f"exact_first_in_top3_{name}"] = round(float(np.mean(
                [b.results[0].id in [h.id for h in a.results[:3]] for a, b in pairs])), 3)
            out[f"same_answered_as_exact_{name}"] = round(float(np.mean(
                [a.answered == b.answered for a, b in pairs])), 3)
    out["grown_median_s"] = statistics.median(out["grown_s"])
    out["anew_median_s"] = statistics.median(out["anew_s"])
    print(json.dumps(out, indent=2))
    if args.json:
        args.json.write_text(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
