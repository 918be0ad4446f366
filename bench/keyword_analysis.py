"""Keyword analyzers compared by BM25 alone on the TRAIN splits of bench/eval/ and on the
shop's front matter questions (articles/): Snowball stems against simplemma lemmas,
with and without German compound parts (kb/content/word_forms.py).

    python bench/keyword_analysis.py

BM25 over title + body per language, the same Whoosh BM25F as bench/retrieval.py's
reference. Only train splits: test stays for reporting (bench/eval/README.md).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.content import word_forms  # noqa: E402
from kb.content.articles import load_articles  # noqa: E402

EVAL = ROOT / "bench" / "eval"


def variants(lang: str) -> dict:
    from whoosh.analysis import LanguageAnalyzer

    out = {"snowball": lambda: LanguageAnalyzer(lang), "lemma": lambda: word_forms.lemma_analyzer(lang, False)}
    if lang == "de":
        out["lemma+compounds"] = lambda: word_forms.lemma_analyzer(lang, True)
    return out


def bm25_ranks(analyzer, texts: list[str], queries: list[str]) -> list[np.ndarray]:
    from whoosh import scoring
    from whoosh.fields import NUMERIC, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage
    from whoosh.query import Or, Term

    ix = RamStorage().create_index(Schema(uid=NUMERIC(stored=True), text=TEXT(analyzer=analyzer)))
    w = ix.writer()
    for i, t in enumerate(texts):
        w.add_document(uid=i, text=t)
    w.commit()
    out = []
    with ix.searcher(weighting=scoring.BM25F()) as s:
        for q in queries:
            scores = np.zeros(len(texts))
            terms = [Term("text", t) for t in dict.fromkeys(t.text for t in analyzer(q))]
            for hit in s.search(Or(terms), limit=None) if terms else []:
                scores[hit["uid"]] = hit.score
            out.append(scores)
    return out


def collections():
    """(name, lang, articles folder, [(question, expected id)]) for every train collection."""
    for name in ("moebel", "telco"):
        rows = [json.loads(x) for x in open(EVAL / name / "train.jsonl", encoding="utf-8") if x.strip()]
        for lang in ("de", "en"):
            yield f"{name} train", lang, EVAL / name / "articles", [
                (r["query"], r["expected"]) for r in rows if r["lang"] == lang]
    shop = [a for a in load_articles(ROOT / "articles")[0] if a.public]
    for lang in ("de", "en"):
        yield "shop questions", lang, ROOT / "articles", [
            (q, a.id) for a in shop if a.lang == lang for q in a.questions]


def main() -> None:
    print("| collection | lang | analyzer | top-1 | top-3 |\n|---|---|---|---|---|")
    for name, lang, folder, cases in collections():
        arts = [a for a in load_articles(folder)[0] if a.lang == lang and a.public]
        ids = [a.id for a in arts]
        texts = [f"{a.title}\n{a.body}" for a in arts]
        known = [(q, ids.index(e)) for q, e in cases if e in ids]
        for label, make in variants(lang).items():
            scores = bm25_ranks(make(), texts, [q for q, _ in known])
            order = [np.argsort(-s) for s in scores]
            top1 = np.mean([o[0] == g and s[g] > 0 for o, s, (_, g) in zip(order, scores, known)])
            top3 = np.mean([g in o[:3] and s[g] > 0 for o, s, (_, g) in zip(order, scores, known)])
            print(f"| {name} | {lang} | {label} | {top1:.3f} | {top3:.3f} |", flush=True)


if __name__ == "__main__":
    main()
