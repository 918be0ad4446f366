"""Keyword analyzers compared on the TRAIN splits of bench/eval/ and on the shop's front
matter questions (articles/): Snowball stems against simplemma lemmas, with and without
German compound parts (kb/content/word_forms.py); for English also Krovetz (KStem),
lemminflect lemmas and Snowball with an -ing noun guard, on Bitext customer utterances
too (a fixed sample of 20 per intent against bench/helpcentre).

    python bench/keyword_analysis.py                    # BM25 alone, both languages
    python bench/keyword_analysis.py --lang en --product --collisions

BM25 over title + body per language, the same Whoosh BM25F as bench/retrieval.py's
reference. ``--product`` also builds the whole product (kb/search) per English analyzer
and counts its top-1 / top-3 on the English train questions and the Bitext sample.
``--collisions`` lists the stems one analyzer gives to English words of the articles
that are not inflections of each other (lemminflect's lemmas do not meet), the
package/packaging kind. Only train splits: test stays for reporting (bench/eval/README.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import numpy as np
from whoosh.analysis import Filter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kb.content import word_forms  # noqa: E402
from kb.content.articles import load_articles  # noqa: E402

EVAL = ROOT / "bench" / "eval"
BITEXT_PER_INTENT = 20
# English analyzers also measured in the whole product (each builds three indexes); the
# -ing guards and Krovetz lose on BM25 or keep "orders"/"ordered" apart from "order"
PRODUCT_VARIANTS = ("snowball", "simplemma lemma", "lemminflect lemma", "lemminflect+ (kb: word_forms.english_term)")


_WORD_FNS: dict[str, object] = {}  # name -> function of one word (schemas are pickled: by name)


class WordFilter(Filter):
    """Replaces each token by ``_WORD_FNS[name](token)`` (cached)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __call__(self, tokens):
        fn = _WORD_FNS[self.name]
        for t in tokens:
            t.text = fn(t.text)
            yield t


def _word_analyzer(name: str, fn):
    """Whoosh's English chain (words, lower case, stop words) with ``fn`` on each word."""
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StopFilter

    _WORD_FNS.setdefault(name, lru_cache(maxsize=200_000)(fn))
    return RegexTokenizer() | LowercaseFilter() | StopFilter(lang="en") | WordFilter(name)


def _lemminflect(word: str) -> str:
    import lemminflect

    found = lemminflect.getAllLemmas(word)
    for pos in ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX"):
        if pos in found:
            return found[pos][0]
    return word


def _snowball_ing_guard(lemma_of):
    from whoosh.lang import stemmer_for_language

    snowball = stemmer_for_language("en")

    def fn(word: str) -> str:
        base = lemma_of(word)
        return base if base.endswith("ing") else snowball(word)

    return fn


def _lemminflect_noun(word: str) -> str:
    import lemminflect

    nouns = lemminflect.getAllLemmas(word).get("NOUN")
    return nouns[0] if nouns else word


def english_variants() -> dict:
    from whoosh.analysis import LanguageAnalyzer

    out = {"snowball": lambda: LanguageAnalyzer("en"),
           "simplemma lemma": lambda: word_forms.lemma_analyzer("en", False)}
    try:
        import krovetzstemmer

        kstem = krovetzstemmer.Stemmer()
        out["krovetz (krovetzstemmer)"] = lambda: _word_analyzer("krovetz", kstem.stem)
    except ImportError:
        pass
    try:
        import lemminflect  # noqa: F401

        out["lemminflect lemma"] = lambda: _word_analyzer("lemminflect", _lemminflect)
        out["lemminflect+ (kb: word_forms.english_term)"] = lambda: _word_analyzer(
            "lemminflect+", word_forms.english_term)
        out["snowball, -ing nouns of lemminflect kept"] = lambda: _word_analyzer(
            "ing-guard lemminflect", _snowball_ing_guard(_lemminflect_noun))
    except ImportError:
        pass
    out["snowball, -ing lemmas of simplemma kept"] = lambda: _word_analyzer(
        "ing-guard simplemma", _snowball_ing_guard(lambda w: word_forms.lemma(w, "en")))
    return out


