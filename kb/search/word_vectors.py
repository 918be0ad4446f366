"""Single words as vectors of the multilingual encoder, cached: customers use the same words.

The help centre's dictionary (kb/index/dictionary.py) holds the articles' words; a
question's words are encoded here, the same way, to be looked up in it
(kb/search/translation.py).
"""

from __future__ import annotations

import numpy as np

from kb.content.text import LETTER_WORD
from kb.encoders import Encoder
from kb.index.dictionary import unit
from kb.search.cache import LRU
from kb.search.query_language import FUNCTION_WORDS

MIN_LETTERS = 3  # "tv", "eu" and the like carry little and match anything
MAX_QUESTION_WORDS = 12  # bounds the encoding of a long message pasted into the search
CACHE_SIZE = 8192


def content_words(text: str, qlang: str) -> list[str]:
    """The question's content words, lower-cased, in order, each once (function words of its
    language left out)."""
    stop = FUNCTION_WORDS.get(qlang, set())
    words = [w for w in (m.lower() for m in LETTER_WORD.findall(text))
             if len(w) >= MIN_LETTERS and w not in stop]
    return list(dict.fromkeys(words))[:MAX_QUESTION_WORDS]


class WordVectors:
    """Unit vectors of single words by one encoder. Thread-safe."""

    def __init__(self, encoder: Encoder) -> None:
        self.encoder = encoder
        self._cache = LRU(CACHE_SIZE)

    def of(self, words: list[str]) -> np.ndarray:
        cached = {w: self._cache.get(w) for w in words}
        missing = [w for w, v in cached.items() if v is None]
        if missing:
            for w, v in zip(missing, unit(self.encoder.encode(missing))):
                cached[w] = v
                self._cache.put(w, v)
        return np.stack([cached[w] for w in words])
