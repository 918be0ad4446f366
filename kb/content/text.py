"""Words of free text, one definition for the whole pipeline: folding, word patterns, stemming.

Several word patterns exist on purpose, each named for what it matches:

* ``WORD_CHARS`` — runs of ``\\w`` (letters, digits and ``_``): the keyword index's
  spelling words and the catalogue's title words.
* ``LETTER_WORD`` — letters only: function words and vocabulary that tell a
  question's language; digits say nothing about it.
* ``ALNUM_WORD`` — letters and digits without ``_``: the words insights groups by.
* ``WHOOSH_TOKEN`` — Whoosh's default tokenizer pattern (``3.5``, ``e.g`` stay one
  token), for spans that must match what the keyword analyzer saw.

Stemming goes through the keyword index's analyzer of a language, so highlights,
coverage and the keyword search agree on what a word's stem is: German uses
dictionary lemmas with compound parts, English lemminflect's lemmas (both
kb/content/word_forms.py), other languages Whoosh's Snowball stemmer; all drop
stop words.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import lru_cache
from itertools import islice

from whoosh.analysis import LanguageAnalyzer, StemmingAnalyzer
from whoosh.lang import stemmer_for_language

from kb.content.word_forms import english_analyzer, lemma_analyzer

WORD_CHARS = re.compile(r"\w+")
LETTER_WORD = re.compile(r"[^\W\d_]+")
ALNUM_WORD = re.compile(r"[^\W_]+")
WHOOSH_TOKEN = re.compile(r"\w++(?:\.\w++)*")  # possessive: linear however it is matched
# what kb.content.privacy.mask_pii writes in place of personal data; text holding one is
# never learned as a question and its placeholders never count as words
MASKED_KINDS = ("number", "date", "email", "iban", "code", "voucher", "address", "password", "name", "attachment")
MASKED = re.compile(r"\[(?:" + "|".join(MASKED_KINDS) + r")\]")

MAX_CACHED_STEMS = 200_000  # words per language; a help centre's vocabulary fits many times
SNOWBALL_CACHE = 65_536


def fold(text: str) -> str:
    """Case- and accent-insensitive form: 'Rücksendung' -> 'rucksendung', 'Straße' -> 'strasse'.

    ``casefold`` turns ß into ss; NFKD splits accented letters into base letter
    and combining mark, and the marks are dropped.
    """
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# language -> add compound parts and word-family roots; English has its own word families
# (kb/content/word_forms.py says why not simplemma's)
LEMMA_LANGS = {"de": True}


def analyzer_for(lang: str):
    """Lemmas (and compound parts) for German; lemminflect's lemmas for English (Snowball's
    "packag" joined "package" and "packaging", bench/RESULTS.md, "English keyword
    analysis"); Snowball stemming + stop words where Whoosh has them; plain stemming
    otherwise."""
    if lang in LEMMA_LANGS:
        return lemma_analyzer(lang, LEMMA_LANGS[lang], families=LEMMA_LANGS[lang])
    if lang == "en":
        return english_analyzer()
    try:
        return LanguageAnalyzer(lang)
    except Exception:
        return StemmingAnalyzer()


def analyzer_description(lang: str) -> str:
    """How ``analyzer_for(lang)`` analyses, in words (recorded in the index manifest)."""
    if lang in LEMMA_LANGS:
        parts = (" + compound parts (compound-split, linking s; of verbs only a separable verb's verb)"
                 " + verb/-ung family roots"
                 if LEMMA_LANGS[lang] else "")
        return f"simplemma lemmas{parts} + stop words"
    if lang == "en":
        return "lemminflect lemmas (-ing nouns as simplemma keeps them, Snowball for unknown words) + stop words"
    try:
        LanguageAnalyzer(lang)
        return f"whoosh LanguageAnalyzer('{lang}'): snowball stemmer + stop words"
    except Exception:
        return "whoosh StemmingAnalyzer (English stemmer)"


def analyzed(analyzer, text: str) -> list[str]:
    """The distinct terms of ``text`` by ``analyzer``, in order of first appearance."""
    return list(dict.fromkeys(t.text for t in analyzer(text)))


_local = threading.local()
_STEMS: dict[str, dict[str, str | None]] = {}  # lang -> word -> stem (None: stop word)


def remember_stems(lang: str, stems: dict[str, str | None]) -> None:
    """Add stems this language's analyzer gave elsewhere to the cache ``stem`` reads: the
    build's, of every lowercased word of the articles (kb/index/vocabulary.py), so that
    highlighting a snippet of any article stems no word again."""
    cache = _STEMS.setdefault(lang, {})
    room = MAX_CACHED_STEMS - len(cache)
    if room > 0:
        cache.update(islice(stems.items(), room))


def stem(lang: str, word: str) -> str | None:
    """Stem of one word with this language's analyzer (None for a stop word), from a
    cache all threads share.

    Whoosh's analyzer chain runs in Python token by token, and snippets repeat the
    same words, whichever of the server's threads answers. Dict reads and writes
    are atomic; two threads may stem the same new word, with the same result.
    The analyzers are per thread: Whoosh's own caches are not thread-safe.
    """
    stems = _STEMS.get(lang)
    if stems is None:
        stems = _STEMS.setdefault(lang, {})
    found = stems.get(word, False)
    if found is False and not word.islower():
        # every analyzer lowercases first: "Paket" is stemmed as "paket" is (unless lowering
        # changes the word's length, as for "İ", and with it what the tokenizer sees)
        lower = word.lower()
        if len(lower) == len(word):
            found = stems.get(lower, False)
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


_SNOWBALL: dict[str, object] = {}


@lru_cache(maxsize=SNOWBALL_CACHE)
def snowball_stem(word: str, lang: str) -> str:
    """The bare Snowball stem of an already folded word (no lower-casing, no stop words)."""
    stemmer = _SNOWBALL.get(lang)
    if stemmer is None:
        stemmer = _SNOWBALL[lang] = stemmer_for_language(lang)
    return stemmer(word)
