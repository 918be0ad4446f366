"""Dense evidence: how close a question's vectors are to every passage, per article.

For each encoder, the cosine between the question and every passage, reduced
to four per-article maxima: whole article, best section, best sentence, and
best "head" passage (the title and the front-matter questions, the phrasings
an editor says the article answers). A monolingual encoder only counts where
question and article share its language. Concurrent questions share one encode and one
vector product (:mod:`kb.search.batcher`); question vectors are cached.
"""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import numpy as np

from kb.content.passages import KINDS, SENTENCE
from kb.encoders import Encoder
from kb.encoders.query_adapter import QueryAdapter, centre_adapters_on, query_adapter
from kb.encoders.threads import cpu_threads
from kb.index.loaded import LoadedIndex
from kb.search.batcher import QueryBatcher
from kb.search.cache import LRU
from kb.search.fusion import z_scores

QUERY_VECTOR_CACHE_SIZE = 8192  # (encoder, question) -> vector; vectors are small, encodes are not
MIN_Z_SAMPLE = 30  # exactly scored articles needed to set an approximate encoder's z-scale
PRIME_BATCH = 256
# articles whose passages give `answered` its cosines where a help centre's adapter moves the question
ANSWER_ARTICLES = 30
HEAD = len(KINDS)  # the per-article maximum over the title and the front-matter questions
VIEWS = (*KINDS, HEAD)
VIEW_NAMES = ("article", "section", "sentence", "head")  # in VIEWS order, for column names
ROLES = ("multi", "mono")  # indexed by "is the encoder limited to some languages"
DENSE_COLUMNS = tuple(f"{role}_{what}_{view}" for role in ROLES for what in ("z", "gap")
                      for view in VIEW_NAMES)


# encodes by the second and later encoders of a question run here, beside the request thread
_ENCODE_POOL = ThreadPoolExecutor(max_workers=cpu_threads(), thread_name_prefix="kb-encode")


# The encoders read a question's first pieces (words, up to PIECE_CHARS letters each, and
# punctuation marks): a customer's question fits whole, and text made to be costly (every
# character a token of its own, "a? a? …") costs the encoders no more than a long question does.
MAX_ENCODED_PIECES = 128
PIECE_CHARS = 20
_PIECE = re.compile(rf"\w{{1,{PIECE_CHARS}}}|[^\w\s]")


def first_pieces(text: str) -> str:
    """``text`` up to its MAX_ENCODED_PIECES-th piece (see above)."""
    for i, piece in enumerate(_PIECE.finditer(text)):
        if i == MAX_ENCODED_PIECES:
            return text[:piece.start()].rstrip()
    return text


def encoder_text(question: str, own_names: re.Pattern | None = None) -> str:
    """The question as the encoders read it: in lower case, without the shop's own name.

    USE reads case, and customers type German in lower case, in capitals when upset, or
    with a phone's capital first letter: "WO IST MEIN PAKET" is the question "wo ist mein
    paket", and in capitals it lands far from it (bench/RESULTS.md). The articles' passages
    keep their case: lower-cased, they rank worse. ``lower``, not ``casefold``: "ß" stays
    one letter, as the articles write it.

    The shop's name (``own_names``, :func:`own_names_pattern`) says "this shop", which every
    article is about; to the encoders it is an unknown word that moves the question away
    from all of them ("hafenkorb wo ist meine bestellung"). It is left out where something
    else remains; the keyword search still reads it ("Nordfaden Club").
    """
    text = first_pieces(question.lower())
    if own_names is None or not own_names.search(text):
        return text
    rest = " ".join(own_names.sub(" ", text).split()).strip(" ,;:-")  # "hafenkorb: ..."
    return rest if any(ch.isalnum() for ch in rest) else text


