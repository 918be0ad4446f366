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

from kb.index.loaded import LoadedIndex
from kb.search.word_vectors import WordVectors, content_words

MIN_COSINE = 0.5  # chosen on development questions (bench/RESULTS.md)
WEIGHT = 0.25  # the translated words' share of the ranking, chosen with MIN_COSINE


class Translator:
    """Word-by-word translation into the help centre's own words. Thread-safe."""

    def __init__(self, index: LoadedIndex, words: WordVectors | None) -> None:
        self.index = index
        self.words = words

    def translate(self, text: str, qlang: str, lang: str, public: bool) -> str | None:
        """The question's words as the help centre's words of ``lang`` (public articles'
        words only for a public search); None when no word has a counterpart."""
        found = self.index.dictionary(lang)
        asked = content_words(text, qlang)
        if self.words is None or found is None or not asked:
            return None
        vectors = found.public_vectors if public else found.vectors
        if not len(vectors):
            return None
        similarity = self.words.of(asked) @ vectors.T
        best = similarity.argmax(axis=1)
        chosen = [str(found.words[j]) for i, j in enumerate(best) if similarity[i, j] >= MIN_COSINE]
        return " ".join(dict.fromkeys(chosen)) or None
