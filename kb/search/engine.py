"""The one search function behind the CLI, the portal, the API and the agents.

Ranking, in short (figures and reasoning in bench/RESULTS.md):

* Dense evidence: for each encoder, the cosine between the question and every
  passage, reduced to three per-article maxima (whole article, best section,
  best sentence/question). Sentence-level maxima find the one line that answers
  a question; the article view finds the topic.
* Keyword evidence: BM25F over sections (stemmed, title/tags/questions boosted),
  maximum per article.
* Each signal is z-normalised over the candidate articles where it counts, then
  averaged: dense signals with equal weight (a monolingual encoder only counts
  where question and article share its language, and has vectors only for those
  articles), keywords added with a weight that depends on whether the question
  and the article are in the same language. Score fusion,
  not rank fusion: RRF throws away how much better the best match is.
* Versions linked by ``translation`` compete as one: the best version decides
  the rank, the customer's language decides which version is shown.
* ``answered`` (and ``confidence``, its probability) comes from absolute
  evidence, not from the z-scores: the best cosines per passage kind and
  encoder, the share of the question's words the articles use, and the number
  of passages searched, in a logistic model (:mod:`kb.answer_model`) fitted on
  handwritten customer and off-topic questions (bench/calibrate_answered.py).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field, replace
from functools import partial

import numpy as np

from kb.search import answer_model
from kb.content.articles import slugify
from kb.encoders import Encoder
from kb.index.loaded import LoadedIndex
from kb.index.keyword import analyzer_for
from kb.content.passages import ARTICLE, KINDS, SECTION, SENTENCE
from kb.search.batcher import QueryBatcher
from kb.search.query_language import LanguageGuesser
from kb.search.question_match import QuestionMatcher
from kb.content.sections import split_sentences
from kb.index.vocabulary import TOKEN

MAX_QUERY_CHARS = 500
MAX_COVERAGE_WORDS = 64
KEYWORD_WEIGHT_SAME_LANG = 0.5
KEYWORD_WEIGHT_OTHER_LANG = 0.1
KEYWORD_WEIGHT_UNKNOWN_LANG = 0.3
SNIPPET_CHARS = 320
# Customers ask the same questions ("wo ist mein paket"): a repeated search with the
# same options is answered from memory. Each engine has its own cache, so a new
# index build (a new engine) never serves results of the previous one.
RESULT_CACHE_SIZE = 2048
# with an approximate (HNSW) index, the first articles by all evidence are scored again with
# all their passages (LoadedIndex.score_exactly)
RERANKED_ARTICLES = 100
MIN_Z_SAMPLE = 30  # exactly scored articles needed to set an approximate encoder's z-scale


class QueryError(ValueError):
    """A query the engine cannot run, with a message fit for the customer."""


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    lang: str
    category: str
    audience: str
    score: float
    section: str  # heading path, e.g. "Rückgabe › Fristen"
    anchor: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["highlights"] = [list(h) for h in self.highlights]
        return d


@dataclass
class SearchResult:
    query: str
    lang: str | None
    answered: bool
    did_you_mean: str | None
    results: list[Hit]
    confidence: float = 0.0
    features: dict = field(default_factory=dict, repr=False)  # inputs of `answered`, for calibration

    def to_dict(self) -> dict:
        return {"query": self.query, "lang": self.lang, "answered": self.answered,
                "did_you_mean": self.did_you_mean, "confidence": round(self.confidence, 4),
                "results": [h.to_dict() for h in self.results]}


class _LRU:
    def __init__(self, size: int) -> None:
        self.size = size
        self.data: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.data.get(key)
            if value is not None:
                self.data.move_to_end(key)
            return value

    def put(self, key, value) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


def _z(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    vals = x[mask]
    if len(vals) < 2:
        return np.zeros_like(x)
    std = vals.std()
    return (x - vals.mean()) / (std if std > 1e-9 else 1.0)


def clean_query(query: str) -> str:
    """Collapse whitespace and drop control characters; reject empty/over-long input."""
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    text = "".join(ch if ch.isprintable() else " " for ch in query)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QueryError("the query is empty: type a question or a few words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    return text


class SearchEngine:
    """A loaded index plus the encoders that built it. Thread-safe for searching."""

    def __init__(self, index: LoadedIndex, encoders: tuple[Encoder, ...]) -> None:
        self.index = index
        self.encoders = encoders
        names = [m["name"] for m in index.models]
        if names != [e.name for e in encoders]:
            raise ValueError(f"index built with {names}, encoders are {[e.name for e in encoders]}")
        # the articles' words and stems per language, computed by the build (kb/index/vocabulary.py)
        vocabulary = index.vocabulary["languages"]
        self.guesser = LanguageGuesser({lang: set(v["words"]) for lang, v in vocabulary.items()})
        self._analyzers = {lang: analyzer_for(lang) for lang in sorted(vocabulary)}
        # stemmed vocabulary per language, of the public articles and of all: for `coverage`
        self._terms: dict[bool, dict[str, frozenset[str]]] = {
            True: {lang: frozenset(v["public_stems"]) for lang, v in vocabulary.items()},
            False: {lang: frozenset(v["stems"]) for lang, v in vocabulary.items()},
        }
        fine = index.segments[SENTENCE]
        self._sentence_counts = np.diff(np.r_[fine.article_starts, fine.stop - fine.start])
        self._qcache = _LRU(8192)  # (encoder slot, folded query) -> vector
        self._results = _LRU(RESULT_CACHE_SIZE)  # (question, search options) -> SearchResult
        self._applies: dict[int, np.ndarray] = {}
        self._questions = QuestionMatcher(index.articles)
        # per encoder, concurrent questions: one encode, one vector product
        self._batchers = [QueryBatcher(partial(self._dense, slot)) for slot in range(len(encoders))]

    # -- evidence ---------------------------------------------------------------
    def prime(self, queries: list[str], batch_size: int = 256) -> None:
        """Encode many queries in batches up front (`kb search --batch`, `kb eval`).

        Batches are several times cheaper per query than single encodes; the
        cache then serves the searches that follow.
        """
        texts = []
        for q in queries:
            try:
                texts.append(clean_query(q))
            except QueryError:
                continue
        langs = {t: self.guesser.guess(t) for t in dict.fromkeys(texts)}
        for slot, encoder in enumerate(self.encoders):
            # as search() does: not with an encoder that cannot count for the question's language
            todo = [t for t, lang in langs.items() if self._counts_for(slot, lang)
                    and self._qcache.get((slot, t.casefold())) is None]
            for start in range(0, len(todo), batch_size):
                chunk = todo[start:start + batch_size]
                for t, v in zip(chunk, encoder.encode(chunk)):
                    self._qcache.put((slot, t.casefold()), v)

    def _dense(self, slot: int, texts: list[str]) -> list[np.ndarray]:
        """Concurrent questions' similarity to every passage by one encoder: one
        encode of those not cached, one vector product for all (kb/search/batcher.py)."""
        keys = [(slot, t.casefold()) for t in texts]
        vectors = {key: self._qcache.get(key) for key in keys}
        missing = list(dict.fromkeys(t for t, key in zip(texts, keys) if vectors[key] is None))
        if missing:
            encoded = self.encoders[slot].encode(missing)
            if len(encoded) != len(missing):
                raise RuntimeError(f"encoder {self.encoders[slot].name} returned {len(encoded)} "
                                   f"vectors for {len(missing)} texts")
            for t, v in zip(missing, encoded):
                vectors[slot, t.casefold()] = v
                self._qcache.put((slot, t.casefold()), v)
        return list(self.index.similarities_many(slot, np.stack([vectors[key] for key in keys])))

    def _counts_for(self, slot: int, qlang: str | None) -> bool:
        """Whether this encoder's similarity can count for a question in ``qlang``.

        A monolingual encoder says nothing about a question in another language,
        so the question is not even encoded with it (an English model costs more
        than the rest of a German search); nor where no article is in its languages.
        """
        langs = self.encoders[slot].languages
        if langs is None:
            return True
        return (qlang is None or qlang in langs) and bool(self._encoder_applies(slot).any())

    def _z_basis(self, slot: int, counted: np.ndarray) -> np.ndarray:
        """The articles whose scores set an encoder's z-scale: all counted ones, or,
        for an approximate (HNSW) index, those of them scored exactly (LoadedIndex.sampled)."""
        sampled = self.index.sampled[slot]
        if sampled is None:
            return counted
        basis = counted & sampled
        return basis if basis.sum() >= MIN_Z_SAMPLE else counted

    def _encoder_applies(self, slot: int) -> np.ndarray:
        """Articles where this encoder's similarity counts (read-only, computed once)."""
        ok = self._applies.get(slot)
        if ok is None:
            langs = self.encoders[slot].languages
            ok = (np.ones(self.index.n_articles, dtype=bool) if langs is None
                  else np.isin(self.index.article_lang, list(langs)))
            ok.setflags(write=False)
            self._applies[slot] = ok
        return ok

    def coverage(self, text: str, public: bool = True) -> tuple[float, int]:
        """Share of the query's content words (stemmed, stop words removed) that the
        articles use at all, in the language where that share is highest; and how
        many content words the query has there.

        Absolute keyword evidence, unlike the BM25 z-scores: customers ask in the
        help centre's own words ("retoure", "paket", "refund"), trivia questions
        are made of names, years and words it never uses. Public searches count
        only the words of public articles.
        """
        best, count = 0.0, 0
        for lang, analyzer in self._analyzers.items():
            words = list(dict.fromkeys(t.text for t in analyzer(text)))[:MAX_COVERAGE_WORDS]
            if not words:
                continue
            terms = self._terms[public][lang]
            share = sum(w in terms for w in words) / len(words)
            if share > best or (share == best and len(words) > count):
                best, count = share, len(words)
        return best, count

    # -- the search -------------------------------------------------------------
    def search(self, query: str, lang: str | None = None, limit: int = 10,
               audience: str = "public", category: str | None = None,
               languages: list[str] | None = None) -> SearchResult:
        """Rank articles for a question.

        ``lang`` is the customer's language if known (UI choice); the query's own
        language wins when it can be detected. ``audience='internal'`` includes
        agent-only articles; public searches never see them.
        """
        text = clean_query(query)
        key = (text, lang, limit, audience, category, tuple(languages) if languages else None)
        cached = self._results.get(key)
        if cached is None:
            cached = self._search(text, lang, limit, audience, category, languages)
            self._results.put(key, cached)
        # callers may filter the list (the agent workspace does); the cached one stays whole
        return replace(cached, results=list(cached.results), features=dict(cached.features))

    def _search(self, text: str, lang: str | None, limit: int, audience: str,
                category: str | None, languages: list[str] | None) -> SearchResult:
        idx = self.index
        qlang = self.guesser.guess(text) or lang
        mask = idx.public_mask.copy() if audience != "internal" else np.ones(idx.n_articles, dtype=bool)
        if category:
            mask &= idx.article_category == slugify(category)
        if languages:
            mask &= np.isin(idx.article_lang, languages)
        if not mask.any():
            return SearchResult(text, qlang, False, None, [])

        sims_by_slot: list[np.ndarray | None] = [
            self._batchers[slot].run(text) if self._counts_for(slot, qlang) else None
            for slot in range(len(self.encoders))]
        per_article = self._per_article(sims_by_slot)
        dense, best = self._dense_evidence(per_article, mask)

        fixes = idx.keywords.corrections(text)
        kw_text = text + (" " + " ".join(fixes.values()) if fixes else "")
        section_bm25 = idx.keywords.search(kw_text, len(idx.sections))  # thread-safe
        article_bm25 = np.maximum.reduceat(section_bm25, idx.section_starts)
        if qlang is None:
            kw_weight = np.full(idx.n_articles, KEYWORD_WEIGHT_UNKNOWN_LANG)
        else:
            kw_weight = np.where(idx.article_lang == qlang, KEYWORD_WEIGHT_SAME_LANG,
                                 KEYWORD_WEIGHT_OTHER_LANG)
        keyword = kw_weight * _z(article_bm25, mask)
        fused = np.where(mask, dense + keyword, -np.inf)
        approximate = [slot for slot, sims in enumerate(sims_by_slot)
                       if sims is not None and idx.sampled[slot] is not None]
        if approximate:
            # an HNSW search scores exactly only what it found: the articles that came
            # first by all the evidence (keywords too) are scored with all their passages
            n = min(RERANKED_ARTICLES, int(mask.sum()))
            top = np.argpartition(-fused, n - 1)[:n]
            for slot in approximate:
                idx.score_exactly(slot, self._query_vector(slot, text), top, sims_by_slot[slot])
                self._refresh(per_article, sims_by_slot, slot, top)
            dense, best = self._dense_evidence(per_article, mask)
            fused = np.where(mask, dense + keyword, -np.inf)

        ranked, known_phrasing = self._questions.promote(text, fused, mask)  # kb/search/question_match.py
        hits = self._collapse_translations(ranked, mask, qlang, limit)
        did_you_mean = None
        if fixes:
            did_you_mean = re.sub(r"\w+", lambda m: fixes.get(m.group(0).lower(), m.group(0)), text)
        candidates = fused[mask]
        if len(candidates) > 1:
            second, first = np.partition(candidates, len(candidates) - 2)[-2:]
            top, margin = float(first), float(first - second)
        else:
            top = margin = float(candidates[0])
        # with the spelling corrections the keyword search uses too ("retrn label" -> "return label")
        public = audience != "internal"
        coverage_typed, n_content = self.coverage(text, public)
        coverage = self.coverage(did_you_mean, public)[0] if did_you_mean else coverage_typed
        features = {
            "best_cos": best.get((False, SENTENCE), 0.0),
            "cos_section": best.get((False, SECTION), 0.0),
            "cos_article": best.get((False, ARTICLE), 0.0),
            "mini_cos": best.get((True, SENTENCE)),
            "mini_section": best.get((True, SECTION)),
            "mini_article": best.get((True, ARTICLE)),
            "coverage": coverage, "coverage_typed": coverage_typed, "n_content": n_content,
            "n_articles": int(mask.sum()), "n_sentences": int(self._sentence_counts[mask].sum()),
            "bm25": float(article_bm25[mask].max()),
            "top": top, "margin": margin,
        }
        confidence = answer_model.answer_probability(features) if hits else 0.0
        answered = bool(hits) and (confidence >= answer_model.THRESHOLD or known_phrasing)
        results = [self._hit(a, float(fused[a]), sims_by_slot, section_bm25, text, fixes)
                   for a in hits]
        return SearchResult(text, qlang, answered, did_you_mean, results, confidence=confidence,
                            features=features)

    def _per_article(self, sims_by_slot: list[np.ndarray | None]) -> dict[tuple[int, int], np.ndarray]:
        """Each encoder's best passage score per article and passage kind: the part of
        the dense evidence that reads every passage."""
        idx = self.index
        return {(slot, k): np.maximum.reduceat(sims[idx.segments[k].start:idx.segments[k].stop],
                                               idx.segments[k].article_starts)
                for slot, sims in enumerate(sims_by_slot) if sims is not None for k in KINDS}

    def _refresh(self, per_article: dict[tuple[int, int], np.ndarray], sims_by_slot: list[np.ndarray | None],
                 slot: int, articles: np.ndarray) -> None:
        """Recompute ``per_article`` of one encoder for some articles only (after
        LoadedIndex.score_exactly changed their passages' scores), as _per_article would."""
        idx = self.index
        for k in KINDS:
            seg = idx.segments[k]
            starts = seg.article_starts[articles]
            ends = np.r_[seg.article_starts[1:], seg.stop - seg.start][articles]
            lengths = np.maximum(ends - starts, 1)  # reduceat takes the start's value for an empty range
            offsets = np.r_[0, np.cumsum(lengths)[:-1]]
            where = np.repeat(starts - offsets, lengths) + np.arange(int(lengths.sum()))
            values = sims_by_slot[slot][seg.start + where]
            per_article[slot, k][articles] = np.maximum.reduceat(values, offsets)

    def _dense_evidence(self, per_article: dict[tuple[int, int], np.ndarray], mask: np.ndarray
                        ) -> tuple[np.ndarray, dict[tuple[bool, int], float]]:
        """Per article the mean z-score of the encoders' per-kind maxima, and the best
        absolute cosine per (monolingual encoder, passage kind) among the counted articles."""
        idx = self.index
        dense_sum = np.zeros(idx.n_articles, dtype=np.float64)
        dense_w = np.zeros(idx.n_articles, dtype=np.float64)
        best: dict[tuple[bool, int], float] = {}
        for slot in sorted({slot for slot, _ in per_article}):
            applies = self._encoder_applies(slot)
            counted = mask & applies
            basis = self._z_basis(slot, counted)
            mono = self.encoders[slot].languages is not None
            for k in KINDS:
                values = per_article[slot, k]
                dense_sum += np.where(applies, _z(values, basis), 0.0)
                dense_w += applies
                if counted.any():
                    value = float(values[counted].max())
                    best[mono, k] = max(best.get((mono, k), -1.0), value)
        dense = np.divide(dense_sum, dense_w, out=np.zeros_like(dense_sum), where=dense_w > 0)
        return dense, best

    def _query_vector(self, slot: int, text: str) -> np.ndarray:
        """The question's vector by one encoder: from the cache the search just filled."""
        vector = self._qcache.get((slot, text.casefold()))
        if vector is None:  # pushed out by concurrent searches in the meantime
            vector = self.encoders[slot].encode([text])[0]
            self._qcache.put((slot, text.casefold()), vector)
        return vector

    def _collapse_translations(self, fused: np.ndarray, mask: np.ndarray, qlang: str | None,
                               limit: int) -> list[int]:
        """Best version decides the rank; the customer's language decides what is shown."""
        idx = self.index
        groups: dict[str, int] = {}
        out: list[int] = []
        for a in _by_score(fused, max(4 * limit, 200)):
            if not mask[a] or not np.isfinite(fused[a]):
                break
            key = idx.articles[a]["translation"] or f"id:{idx.articles[a]['id']}"
            if key in groups:
                continue
            shown = a
            if qlang and idx.articles[a]["lang"] != qlang and idx.articles[a]["translation"]:
                other = idx.version.get((idx.articles[a]["translation"], qlang))
                if other is not None and mask[other]:
                    shown = other
            groups[key] = shown
            out.append(int(shown))
            if len(out) >= limit:
                break
        return out

    def _hit(self, a: int, score: float, sims_by_slot, section_bm25, text, fixes) -> Hit:
        idx = self.index
        art = idx.articles[a]
        passages = idx.article_passages[a]
        sec_ids = idx.section[passages]
        best_section, best_value, best_passage = None, -np.inf, None
        counted = [sims[passages] for s, sims in enumerate(sims_by_slot) if sims is not None and (
            self.encoders[s].languages is None or art["lang"] in self.encoders[s].languages)]
        # no encoder for this language (e.g. only an English model configured): keywords decide
        combined = np.mean(counted, axis=0) if counted else np.zeros(len(passages), dtype=np.float32)
        top_bm = section_bm25.max() or 1.0
        for n in np.unique(sec_ids[sec_ids >= 0]):
            sel = sec_ids == n
            value = float(combined[sel].max()) + 0.1 * float(section_bm25[n]) / top_bm
            if value > best_value:
                best_value, best_section = value, int(n)
                fine = sel & (idx.kind[passages] == SENTENCE)
                best_passage = int(passages[fine][np.argmax(combined[fine])]) if fine.any() else None
        section = idx.sections[best_section]
        snippet = _snippet(section["text"], combined, passages, best_passage, idx)
        highlights = _highlights(snippet, text + " " + " ".join(fixes.values()), art["lang"])
        heading = section["heading"]
        return Hit(id=art["id"], title=art["title"], lang=art["lang"], category=art["category"],
                   audience=art["audience"], score=round(score, 4),
                   section=f"{art['title']} › {heading}" if heading else art["title"],
                   anchor=section["anchor"], snippet=snippet, highlights=highlights)


