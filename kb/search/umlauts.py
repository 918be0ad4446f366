"""German words typed without umlauts: "rueckerstattung" is "rückerstattung".

A customer on a keyboard without umlauts writes ä, ö, ü as ae, oe, ue and ß as ss.
That is a spelling, not a typo: the words are unambiguous, but neither the keyword
analysis nor the multilingual encoder reads "rueckerstattung" as the word the articles
use (bench/RESULTS.md). The speller cannot take it up either: it corrects only when a
correction changes whether the question is answered, and a restored umlaut is two edits.

So a word written that way is restored before the search when it is unknown as typed
(to the help centre and to the German and English dictionaries: "neue", "queue",
"aktuell", "wissen" stay) and one of its restored spellings is known: the help
centre's own word first, else a German dictionary word, else a German compound of
known parts ("versandgebuehren"), but not by "ss" as "ß": both are words in compounds
("Massenbestellung" is no "Maßenbestellung"). A German dictionary's own spelling without umlauts
("fuer", "strasse") gives way only to the help centre's word.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kb.content.umlaut_spellings import has_written_out_pair, spellings
from kb.content.word_forms import compound_parts, dictionary_word

_WORD = re.compile(r"[^\W\d_]+")
# longer words are names, codes or keyboard mashing: looking their spellings up in the
# dictionaries only costs time (kb/search/typo_words.py bounds its work the same way)
MAX_WORD_CHARS = 30
MAX_LOOKED_UP = 8  # words per question whose spellings are looked up; a question has fewer


def restored_word(word: str, in_help_centre: Callable[[str], bool], budget: list[int] | None = None) -> str | None:
    """The spelling with umlauts of a word typed without them, None when it needs none;
    ``budget`` counts down the words of the question that may still be looked up."""
    typed = word.lower()
    if len(typed) > MAX_WORD_CHARS or not has_written_out_pair(typed) or in_help_centre(typed) or \
            dictionary_word(typed, "en"):
        return None
    if budget is not None:
        if budget[0] <= 0:
            return None
        budget[0] -= 1
    found = _restored(typed, in_help_centre)
    if found is None:
        return None
    return found.capitalize() if word[:1].isupper() else found


def _restored(typed: str, in_help_centre: Callable[[str], bool]) -> str | None:
    candidates = spellings(typed)[1:]
    found = next((c for c in candidates if in_help_centre(c)), None)
    if found is None and not dictionary_word(typed, "de"):
        found = next((c for c in candidates if dictionary_word(c, "de")), None) or \
            next((c for c in candidates if "ß" not in c and compound_parts(c)), None)
    return found


def restore_umlauts(text: str, in_help_centre: Callable[[str], bool]) -> str:
    """The question with each word typed without umlauts written with them."""
    budget = [MAX_LOOKED_UP]
    return _WORD.sub(lambda m: restored_word(m.group(0), in_help_centre, budget) or m.group(0), text)