def own_names_pattern(names: tuple[str, ...]) -> re.Pattern | None:
    """The shop's names as whole words, also with a genitive s ("Hafenkorbs"); None for none."""
    words = [r"\s+".join(map(re.escape, n.lower().split())) for n in names if n and n.split()]
    if not words:
        return None
    return re.compile(r"\b(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")(?:'?s)?\b")


def centre_map(encoder: Encoder, centre: np.ndarray | None) -> QueryAdapter | None:
    """The help centre's own adapter of this encoder's question vectors, applied after the
    model's (kb/index/centre_adapter.py); None without one or when switched off."""
    if centre is None or not centre_adapters_on():
        return None
    return QueryAdapter(centre, f"{encoder.name} help centre")


class DenseEvidence:
    """The encoders of a loaded index, their question-vector cache and batchers. Thread-safe."""

    def __init__(self, index: LoadedIndex, encoders: tuple[Encoder, ...], own_names: tuple[str, ...] = ()) -> None:
        self.index = index
        self.encoders = encoders
        self._own_names = own_names_pattern(own_names)  # the shop's name: not read by the encoders
        # (encoder slot, ``encoder_text`` of the question) -> the encoder's vector, before any adapter
        self.qcache = LRU(QUERY_VECTOR_CACHE_SIZE)
        self.adapters = [query_adapter(e.name) for e in encoders]  # the models' (bench/centres.py swaps them)
        self.centre_maps = [centre_map(e, centre) for e, centre in zip(encoders, index.centre_adapters)]
        self._applies: dict[int, np.ndarray] = {}
        # title and questions: sentence passages outside any section, at least the title per article
        head = np.flatnonzero((index.kind == SENTENCE) & (index.section < 0))
        self._head = head[np.argsort(index.article[head], kind="stable")]
        self._head_starts = np.flatnonzero(np.r_[True, np.diff(index.article[self._head]) != 0])
        # per encoder, concurrent questions: one encode, one vector product
        self.batchers = [QueryBatcher(partial(self._encode_and_score, slot)) for slot in range(len(encoders))]

    def prime(self, langs: dict[str, str | None], batch_size: int = PRIME_BATCH) -> None:
        """Encode many questions (question -> its language) in batches up front; the
        cache then serves the searches that follow."""
        for slot, encoder in enumerate(self.encoders):
            # as search() does: not with an encoder that cannot count for the question's language
            todo = list(dict.fromkeys(self.encoder_text(t) for t, lang in langs.items()
                                      if self.counts_for(slot, lang)))
            todo = [t for t in todo if self.qcache.get((slot, t)) is None]
            for start in range(0, len(todo), batch_size):
                chunk = todo[start:start + batch_size]
                for t, v in zip(chunk, self.encoders[slot].encode(chunk)):
                    self.qcache.put((slot, t), v)

    def encoder_text(self, question: str) -> str:
        """The question as this help centre's encoders read it (:func:`encoder_text`)."""
        return encoder_text(question, self._own_names)

    def encode_questions(self, slot: int, texts: list[str]) -> np.ndarray:
        """Questions' vectors by one encoder, moved by the model's query adapter if it has
        one (kb/encoders/query_adapter.py): the vectors no help centre fitted."""
        return self.model_adapted(slot, self.encoders[slot].encode([self.encoder_text(t) for t in texts]))

    def model_adapted(self, slot: int, vectors: np.ndarray) -> np.ndarray:
        """Encoder vectors moved by the model's query adapter, if it has one."""
        adapter = self.adapters[slot]
        return adapter.apply(vectors) if adapter is not None and len(vectors) else vectors

    def searched(self, slot: int, vectors: np.ndarray) -> np.ndarray:
        """The vectors the search compares with passages: ``encode_questions``' moved by the
        help centre's own adapter, if it has one."""
        centre = self.centre_maps[slot]
        return centre.apply(vectors) if centre is not None and len(vectors) else vectors

    def _encode_and_score(self, slot: int, texts: list[str]) -> list[np.ndarray]:
        """Concurrent questions' similarity to every passage by one encoder: one
        encode of those not cached, one vector product for all (kb/search/batcher.py)."""
        keys = [(slot, self.encoder_text(t)) for t in texts]
        vectors = {key: self.qcache.get(key) for key in keys}
        missing = [key[1] for key in dict.fromkeys(keys) if vectors[key] is None]
        if missing:
            encoded = self.encoders[slot].encode(missing)
            if len(encoded) != len(missing):
                raise RuntimeError(f"encoder {self.encoders[slot].name} returned {len(encoded)} "
                                   f"vectors for {len(missing)} texts")
            for t, v in zip(missing, encoded):
                vectors[slot, t] = v
                self.qcache.put((slot, t), v)
        adapted = self.model_adapted(slot, np.stack([vectors[key] for key in keys]))
        return list(self.index.similarities_many(slot, self.searched(slot, adapted)))

    def counts_for(self, slot: int, qlang: str | None) -> bool:
        """Whether this encoder's similarity can count for a question in ``qlang``.

        A monolingual encoder says nothing about a question in another language,
        so the question is not even encoded with it (an English model costs more
        than the rest of a German search); nor where no article is in its languages.
        """
        langs = self.encoders[slot].languages
        if langs is None:
            return True
        return (qlang is None or qlang in langs) and bool(self.applies(slot).any())

    def _z_basis(self, slot: int, counted: np.ndarray) -> np.ndarray:
        """The articles whose scores set an encoder's z-scale: all counted ones, or,
        for an approximate (HNSW) index, those of them scored exactly (LoadedIndex.sampled)."""
        sampled = self.index.sampled[slot]
        if sampled is None:
            return counted
        basis = counted & sampled
        return basis if basis.sum() >= MIN_Z_SAMPLE else counted

    def applies(self, slot: int) -> np.ndarray:
        """Articles where this encoder's similarity counts (read-only, computed once)."""
        ok = self._applies.get(slot)
        if ok is None:
            langs = self.encoders[slot].languages
            ok = (np.ones(self.index.n_articles, dtype=bool) if langs is None
                  else np.isin(self.index.article_lang, list(langs)))
            ok.setflags(write=False)
            self._applies[slot] = ok
        return ok

    def similarities(self, text: str, qlang: str | None) -> list[np.ndarray | None]:
        """Per encoder, the question's similarity to every passage (None where the
        encoder cannot count for the question's language).

        Several encoders work at once, each on a core: the models release the
        interpreter lock, so a lone question waits for the slowest encoder, not
        for the sum of them.
        """
        slots = [slot for slot in range(len(self.encoders)) if self.counts_for(slot, qlang)]
        out: list[np.ndarray | None] = [None] * len(self.encoders)
        others = [(slot, _ENCODE_POOL.submit(self.batchers[slot].run, text)) for slot in slots[1:]]
        if slots:
            out[slots[0]] = self.batchers[slots[0]].run(text)
        for slot, future in others:
            out[slot] = future.result()
        return out

    def per_article(self, sims_by_slot: list[np.ndarray | None]) -> dict[tuple[int, int], np.ndarray]:
        """Each encoder's best passage score per article and view (``VIEWS``): the part
        of the dense evidence that reads every passage."""
        idx = self.index
        out = {}
        for slot, sims in enumerate(sims_by_slot):
            if sims is None:
                continue
            for k in KINDS:
                seg = idx.segments[k]
                out[slot, k] = np.maximum.reduceat(sims[seg.start:seg.stop], seg.article_starts)
            out[slot, HEAD] = self._head_maxima(sims)
        return out

    def _head_maxima(self, sims: np.ndarray) -> np.ndarray:
        if len(self._head_starts) != self.index.n_articles:  # an article without a title: no head view
            return np.full(self.index.n_articles, -1.0, dtype=np.float32)
        return np.maximum.reduceat(sims[self._head], self._head_starts)

    def refresh(self, per_article: dict[tuple[int, int], np.ndarray], sims_by_slot: list[np.ndarray | None],
                 slot: int, articles: np.ndarray) -> None:
        """Recompute ``per_article`` of one encoder for some articles only (after
        LoadedIndex.score_exactly changed their passages' scores), as per_article would."""
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
        per_article[slot, HEAD] = self._head_maxima(sims_by_slot[slot])

    def evidence(self, per_article: dict[tuple[int, int], np.ndarray], mask: np.ndarray
                 ) -> tuple[dict[str, np.ndarray], dict[tuple[int, int], float]]:
        """The ranker's dense columns (kb/search/ranker.py) and each encoder's best absolute
        cosine per passage kind among the counted articles (for ``answer_cosines``).

        Per role (``multi``: an encoder for every language, ``mono``: one limited to
        some languages) and view: the z-score of the per-article maximum over the
        counted articles, and its gap to the best counted article (an absolute
        cosine difference, zero for the best). Encoders of one role are averaged
        where they apply; articles where no encoder of a role applies get zeros.
        """
        n = self.index.n_articles
        sums = {name: np.zeros(n) for name in DENSE_COLUMNS}
        weight = {role: np.zeros(n) for role in ROLES}
        tops: dict[tuple[int, int], float] = {}
        for slot in sorted({slot for slot, _ in per_article}):
            applies = self.applies(slot)
            counted = mask & applies
            if not counted.any():
                continue
            basis = self._z_basis(slot, counted)
            mono = self.encoders[slot].languages is not None
            role = ROLES[mono]
            weight[role] += applies
            for k, view in zip(VIEWS, VIEW_NAMES):
                values = per_article[slot, k]
                top = float(values[counted].max())
                sums[f"{role}_z_{view}"] += np.where(applies, z_scores(values, basis), 0.0)
                sums[f"{role}_gap_{view}"] += np.where(applies, values - top, 0.0)
                if k != HEAD:
                    tops[slot, k] = top
        columns = {name: np.divide(v, weight[name.split("_")[0]], out=np.zeros(n),
                                   where=weight[name.split("_")[0]] > 0) for name, v in sums.items()}
        columns["mono_applies"] = (weight["mono"] > 0).astype(np.float64)
        return columns, tops

    def encoded_question(self, slot: int, text: str) -> np.ndarray:
        """The question's vector as the encoder gives it, before any adapter: from the
        cache the search just filled (it holds these, so each adapter applies on top)."""
        key = (slot, self.encoder_text(text))
        vector = self.qcache.get(key)
        if vector is None:  # pushed out by concurrent searches in the meantime
            vector = self.encoders[slot].encode([key[1]])[0]
            self.qcache.put(key, vector)
        return vector

    def question_vector(self, slot: int, text: str) -> np.ndarray:
        """The question's vector by one encoder before the help centre's adapter."""
        return self.model_adapted(slot, self.encoded_question(slot, text)[None, :])[0]

    def query_vector(self, slot: int, text: str) -> np.ndarray:
        """The question's vector as searched by one encoder (see ``searched``)."""
        return self.searched(slot, self.question_vector(slot, text)[None, :])[0]

    def encoded_similarity(self, text: str, lang: str, passages: np.ndarray, sims_by_slot) -> np.ndarray:
        """The mean cosine of the question's vector as encoded, before any adapter, with
        ``passages`` (of an article in ``lang``), over the encoders that count for it; -1
        where none has a vector. The adapters move a question towards the content that
        answers it, the model's by an amount fitted across help centres and a help
        centre's towards its own articles, so whether the question *is* one of the
        article's own questions, reworded, shows on the models' own scale only."""
        total = np.zeros(len(passages), dtype=np.float64)
        n = np.zeros(len(passages), dtype=np.int64)
        for slot, sims in enumerate(sims_by_slot):
            langs = self.encoders[slot].languages
            if sims is None or (langs is not None and lang not in langs):
                continue
            cosines, have = self._cosines(slot, self.encoded_question(slot, text), passages)
            total[have] += cosines
            n += have
        return np.where(n > 0, total / np.maximum(n, 1), -1.0)

    def _cosines(self, slot: int, vector: np.ndarray, passages: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosines of ``vector`` with those of ``passages`` this encoder has a vector for,
        and which those are."""
        vectors, have = self.index.dense[slot].passage_vectors(passages)
        return vectors[have] @ vector, have

    def answer_cosines(self, text: str, tops: dict[tuple[int, int], float], mask: np.ndarray,
                       fused: np.ndarray) -> dict[tuple[bool, int], float]:
        """The best absolute cosine per (monolingual encoder, passage kind) among the counted
        articles, for ``answered`` (kb/search/answer_model.py); ``tops`` per (encoder, kind)
        from ``evidence``.

        An encoder with a help centre's own adapter counts with the question's vector
        before it, over the first ``ANSWER_ARTICLES`` articles by ``fused``: that adapter
        is fitted to pull this help centre's questions towards its articles, so it raises
        the cosines of every question, off-topic ones too, by an amount particular to
        this help centre, which ``answered``, calibrated across help centres, cannot know.
        """
        best: dict[tuple[bool, int], float] = {}
        unfitted: dict[int, dict[int, float]] = {}
        for (slot, k), value in tops.items():
            if self.centre_maps[slot] is not None:
                if slot not in unfitted:
                    unfitted[slot] = self._unfitted_maxima(slot, text, mask & self.applies(slot), fused)
                value = unfitted[slot].get(k, value)
            mono = self.encoders[slot].languages is not None
            best[mono, k] = max(best.get((mono, k), -1.0), value)
        return best

    def _unfitted_maxima(self, slot: int, text: str, counted: np.ndarray, fused: np.ndarray) -> dict[int, float]:
        """Per passage kind, the best cosine of the question's vector before the help
        centre's adapter with the passages of the first counted articles by ``fused``."""
        scores = np.where(counted, fused, -np.inf)
        n = min(ANSWER_ARTICLES, int(counted.sum()))
        if n == 0:
            return {}
        articles = np.argpartition(-scores, n - 1)[:n]
        passages = np.concatenate([self.index.article_passages[a] for a in articles])
        cosines, have = self._cosines(slot, self.question_vector(slot, text), passages)
        kinds = self.index.kind[passages[have]]
        return {k: float(cosines[kinds == k].max()) for k in KINDS if (kinds == k).any()}

    def passage_similarity(self, lang: str, passages: np.ndarray, sims_by_slot) -> np.ndarray:
        """The mean similarity of an article's passages over the encoders that count for
        its language; zeros without one (e.g. only an English model): keywords decide."""
        counted = [sims[passages] for s, sims in enumerate(sims_by_slot) if sims is not None and (
            self.encoders[s].languages is None or lang in self.encoders[s].languages)]
        return np.mean(counted, axis=0) if counted else np.zeros(len(passages), dtype=np.float32)