def _by_score(fused: np.ndarray, first: int):
    """Article numbers by descending score, ties to the lower number, as a stable
    argsort gives them; the best ``first`` (and their ties) without sorting all:
    at 100,000 sections a full sort of 20,000 scores cost about 1 ms a search, and
    the results are nearly always among the first few hundred."""
    if first < len(fused):
        kth = np.partition(fused, len(fused) - first)[len(fused) - first]
        best = np.flatnonzero(fused >= kth)
    else:
        best = np.arange(len(fused))
    yield from best[np.lexsort((best, -fused[best]))].tolist()
    if len(best) < len(fused):
        rest = np.flatnonzero(~(fused >= kth))
        yield from rest[np.lexsort((rest, -fused[rest]))].tolist()


def _snippet(section_text: str, combined, passages, best_passage, idx) -> str:
    """The best sentence with its neighbours, about SNIPPET_CHARS long."""
    sentences = split_sentences(section_text)
    if not sentences:
        return ""
    if len(section_text) <= SNIPPET_CHARS:
        return " ".join(sentences)
    center = 0
    if best_passage is not None:
        # find the best sentence by position among this section's sentences
        sec = idx.section[best_passage]
        same = [p for p in passages if idx.section[p] == sec and idx.kind[p] == SENTENCE]
        long_enough = [s for s in sentences if len(s.split()) >= 3]
        if best_passage in same and len(same) == len(long_enough):
            center = sentences.index(long_enough[same.index(best_passage)])
    lo = hi = center
    length = len(sentences[center])
    while True:
        grown = False
        if hi + 1 < len(sentences) and length + len(sentences[hi + 1]) + 1 <= SNIPPET_CHARS:
            hi += 1
            length += len(sentences[hi]) + 1
            grown = True
        if lo > 0 and length + len(sentences[lo - 1]) + 1 <= SNIPPET_CHARS:
            lo -= 1
            length += len(sentences[lo]) + 1
            grown = True
        if not grown:
            break
    text = " ".join(sentences[lo:hi + 1])
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " …"
    return ("… " if lo > 0 else "") + text + (" …" if hi + 1 < len(sentences) and not text.endswith("…") else "")


