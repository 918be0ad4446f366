"""A question in a language none of the searched articles use, asked in theirs as well.

An English question against a German help centre ("cancel my order") shares no
words with the articles, and the multilingual encoder places it less precisely
than the same question in German. So each of its content words is replaced by
the help centre's nearest word in the articles' language, by the multilingual
encoder (the build's dictionary, kb/index/dictionary.py): "cancel my order"
becomes "stornieren bestellung". The engine searches those words as a question
in that language and averages the two rankings, the translated one weighing
``WEIGHT`` (:meth:`kb.search.engine.SearchEngine.evidence`). A word whose
nearest entry is less similar than ``MIN_COSINE`` is left out: a word the help
centre has no counterpart for would otherwise bring an arbitrary one.
"""

from __future__ import annotations

import numpy as np

from kb.content.text import LETTER_WORD
from kb.encoders import Encoder
from kb.index.dictionary import unit
from kb.index.loaded import LoadedIndex
from kb.search.cache import LRU
from kb.search.query_language import FUNCTION_WORDS

MIN_COSINE = 0.5  # chosen on development questions (bench/RESULTS.md)
WEIGHT = 0.25  # the translated words' share of the ranking, chosen with MIN_COSINE
MIN_LETTERS = 3  # "tv", "eu" and the like carry little and match anything
MAX_QUESTION_WORDS = 12  # bounds the encoding of a long message pasted into the search
WORD_CACHE_SIZE = 8192  # word -> vector: customers use the same words


class Translator:
    """Word-by-word translation into the help centre's own words. Thread-safe."""

    def __init__(self, index: LoadedIndex, encoders: tuple[Encoder, ...]) -> None:
        self.index = index
        self.encoder = next((e for e in encoders if e.name == index.dictionary_encoder), None)
        self._vectors = LRU(WORD_CACHE_SIZE)

    def words(self, text: str, qlang: str) -> list[str]:
        """The question's content words, in order, each once."""
        stop = FUNCTION_WORDS.get(qlang, set())
        words = [w for w in (m.lower() for m in LETTER_WORD.findall(text))
                 if len(w) >= MIN_LETTERS and w not in stop]
        return list(dict.fromkeys(words))[:MAX_QUESTION_WORDS]

    def translate(self, text: str, qlang: str, lang: str, public: bool) -> str | None:
        """The question's words as the help centre's words of ``lang`` (public articles'
        words only for a public search); None when no word has a counterpart."""
        found = self.index.dictionary(lang)
        words = self.words(text, qlang)
        if self.encoder is None or found is None or not words or not len(found.words):
            return None
        similarity = self._word_vectors(words) @ found.vectors.T
        if public:
            similarity = np.where(found.public, similarity, -np.inf)
        best = similarity.argmax(axis=1)
        chosen = [str(found.words[j]) for i, j in enumerate(best) if similarity[i, j] >= MIN_COSINE]
        return " ".join(dict.fromkeys(chosen)) or None

    def _word_vectors(self, words: list[str]) -> np.ndarray:
        cached = {w: self._vectors.get(w) for w in words}
        missing = [w for w, v in cached.items() if v is None]
        if missing:
            for w, v in zip(missing, unit(self.encoder.encode(missing))):
                cached[w] = v
                self._vectors.put(w, v)
        return np.stack([cached[w] for w in words])
