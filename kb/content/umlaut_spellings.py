"""German words with and without umlauts: "Rückerstattung" is also written "Rueckerstattung".

A keyboard without umlauts writes ä, ö, ü as ae, oe, ue and ß as ss. The search
(kb/search/umlauts.py), the customers' phrasings (kb/content/phrasing.py) and the
inbox's text search (kb/ops/inbox.py) all read both spellings as one word, from
this one table.
"""

from __future__ import annotations

import re
from itertools import product

# the ways of writing each letter without it; "ss" also stands for itself
WRITTEN_OUT = {"ae": "ä", "oe": "ö", "ue": "ü", "ss": "ß"}
_WRITING_OUT = str.maketrans({umlaut: pair for pair, umlaut in WRITTEN_OUT.items()})
_PAIR = re.compile("|".join(WRITTEN_OUT))
MAX_PAIRS = 4  # spellings tried per word: 2 ** MAX_PAIRS; longer words keep their first pairs' choices


def written_out(text: str) -> str:
    """The text with every umlaut and ß written out: "Größe" → "Groesse"."""
    return text.translate(_WRITING_OUT)


def has_written_out_pair(word: str) -> bool:
    """Whether the word holds a pair that may stand for an umlaut or ß."""
    return _PAIR.search(word) is not None


def spellings(word: str) -> list[str]:
    """Every way of reading the word's written-out pairs as umlauts or ß, the word as
    typed first (lower case)."""
    word = word.lower()
    pairs = list(_PAIR.finditer(word))[:MAX_PAIRS]
    out = []
    for choice in product((False, True), repeat=len(pairs)):
        parts, at = [], 0
        for m, restore in zip(pairs, choice):
            parts.append(word[at:m.start()])
            parts.append(WRITTEN_OUT[m.group(0)] if restore else m.group(0))
            at = m.end()
        out.append("".join(parts) + word[at:])
    return out
