"""The one search function behind the CLI, the portal, the API and the agents.

Ranking, in short (figures and reasoning in bench/RESULTS.md):

* Dense evidence: for each encoder, the cosine between the question and every
  passage, reduced to three per-article maxima (whole article, best section,
  best sentence/question). Sentence-level maxima find the one line that answers
  a question; the article view finds the topic.
* Keyword evidence: BM25F over sections (stemmed, title/tags/questions boosted),
  maximum per article.
* Each signal is z-normalised over the candidate articles where it counts (a
  monolingual encoder only where question and article share its language) and
  also kept as a gap to the best article's absolute cosine; a linear model
  fitted across help centres weighs them (:mod:`kb.search.ranker`). Score
  fusion, not rank fusion: RRF throws away how much better the best match is.
* Versions linked by ``translation`` compete as one: the best version decides
  the rank, the customer's language decides which version is shown. Versions
  not linked are found by their vectors; in the order of the results, the one
  in another language falls behind the others. Where nothing the customer can
  read answers, the articles with no version in their language are also ranked
  among themselves, and a clearly surer first one is offered first
  (:mod:`kb.search.readable`).
* A question in a language none of the searchable articles use is also asked
  as the help centre's nearest words in theirs, and the two rankings are
  averaged (:mod:`kb.search.translation`).
* ``answered`` (and ``confidence``, its probability) comes from absolute
  evidence, not from the z-scores: the best cosines per passage kind and
  encoder, the share of the question's words the articles use, the first
  article's margin, how much of the single evidence puts it first, how many of
  the question's words its own text uses and how many phrasings it has, and the
  number of passages searched, in a logistic model (:mod:`kb.search.answer_model`) fitted on
  handwritten customer and off-topic questions (bench/calibrate_answered.py).
  An answered question whose first article barely leads another is ``hedged``:
  the customer is offered the best articles as a choice, not one answer.

* Spelling: unknown words are corrected towards the vocabulary the audience may
  see, in the question's language; when a correction is applied is decided in
  :meth:`SearchEngine.search`.

The steps live in their own modules: dense evidence :mod:`kb.search.dense`,
z-scores and ordering :mod:`kb.search.fusion`, which articles and sections are
shown :mod:`kb.search.hits`, snippets and highlights :mod:`kb.search.snippets`,
spelling :mod:`kb.search.spelling`, the result types :mod:`kb.search.results`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property, partial

import numpy as np

from kb.content.articles import slugify
from kb.content.languages import translation_group
from kb.content.passages import ARTICLE, KINDS, SECTION, SENTENCE
from kb.content.text import analyzer_for
from kb.content.word_forms import whole_words
from kb.encoders import Encoder
from kb.index.loaded import LoadedIndex
from kb.index.vocabulary import word_counts
from kb.search import answer_model, ranker, snippets
from kb.search.as_searched import as_searched
from kb.search.cache import LRU
from kb.search.dense import PRIME_BATCH, DenseEvidence
from kb.search.hits import SAME_QUESTION_COSINE, answering_section, head_passages, ranked_hits
from kb.search.query_language import LanguageGuesser, has_word_only_of
from kb.search.other_businesses import OtherBusinesses
from kb.search.question_match import QuestionMatcher
from kb.search.readable import Readability, put_first, surer_alone
from kb.search.results import MAX_QUERY_CHARS, Hit, QueryError, SearchResult, clean_query
from kb.search.spelling import Spelling, corrected
from kb.search.typo_words import TypoWords
from kb.search.translation import WEIGHT as TRANSLATED_WEIGHT
from kb.search.translation import Translator
from kb.search.word_reading import WordReading
from kb.search.word_vectors import WordVectors

__all__ = ["MAX_QUERY_CHARS", "Hit", "QueryError", "SearchEngine", "SearchResult", "clean_query"]

MAX_COVERAGE_WORDS = 64
# Customers ask the same questions ("wo ist mein paket"): a repeated search with the
# same options is answered from memory. Each engine has its own cache, so a new
# index build (a new engine) never serves results of the previous one.
RESULT_CACHE_SIZE = 2048
# with an approximate (HNSW) index, the first articles by all evidence are scored again with
# all their passages (LoadedIndex.score_exactly)
RERANKED_ARTICLES = 100


# who searches: a customer (public articles), staff (all), staff among internal articles only
INTERNAL_ONLY = "internal only"
AUDIENCES = ("public", "internal", INTERNAL_ONLY)


def for_staff(audience: str) -> bool:
    """Whether a search for ``audience`` is staff's: internal articles' words count (spelling, coverage)."""
    return audience in ("internal", INTERNAL_ONLY)


def _article_text(article: dict) -> str:
    return " ".join([article["title"], article["summary"], *article["tags"], *article["questions"], article["body"]])


@dataclass
class _Evidence:
    """What one search knows about every article, step by step."""

    mask: np.ndarray  # articles the search may return
    qlang: str | None
    sims_by_slot: list  # per encoder: similarity to every passage, or None where it does not count
    per_article: dict  # (encoder, passage kind) -> best similarity per article
    fixes: dict[str, str]  # spelling corrections, typed word -> known word
    section_bm25: np.ndarray
    article_bm25: np.ndarray
    keyword: dict  # the ranker's keyword and language columns (kb/search/ranker.py)
    columns: dict = None  # all the ranker's columns
    tops: dict = None  # (encoder, passage kind) -> best absolute cosine
    fused: np.ndarray = None
    translations: dict = field(default_factory=dict)  # lang -> the question as that language's words


class SearchEngine:
    """A loaded index plus the encoders that built it. Thread-safe for searching."""

    def __init__(self, index: LoadedIndex, encoders: tuple[Encoder, ...], own_names: tuple[str, ...] = ()) -> None:
        """``own_names``: the shop's name as customers write it (site.yml ``name``), which
        the encoders do not read (kb/search/dense.py, ``encoder_text``)."""
        self.index = index
        self.encoders = encoders
        names = [m["name"] for m in index.models]
        if names != [e.name for e in encoders]:
            raise ValueError(f"index built with {names}, encoders are {[e.name for e in encoders]}")
        # the articles' words and stems per language, computed by the build (kb/index/vocabulary.py);
        # an anonymous search learns only from public articles' words (guess, spelling, coverage)
        vocabulary = index.vocabulary["languages"]
        counts = word_counts(index.vocabulary, index.articles)
        self._guessers = {public: LanguageGuesser({lang: set(c[public]) for lang, c in counts.items()})
                          for public in (True, False)}
        self.guesser = self._guessers[True]
        self._spelling = Spelling(counts)
        self._typos = {public: TypoWords(partial(self._spelling.known, public=public),
                                         {lang: c[public] for lang, c in counts.items()})
                       for public in (True, False)}
        self._counts = counts  # the report's reading of words is built from them on first use
        self._analyzers = {lang: analyzer_for(lang) for lang in sorted(vocabulary)}
        # stemmed vocabulary per language, of the public articles and of all: for `coverage`
        self._terms: dict[bool, dict[str, frozenset[str]]] = {
            True: {lang: frozenset(v["public_stems"]) for lang, v in vocabulary.items()},
            False: {lang: frozenset(v["stems"]) for lang, v in vocabulary.items()},
        }
        fine = index.segments[SENTENCE]
        self._sentence_counts = np.diff(np.r_[fine.article_starts, fine.stop - fine.start])
        self._results = LRU(RESULT_CACHE_SIZE)  # (question, search options) -> SearchResult
        self.dense = DenseEvidence(index, encoders, own_names)
        self._questions = QuestionMatcher(index.articles)  # customers' known phrasings win
        self._other_businesses = OtherBusinesses(  # "how long does amazon take": not this shop's to answer
            (w for c in counts.values() for w in c[False]), map(_article_text, index.articles), own_names)
        self._groups = np.array([translation_group(a) for a in index.articles])
        # unlinked versions of one article: the one in the question's language first
        self._readability = Readability(index.articles, *index.article_vectors())
        # the question's words beside the help centre's own (kb/index/dictionary.py)
        words = next((WordVectors(e) for e in encoders if e.name == index.dictionary_encoder), None)
        self._translator = Translator(index, words)  # questions in a language the articles lack

    @cached_property
    def read_word(self) -> WordReading:
        """One customer's word as the public search reads it, for the report of missing words
        (kb/search/unused_words.py): built on the first report from the same vocabulary, with
        caches of its own, as a report's thousands of words would evict the customers' words
        from the live searches' caches."""
        return WordReading.of_counts(self._counts)

    @property
    def _qcache(self) -> LRU:
        """The question-vector cache (bench/perf.py empties it between runs)."""
        return self.dense.qcache

    @_qcache.setter
    def _qcache(self, cache: LRU) -> None:
        self.dense.qcache = cache

    @property
    def _batchers(self) -> list:
        return self.dense.batchers

    def prime(self, queries: list[str], batch_size: int = PRIME_BATCH) -> None:
        """Encode many queries in batches up front (`kb search --batch`, `kb eval`).

        Batches are cheaper per query than single encodes; the cache then
        serves the searches that follow.
        """
        texts = []
        for q in queries:
            try:
                texts.append(self._retyped(self._normalised(clean_query(q), public=True), public=True))
            except QueryError:
                continue
        self.dense.prime({t: self.guesser.guess(t) for t in dict.fromkeys(texts)}, batch_size)

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
            words = whole_words(analyzer, text)[:MAX_COVERAGE_WORDS]
            if not words:
                continue
            terms = self._terms[public][lang]
            share = sum(w in terms for w in words) / len(words)
            if share > best or (share == best and len(words) > count):
                best, count = share, len(words)
        return best, count

    # -- the search -------------------------------------------------------------
    def known_phrasing(self, text: str) -> str | None:
        """The public article that has ``text`` as its title or among its questions or tags (near-exact, as
        the search matches them), or None: a customer asking it now finds that article first."""
        found = [i for i in self._questions.matches(text) if self.index.public_mask[i]]
        return self.index.articles[found[0]]["id"] if found else None

    def search(self, query: str, lang: str | None = None, limit: int = 10,
               audience: str = "public", category: str | None = None,
               languages: list[str] | None = None, correct: bool = True) -> SearchResult:
        """Rank articles for a question.

        The question is searched without personal data, greeting and thanks, and with
        umlauts where typed without them (kb/search/as_searched.py); ``result.query``
        is that text. ``lang`` is the customer's language if known (UI choice); the query's own
        language wins when it can be detected; without ``lang``, general dictionaries
        decide where they are clear (kb/search/query_language.py), else the articles'
        language where they have only one. ``audience='internal'`` includes
        agent-only articles, ``INTERNAL_ONLY`` searches them alone (an agent's filter);
        public searches never see them.

        A spelling correction counts when the corrected question is answered and the
        typed one is not, or uses none of the help centre's words as typed ("rturn
        labl": its answer rests on the corrections alone): then it is applied
        (``result.original`` is the typed question), or, with ``correct=False``
        (the customer chose the question as typed), offered as ``did_you_mean``.
        A question that is answered as typed in the help centre's words keeps them
        (its keyword search uses the corrections anyway), and a correction that
        answers nothing is never shown; still, when neither is answered, the articles
        listed follow the corrected question.

        Before that, a typo one edit from a known word (the help centre's, else a
        dictionary's) is corrected (kb/search/typo_words.py): ``result.original`` is then
        the question as typed. With ``correct=False`` the question is searched as typed.
        """
        public = not for_staff(audience)
        text = self._normalised(clean_query(query), public)
        options = (lang, limit, audience, category, tuple(languages) if languages else None)
        if not correct:
            return self._spelled(text, options, correct)
        retyped = self._retyped(text, public)
        other = self._switched_to(text, retyped, lang, public)
        if other is not None and has_word_only_of(retyped, lang, other):  # "pasword vergesen", German page
            retyped = self._typos[public].retyped(text, lang)
        result = self._spelled(retyped, options, correct)
        return result if retyped == text else replace(result, original=text)

    def _switched_to(self, typed: str, fixed: str, lang: str | None, public: bool) -> str | None:
        """The other language corrections would put a question in that tells no language of
        its own, on a page in ``lang`` ("mwst" on a German page as the English "most"); None
        when they do not. The page's language decides where a question's words do not, so a
        typo's correction mixing in a word of the page's language ("password vergessen")
        stays in it, and one that answers nothing changes no language."""
        if lang is None or fixed == typed or self._guessers[public].guess(typed) is not None:
            return None
        other = self._guessers[public].guess(fixed)
        return other if other not in (None, lang) else None

    def _spelled(self, text: str, options: tuple, correct: bool) -> SearchResult:
        """The ranking of ``text``, or of its help centre speller's corrections (see search)."""
        typed = self._cached(text, options)
        fixed = corrected(text, typed.fixes) if typed.fixes else None
        unknown_words = typed.features.get("coverage_typed") == 0.0
        if fixed is None or (typed.answered and not unknown_words):
            return typed
        better = self._cached(fixed, options)
        if self._switched_to(text, fixed, options[0], options[2] != "internal") and (
                typed.answered or not better.answered):  # "mwst" stays German; "rturn labl" answers as English
            return typed
        if typed.answered and not better.answered:
            return typed
        if not better.answered:  # answered: above the threshold, or a known phrasing, title or tag
            # Neither is answered: the list a customer may still pick from follows the corrected
            # words (the typed word reaches the encoders as noise), the correction itself is not
            # shown; a customer who chose the question as typed gets its own ranking.
            return replace(better, query=text, fixes=typed.fixes) if correct else typed
        if correct:
            return replace(better, original=text)
        return replace(typed, did_you_mean=fixed)

    def _retyped(self, text: str, public: bool) -> str:
        """The question with its typos one edit from a known word corrected
        (kb/search/typo_words.py), in the language it is written in when that is clear."""
        return self._typos[public].retyped(text, self._guessers[public].guess(text))

    def _normalised(self, text: str, public: bool) -> str:
        """The question as searched (kb/search/as_searched.py): without personal data,
        greeting and thanks, with umlauts where typed without them unless it is written
        in another language than German ("stoer" in an English question is no "stör")."""
        guess = self._guessers[public].guess(text)
        return as_searched(text, partial(self._spelling.known, public=public), german=guess in (None, "de"))

    def _cached(self, text: str, options: tuple) -> SearchResult:
        """One ranking of ``text`` as typed, from memory when it was asked before; a copy
        callers may change (the agent workspace filters the list)."""
        key = (text, *options)
        cached = self._results.get(key)
        if cached is None:
            cached = self._search(text, *options)
            self._results.put(key, cached)
        return replace(cached, results=list(cached.results), features=dict(cached.features))

    def _search(self, text: str, lang: str | None, limit: int, audience: str,
                category: str | None, languages: tuple[str, ...] | None) -> SearchResult:
        """One ranking; where nothing the customer can read answers, the articles with no
        version in their language are also ranked among themselves (kb/search/readable.py)."""
        ev = self.evidence(text, lang, audience, category, languages)
        if ev is None:
            return SearchResult(text, lang, False, None, [])
        public = not for_staff(audience)
        result = self._result(ev, text, limit, public)
        alone = self._readability.alone(ev.mask, ev.qlang)
        if result.answered or not alone.any():
            return result
        other = self._result(self._restricted(ev, alone, text), text, 1, public)
        first = surer_alone(self.index, result, other, alone)
        if first is None:
            return result
        hit = self._hit(first, float(ev.fused[first]), ev.sims_by_slot, ev.section_bm25, text, ev.fixes)
        return put_first(self.index, result, hit, limit)

    def _result(self, ev: _Evidence, text: str, limit: int, public: bool) -> SearchResult:
        """The articles a search shows, first to last, and whether it is answered."""
        mask, qlang, fixes = ev.mask, ev.qlang, ev.fixes
        # the customer's language orders what they read; ``answered`` weighs the evidence itself
        readable_first = self._readability.lagged(ev.fused, mask, qlang)
        ranked, known_phrasing = self._questions.promote(text, readable_first, mask)
        hits = ranked_hits(self.index, ranked, mask, qlang, limit)
        features = self._features(ev, text, corrected(text, fixes) if fixes else None, public)
        features["known_phrasing"] = known_phrasing
        confidence = answer_model.answer_probability(features) if hits else 0.0
        answered = bool(hits) and (confidence >= answer_model.THRESHOLD or known_phrasing) \
            and (known_phrasing or self._other_businesses.named(text) is None)
        results = [self._hit(a, float(ev.fused[a]), ev.sims_by_slot, ev.section_bm25, text, ev.fixes)
                   for a in hits]
        return SearchResult(text, qlang, answered, None, results, confidence=confidence,
                            features=features, fixes=fixes,
                            hedged=answer_model.hedged(features, answered),
                            known_phrasing=bool(hits and known_phrasing))

    def _restricted(self, ev: _Evidence, mask: np.ndarray, text: str) -> _Evidence:
        """``ev`` for fewer articles: scored among themselves, as a search limited to them
        would, from the similarities and keyword scores already computed."""
        idx = self.index
        keyword = ranker.keyword_columns(ev.article_bm25, mask, idx.article_lang, ev.qlang)
        narrow = replace(ev, mask=mask, keyword=keyword, per_article=dict(ev.per_article), translations={})
        self._fuse(narrow, text)
        return narrow

    def evidence(self, text: str, lang: str | None = None, audience: str = "public",
                 category: str | None = None, languages: tuple[str, ...] | None = None) -> _Evidence | None:
        """Everything one search knows about every article, up to the ranker's scores
        (``fused``) and its columns (``columns``); None when no article may be shown.
        ``bench/fit_ranker.py`` fits the ranker on these columns.

        A question in a language none of the articles it may find use is also asked as
        their words (kb/search/translation.py): ``fused`` is then the weighted mean of
        both rankings; the columns stay the question's own."""
        public = not for_staff(audience)
        guesser = self._guessers[public]
        guessed = guesser.guess(text)
        mask = self._mask(audience, category, languages)
        if not mask.any():
            return None
        if guessed and lang and guessed != lang and not guesser.outweighs(text, guessed, lang):
            guessed = None  # a loanword in the page's language ("order canceln"), not the customer's language
        qlang = guessed or lang or guesser.likely(text) or self._only_language(mask)
        ev = self._evidence_in(text, qlang, guessed, mask, public)
        if qlang is not None and not (mask & (self.index.article_lang == qlang)).any():
            self._add_translations(ev, text, public)
        return ev

    def _only_language(self, mask: np.ndarray) -> str | None:
        """The one language of the articles a search may find, if they share one: a question
        whose language nothing else tells is read as theirs (its keyword evidence counts as
        in the question's language)."""
        langs = np.unique(self.index.article_lang[mask])
        return str(langs[0]) if len(langs) == 1 else None

    def _evidence_in(self, text: str, qlang: str | None, guessed: str | None, mask: np.ndarray,
                     public: bool) -> _Evidence:
        sims_by_slot = self.dense.similarities(text, qlang)  # first: concurrent questions share the encode
        # in the question's own language; a page's language says little about a typo's
        fixes = self._spelling.corrections(text, guessed, public)
        ev = self._keyword_evidence(text, qlang, mask, sims_by_slot, fixes)
        self._fuse(ev, text)
        return ev

    def _add_translations(self, ev: _Evidence, text: str, public: bool) -> None:
        """Average the rankings of the question translated into each language of the
        articles it may find into ``ev.fused`` (kept on the scale of one ranking, which
        ``answered`` reads)."""
        translated = []
        for lang in sorted(set(self.index.article_lang[ev.mask].tolist())):
            words = self._translator.translate(text, ev.qlang, lang, public)
            if words:
                translated.append(self._evidence_in(words, lang, lang, ev.mask, public).fused)
                ev.translations[lang] = words
        if translated:
            mask = ev.mask
            total = ev.fused[mask] + TRANSLATED_WEIGHT * sum(t[mask] for t in translated)
            ev.fused[mask] = total / (1 + TRANSLATED_WEIGHT * len(translated))

    def _mask(self, audience: str, category: str | None, languages: tuple[str, ...] | None) -> np.ndarray:
        """The articles this search may return: public ones unless internal, and the filters."""
        idx = self.index
        if audience not in AUDIENCES:
            raise ValueError(f"unknown audience {audience!r}: one of {', '.join(AUDIENCES)}")
        mask = {"public": idx.public_mask.copy(), "internal": np.ones(idx.n_articles, dtype=bool),
                INTERNAL_ONLY: ~idx.public_mask}[audience]
        if category:
            mask &= idx.article_category == slugify(category)
        if languages:
            mask &= np.isin(idx.article_lang, list(languages))
        return mask

    def _keyword_evidence(self, text: str, qlang: str | None, mask: np.ndarray,
                          sims_by_slot: list[np.ndarray | None], fixes: dict[str, str]) -> _Evidence:
        """BM25F of the question with its spelling corrections, per section and per
        article, and the ranker's keyword columns."""
        idx = self.index
        kw_text = text + (" " + " ".join(fixes.values()) if fixes else "")
        section_bm25 = idx.keywords.search(kw_text, len(idx.sections))  # thread-safe
        article_bm25 = np.maximum.reduceat(section_bm25, idx.section_starts)
        return _Evidence(mask=mask, qlang=qlang, sims_by_slot=sims_by_slot,
                         per_article=self.dense.per_article(sims_by_slot), fixes=fixes,
                         section_bm25=section_bm25, article_bm25=article_bm25,
                         keyword=ranker.keyword_columns(article_bm25, mask, idx.article_lang, qlang))

    def _fuse(self, ev: _Evidence, text: str) -> None:
        """The ranker's score per article (``ev.fused``, -inf outside the mask).

        An HNSW search scores exactly only what it found: the articles that come
        first by all the evidence (keywords too) are scored with all their
        passages, and the dense evidence is computed again.
        """
        idx = self.index
        self._score(ev)
        approximate = [slot for slot, sims in enumerate(ev.sims_by_slot)
                       if sims is not None and idx.sampled[slot] is not None]
        if not approximate:
            return
        n = min(RERANKED_ARTICLES, int(ev.mask.sum()))
        top = np.argpartition(-ev.fused, n - 1)[:n]
        for slot in approximate:
            idx.score_exactly(slot, self.dense.query_vector(slot, text), top, ev.sims_by_slot[slot])
            self.dense.refresh(ev.per_article, ev.sims_by_slot, slot, top)
        self._score(ev)

    def _score(self, ev: _Evidence) -> None:
        dense, ev.tops = self.dense.evidence(ev.per_article, ev.mask)
        ev.columns = dense | ev.keyword
        ev.fused = np.where(ev.mask, ranker.scores(ev.columns), -np.inf)

    def _features(self, ev: _Evidence, text: str, did_you_mean: str | None, public: bool) -> dict:
        """The inputs of the ``answered`` model (kb/search/answer_model.py): absolute
        evidence, with the spelling corrections the keyword search uses too."""
        top, margin, contested = self._top_margin(ev)
        coverage_typed, n_content = self.coverage(text, public)
        coverage = self.coverage(did_you_mean, public)[0] if did_you_mean else coverage_typed
        mask = ev.mask
        best = self.dense.answer_cosines(text, ev.tops, mask, ev.fused)
        first = int(np.argmax(ev.fused))
        return {
            "best_cos": best.get((False, SENTENCE), 0.0),
            "cos_section": best.get((False, SECTION), 0.0),
            "cos_article": best.get((False, ARTICLE), 0.0),
            "mini_cos": best.get((True, SENTENCE)),
            "mini_section": best.get((True, SECTION)),
            "mini_article": best.get((True, ARTICLE)),
            "coverage": coverage, "coverage_typed": coverage_typed, "n_content": n_content,
            "n_articles": int(mask.sum()), "n_sentences": int(self._sentence_counts[mask].sum()),
            "bm25": float(ev.article_bm25[mask].max()),
            "top": top, "margin": margin, "contested": contested, "agreement": self._agreement(ev, first),
            "first_words": self._first_words(ev, first, did_you_mean or text, coverage),
            # the first article's front-matter questions, learned ones included: its best match
            # is the best of that many phrasings (kb/search/answer_model.py)
            "first_questions": len(self.index.articles[first]["questions"]),
        }

    def _first_words(self, ev: _Evidence, first: int, text: str, coverage: float) -> float:
        """The share of the question's words that the first article's own text uses (title,
        headings, body, in its language; not its front-matter questions); ``coverage``, the
        help centre's share, where the question is in another language and its words
        cannot occur there.

        A question worded like an article's question but about something else ("how do I
        install whatsapp" beside a learned "how do I install the esim") shares its form
        with the article, not its words.
        """
        idx = self.index
        lang = idx.articles[first]["lang"]
        if ev.qlang is not None and ev.qlang != lang:
            return coverage
        starts = idx.section_starts
        end = int(starts[first + 1]) if first + 1 < len(starts) else len(idx.sections)
        found, words = idx.keywords.words_in(text, lang, range(int(starts[first]), end))
        return found / words if words else 0.0

    def _agreement(self, ev: _Evidence, first: int) -> float:
        """The share of the single pieces of evidence that put the first article (any version
        of it) first on their own: each counted encoder's article, section and sentence
        view, and the keywords where they match anything.

        When the encoders and the keywords each point at another article, the ranker's
        first is a compromise, and a confident answer is often a wrong one.
        """
        group = self._groups[first]
        votes = []
        for (slot, k), values in ev.per_article.items():
            counted = ev.mask & self.dense.applies(slot)
            if k in KINDS and counted.any():
                votes.append(self._groups[int(np.argmax(np.where(counted, values, -np.inf)))] == group)
        if ev.article_bm25[ev.mask].max() > 0:
            votes.append(self._groups[int(np.argmax(np.where(ev.mask, ev.article_bm25, -np.inf)))] == group)
        return float(np.mean(votes)) if votes else 1.0

    def _top_margin(self, ev: _Evidence) -> tuple[float, float, bool]:
        """The best ranker score, its margin over the best article of another translation
        group (versions of one article are one answer), and whether there is one; the
        margin is the best itself when no other group may be shown."""
        fused = ev.fused
        best = int(np.argmax(fused))
        others = ev.mask & (self._groups != self._groups[best])
        if not others.any():
            return float(fused[best]), float(fused[best]), False
        return float(fused[best]), float(fused[best] - fused[others].max()), True

    def _same_question(self, text: str, lang: str, passages: np.ndarray, sims_by_slot) -> bool:
        """Whether the question is the article's title or one of its front matter questions,
        nearly word for word: read from cosines before any adapter, which moves the
        question towards the articles' content (the exact question "wo ist mein paket"
        scores ~0.1 with its own passage after a help centre's adapter, and 0.89 after
        the model's)."""
        head = head_passages(self.index, passages)
        if not len(head):
            return False
        cosines = self.dense.encoded_similarity(text, lang, head, sims_by_slot)
        return float(cosines.max()) >= SAME_QUESTION_COSINE

    def _hit(self, a: int, score: float, sims_by_slot, section_bm25, text, fixes) -> Hit:
        idx = self.index
        art = idx.articles[a]
        passages = idx.article_passages[a]
        combined = self.dense.passage_similarity(art["lang"], passages, sims_by_slot)
        best_section, best_passage = answering_section(self.index, passages, combined, section_bm25,
                                                       self._same_question(text, art["lang"], passages, sims_by_slot))
        section = idx.sections[best_section]
        snippet = snippets.snippet(section["text"], snippets.sentence_number(
            idx, passages, best_passage, section["text"]))
        highlights = snippets.highlights(snippet, text + " " + " ".join(fixes.values()), art["lang"])
        heading = section["heading"]
        return Hit(id=art["id"], title=art["title"], lang=art["lang"], category=art["category"],
                   audience=art["audience"], score=round(score, 4),
                   section=f"{art['title']} › {heading}" if heading else art["title"],
                   anchor=section["anchor"], snippet=snippet, highlights=highlights)