_local = threading.local()
MAX_CACHED_STEMS = 200_000
_STEMS: dict[str, dict[str, str | None]] = {}  # lang -> word -> stem (None: stop word)


def _stem(lang: str, word: str) -> str | None:
    """Stem of one word with this language's analyzer, from a cache all threads share.

    Whoosh's analyzer chain costs ~6 µs a token in Python and a snippet has ~30
    tokens, most of them seen before, whichever of the server's threads answers.
    Dict reads and writes are atomic; two threads may stem the same new word,
    with the same result. The analyzers are per thread: Whoosh's own caches are
    not thread-safe.
    """
    stems = _STEMS.get(lang)
    if stems is None:
        stems = _STEMS.setdefault(lang, {})
    found = stems.get(word, False)
    if found is False:
        analyzers = getattr(_local, "analyzers", None)
        if analyzers is None:
            analyzers = _local.analyzers = {}
        analyzer = analyzers.get(lang)
        if analyzer is None:
            analyzer = analyzers[lang] = analyzer_for(lang)
        if len(stems) > MAX_CACHED_STEMS:
            stems.clear()
        found = stems[word] = next((t.text for t in analyzer(word)), None)
    return found


def _highlights(snippet: str, query: str, lang: str) -> list[tuple[int, int]]:
    """Character spans of snippet words whose stem matches a query word's stem.

    Tokens as Whoosh's tokenizer finds them (TOKEN), each analysed alone: the
    analyzer's filters (lowercase, stop words, stemming) work token by token.
    """
    wanted = {_stem(lang, m.group()) for m in TOKEN.finditer(query)} - {None}
    if not wanted:
        return []
    return [m.span() for m in TOKEN.finditer(snippet) if _stem(lang, m.group()) in wanted]


def mark(snippet: str, highlights: list[tuple[int, int]], before: str = "«", after: str = "»") -> str:
    """Snippet with highlighted words wrapped, for terminals and plain text."""
    out, pos = [], 0
    for start, end in highlights:
        out.append(snippet[pos:start])
        out.append(before + snippet[start:end] + after)
        pos = end
    out.append(snippet[pos:])
    return "".join(out)
