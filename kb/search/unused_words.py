"""Which word no article of the help centre uses a customer's word stands for.

For the editors' report of missing vocabulary (kb/ops/insights/missing_words.py), a word
is first read as the search reads it (kb/search/word_reading.py): with umlauts where typed
without them, a typo as the word it was meant to be, an unknown word as the speller's
correction towards the articles' words. A word the search reads as an article's word is
answered, not missing ("lapel" in a German question is searched as "label"). What it is read
as counts when

* it is a word: a dictionary or frequency list of the question's language (or English,
  whose words customers of every language write) knows it, or it is a German compound of
  such words or of a verb's stem ("rücksende|etikett"), which no dictionary holds all of;
  a typo the search cannot repair is no word, nor is a name;
* it is no everyday word of the question's language (:data:`EVERYDAY_FREQUENCY`), which
  says nothing about a topic even where no article uses it;
* no section of the index holds it in a field the keyword search reads (title, headings,
  text; tags, summary and questions), as that search analyses it in any of the help
  centre's languages (lemma, compound parts): "Rechnungen" is not missing where the
  articles say "Rechnung", nor "Kundenkonto" where they say "Konto".
"""

from __future__ import annotations

from collections.abc import Callable

from kb.content.word_forms import compound_parts, dictionary_word, verb_stem
from kb.index.keyword import FIELD_BOOSTS
from kb.index.loaded import LoadedIndex
from kb.search.typo_words import LOAN_LANGS, frequency, known_word
from kb.search.word_reading import WordReading

# a word more frequent than this (per word of text: 30 per million) in the question's language
# is an everyday word ("sagen", "gestern", "obwohl"), not the name of a topic an article lacks
EVERYDAY_FREQUENCY = 3e-5
COMPOUND_LANG = "de"  # the help centre language whose compounds no dictionary holds all of

# (lower-case word, question language or None) -> the word the search reads it as
ReadWord = Callable[[str, "str | None"], str]
# (lower-case word as typed, question language or None) -> the word no article uses that it
# stands for, or None
MissingWordReader = Callable[[str, "str | None"], "str | None"]


def missing_word_reader(index: LoadedIndex, read: ReadWord | None = None) -> MissingWordReader:
    """(word as typed, question language or None) -> the word the search reads it as, when
    that is a real word no article uses; None when the word is an article's (as typed or as
    read), no word, or an everyday one. ``read``: the engine's ``read_word``, whose caches
    are the reports' own, not its searches'; by default one built from the index's vocabulary."""
    read = read or WordReading.of_index(index)
    languages = tuple(index.languages)

    def reads_as(word: str, lang: str | None) -> str | None:
        langs = (lang,) if lang in languages else languages
        # cheap checks first: a word the articles use as typed is answered, and an everyday word
        # is in no row, whatever the speller would read it as
        if _everyday(word, langs) or _used(index, word):
            return None
        meant = read(word, lang).lower()
        if not (known_word(meant, dict.fromkeys((*langs, *LOAN_LANGS))) or _compound_word(meant, langs)):
            return None
        if meant != word and (_everyday(meant, langs) or _used(index, meant)):
            return None
        return meant

    return reads_as


def _everyday(word: str, langs: tuple[str, ...]) -> bool:
    """Whether the word is an everyday word of one of the languages (:data:`EVERYDAY_FREQUENCY`)."""
    return max(frequency(word, x) for x in langs) > EVERYDAY_FREQUENCY


def _used(index: LoadedIndex, word: str) -> bool:
    """Whether a section of the index holds the word in a field the keyword search reads, as
    that search analyses it in any of the help centre's languages, or it is a stop word there."""
    every_section = range(len(index.sections))
    for article_lang in index.languages:
        found, analysed = index.keywords.words_in(word, article_lang, every_section, tuple(FIELD_BOOSTS))
        if found or not analysed:  # used, or a stop word there
            return True
    return False


def _compound_word(word: str, langs: tuple[str, ...]) -> bool:
    """Whether the word is a German compound whose every part is a dictionary word, a
    compound itself or a verb's stem: "rücksendeetikett" is "rücksende|etikett", while a typo
    in a part ("newslettr", "rechnugsadresse") leaves a part that is none of them."""
    if COMPOUND_LANG not in langs:
        return False
    parts = compound_parts(word)
    return bool(parts) and all(dictionary_word(p, COMPOUND_LANG) or verb_stem(p) or compound_parts(p)
                               for p in parts)
