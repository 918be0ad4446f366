"""Whether a customer's word is a word no article of the help centre uses.

For the editors' report of missing vocabulary (kb/ops/insights/missing_words.py), a word
counts when

* a dictionary or frequency list of the question's language (or English, whose words
  customers of every language write) knows it: a typo or a name is no missing word;
* it is no everyday word of the question's language (:data:`EVERYDAY_FREQUENCY`), which
  says nothing about a topic even where no article uses it;
* no section of the index holds it in a field the keyword search reads (title, headings,
  text; tags, summary and questions), as that search analyses it in any of the help
  centre's languages (lemma, compound parts): "Rechnungen" is not missing where the
  articles say "Rechnung", nor "Kundenkonto" where they say "Konto".
"""

from __future__ import annotations

from collections.abc import Callable

from kb.index.keyword import FIELD_BOOSTS
from kb.index.loaded import LoadedIndex
from kb.search.typo_words import LOAN_LANGS, frequency, known_word

# a word more frequent than this (per word of text: 30 per million) in the question's language
# is an everyday word ("sagen", "gestern", "obwohl"), not the name of a topic an article lacks
EVERYDAY_FREQUENCY = 3e-5


def unused_word_test(index: LoadedIndex) -> Callable[[str, str | None], bool]:
    """(word, question language or None) -> the word is a real word no article uses."""
    every_section = range(len(index.sections))
    languages = tuple(index.languages)

    def unused(word: str, lang: str | None) -> bool:
        langs = (lang,) if lang in languages else languages
        if not known_word(word, dict.fromkeys((*langs, *LOAN_LANGS))):
            return False
        if max(frequency(word, x) for x in langs) > EVERYDAY_FREQUENCY:
            return False
        for article_lang in languages:
            found, analysed = index.keywords.words_in(word, article_lang, every_section, tuple(FIELD_BOOSTS))
            if found or not analysed:  # used, or a stop word there
                return False
        return True

    return unused