def variants(lang: str) -> dict:
    from whoosh.analysis import LanguageAnalyzer

    if lang == "en":
        return english_variants()
    out = {"snowball": lambda: LanguageAnalyzer(lang), "lemma": lambda: word_forms.lemma_analyzer(lang, False)}
    if lang == "de":
        out["lemma+compounds"] = lambda: word_forms.lemma_analyzer(lang, True)
        out["lemma+compounds+families"] = lambda: word_forms.lemma_analyzer(lang, True, True)
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


def bitext_cases() -> list[tuple[str, str]]:
    import os

    import retrieval

    shared = os.environ.get("KB_SHARED_DATA")  # a work tree elsewhere than beside shared/
    if shared:
        retrieval.SHARED = Path(shared)
    return retrieval.load_bitext(BITEXT_PER_INTENT)


def collections(langs=("de", "en"), bitext=False):
    """(name, lang, articles folder, [(question, expected id)]) for every train collection."""
    for name in ("moebel", "telco", "reisen"):
        rows = [json.loads(x) for x in open(EVAL / name / "train.jsonl", encoding="utf-8") if x.strip()]
        for lang in langs:
            yield f"{name} train", lang, EVAL / name / "articles", [
                (r["query"], r["expected"]) for r in rows if r["lang"] == lang]
    if bitext and "en" in langs:
        yield f"bitext {BITEXT_PER_INTENT}/intent", "en", ROOT / "bench" / "helpcentre", bitext_cases()
    shop = [a for a in load_articles(ROOT / "articles")[0] if a.public]
    for lang in langs:
        yield "shop questions", lang, ROOT / "articles", [
            (q, a.id) for a in shop if a.lang == lang for q in a.questions]


def hits(order, scores, known) -> tuple[float, float]:
    top1 = np.mean([o[0] == g and s[g] > 0 for o, s, (_, g) in zip(order, scores, known)])
    top3 = np.mean([g in o[:3] and s[g] > 0 for o, s, (_, g) in zip(order, scores, known)])
    return float(top1), float(top3)


def bm25_table(langs, bitext: bool) -> dict:
    out = {}
    print("| collection | lang | analyzer | questions | top-1 | top-3 |\n|---|---|---|---|---|---|")
    for name, lang, folder, cases in collections(langs, bitext):
        arts = [a for a in load_articles(folder)[0] if a.lang == lang and a.public]
        ids = [a.id for a in arts]
        texts = [f"{a.title}\n{a.body}" for a in arts]
        known = [(q, ids.index(e)) for q, e in cases if e in ids]
        for label, make in variants(lang).items():
            scores = bm25_ranks(make(), texts, [q for q, _ in known])
            top1, top3 = hits([np.argsort(-s) for s in scores], scores, known)
            out[(name, lang, label)] = (top1, top3)
            print(f"| {name} | {lang} | {label} | {len(known)} | {top1:.3f} | {top3:.3f} |", flush=True)
    return out


def _use_analyzer(make) -> None:
    """Every module of the product analyses English with ``make()`` from now on."""
    import kb.content.text as text
    import kb.index.keyword as keyword
    import kb.index.vocabulary as vocabulary
    import kb.search.engine as engine

    original = getattr(text, "_original_analyzer_for", text.analyzer_for)
    text._original_analyzer_for = original

    def analyzer_for(lang: str):
        return make() if lang == "en" else original(lang)

    for module in (text, keyword, vocabulary, engine):
        module.analyzer_for = analyzer_for
    text._STEMS.clear()


