"""The help centre's own words per language, as vectors of the multilingual encoder.

A question in a language none of the searched articles use ("cancel my order"
against a German help centre) shares no words with them, and the multilingual
encoder alone places it less precisely than the same question in their
language. The search therefore looks each of the question's words up among the
articles' words (kb/search/translation.py): this dictionary holds them, one
vector each, by the encoder that reads every language.

The words are the vocabulary's (kb/index/vocabulary.py): letters only, at least
``MIN_LETTERS`` long, no stop words, the ``MAX_WORDS`` most frequent per
language; each is marked public when a public article uses it, so a customer's
search looks up only words customers may read (the public words come first: a
customer's search reads the front of the table). One file per language,
``dictionary-<lang>.npz``; a rebuild encodes only the words the served build
does not have.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kb.content.text import LETTER_WORD

MIN_LETTERS = 4  # shorter words are mostly function words and abbreviations
MAX_WORDS = 10_000  # per language: bounds the build's encoding and the server's memory


@dataclass(frozen=True)
class Dictionary:
    """One language's words, whether a public article uses each, and their unit vectors."""

    words: np.ndarray  # (n,) str, public words first
    public: np.ndarray  # (n,) bool
    vectors: np.ndarray  # (n, dim) float32, unit rows

    @property
    def public_vectors(self) -> np.ndarray:
        """The public words' vectors (a view: they come first)."""
        return self.vectors[:int(self.public.sum())]


def path(build: Path, lang: str) -> Path:
    return build / f"dictionary-{lang}.npz"


def chosen_words(entry: dict) -> tuple[list[str], np.ndarray]:
    """The words of one language's vocabulary entry that the dictionary holds, the public
    ones first, each part most frequent first, and whether a public article uses each."""
    stems = entry.get("token_stems") or {}
    public = entry["public_word_counts"]
    words = [w for w, _ in sorted(entry["word_counts"].items(), key=lambda wc: (-wc[1], wc[0]))
             if len(w) >= MIN_LETTERS and LETTER_WORD.fullmatch(w) and stems.get(w) is not None]
    words = sorted(words[:MAX_WORDS], key=lambda w: w not in public)  # stable: by count within
    return words, np.array([w in public for w in words], dtype=bool)


def unit(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


def write(build: Path, lang: str, words: list[str], public: np.ndarray, vectors: np.ndarray) -> None:
    np.savez(path(build, lang), words=np.array(words, dtype=str), public=public,
             vectors=vectors.astype(np.float16))


def read(build: Path, lang: str) -> Dictionary:
    """One language's dictionary; OSError, ValueError or KeyError when it cannot be read."""
    with np.load(path(build, lang)) as z:
        words, public, vectors = z["words"], z["public"], z["vectors"]
    if not (len(words) == len(public) == len(vectors)):
        raise ValueError(f"{path(build, lang)}: {len(words)} words, {len(vectors)} vectors")
    if public[int(public.sum()):].any():
        raise ValueError(f"{path(build, lang)}: public words do not come first")
    return Dictionary(words, public.astype(bool), unit(vectors.astype(np.float32)))