def product_table(bm25: dict, only=None) -> None:
    """The whole product per English analyzer: English train questions and the Bitext sample."""
    from kb.encoders import DEFAULT_MODELS, load_encoders
    from kb.index.build import build_index
    from kb.index.loaded import LoadedIndex
    from kb.search.engine import SearchEngine
    from kb.search.evaluate import evaluate, read_set

    encoders = load_encoders(DEFAULT_MODELS)
    sets = {f"{name} train": (EVAL / name / "articles",
                              [c for c in read_set(EVAL / name, "train") if c.lang == "en" and c.expected
                               and not c.articles_lang]) for name in ("moebel", "telco")}
    from kb.search.evaluate import Case

    sets[f"bitext {BITEXT_PER_INTENT}/intent"] = (ROOT / "bench" / "helpcentre",
                                                  [Case(u, i, "en") for u, i in bitext_cases()])
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for k, (label, make) in enumerate(english_variants().items()):
            if label not in (only or PRODUCT_VARIANTS):
                continue
            _use_analyzer(make)
            for name, (folder, cases) in sets.items():
                location = Path(tmp) / f"{k}-{name.split()[0]}"
                build_index(folder, location, lambda: encoders, DEFAULT_MODELS, force=True)
                engine = SearchEngine(LoadedIndex(location, DEFAULT_MODELS), encoders)
                report = evaluate(engine, cases, audience="public")
                b1, b3 = bm25.get((name, "en", label), (float("nan"),) * 2)
                row = (f"| {name} | {label} | {b1:.3f} / {b3:.3f} | {report.top1 / report.n:.3f} / "
                       f"{report.top3 / report.n:.3f} | {report.answered_wrong_first} of {report.n} |")
                rows.append(row)
                print(row, flush=True)
    print("\n| set | English analyzer | BM25 top-1 / top-3 | kb top-1 / top-3 | answered, wrong first |\n"
          "|---|---|---|---|---|")
    print("\n".join(rows))


def collision_table() -> None:
    """Per analyzer: stems that English words of the articles share without being inflections
    of one another (no common lemminflect lemma, nor one the other's lemma)."""
    import lemminflect
    from whoosh.analysis import LowercaseFilter, RegexTokenizer

    words = set()
    tokens = RegexTokenizer() | LowercaseFilter()
    for folder in (EVAL / "moebel" / "articles", EVAL / "telco" / "articles", ROOT / "bench" / "helpcentre",
                   ROOT / "articles"):
        for a in load_articles(folder)[0]:
            if a.lang == "en":
                words.update(t.text for t in tokens(f"{a.title}\n{a.body}") if t.text.isalpha())

    def lemmas(w):
        known = lemminflect.getAllLemmas(w)
        if w.endswith("ing") and known.get("NOUN", ("",))[0] == w:
            known = {"NOUN": (w,)}  # "packaging", "accounting": a noun of its own
        found = {x for forms in known.values() for x in forms} | {w}
        if not known and w.endswith("s"):  # plurals lemminflect does not know: "apps"
            found |= {w[:-1], w[:-2] if w.endswith("es") else w}
        return found

    for label, make in english_variants().items():
        analyzer = make()
        groups = defaultdict(set)
        for w in words:
            found = [t.text for t in analyzer(w)]
            if found:
                groups[found[0]].add(w)
        collided = {}
        for term, ws in groups.items():
            if len(ws) < 2:
                continue
            # words joined by a shared lemma are inflections; what is left are derivations
            parts = []
            for w in sorted(ws, key=len):
                for p in parts:
                    if lemmas(w) & p[1]:
                        p[0].append(w)
                        p[1].update(lemmas(w))
                        break
                else:
                    parts.append(([w], set(lemmas(w))))
            if len(parts) > 1:
                collided[term] = [p[0] for p in parts]
        print(f"\n{label}: {len(words)} words, {len(collided)} stems join words that are not inflections")
        for term in sorted(collided):
            print(f"  {term}: " + " | ".join("/".join(sorted(p)) for p in collided[term]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lang", choices=("de", "en"), action="append")
    parser.add_argument("--product", action="store_true", help="also the whole product (English)")
    parser.add_argument("--product-only", action="append", help="product for these analyzers only")
    parser.add_argument("--collisions", action="store_true", help="also the derivational collisions (English)")
    args = parser.parse_args()
    langs = tuple(args.lang or ("de", "en"))
    bm25 = bm25_table(langs, bitext="en" in langs)
    if args.collisions:
        collision_table()
    if args.product:
        product_table(bm25, args.product_only)


if __name__ == "__main__":
    main()
