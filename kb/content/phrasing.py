"""How customers' phrasings are compared: folded keys and near-duplicates.

Two phrasings are the same question when they differ only in case, accents,
umlaut spellings ("Rücksendung" / "Ruecksendung"), punctuation, hyphens and
apostrophes ("e-mail" / "email", "don't" / "dont"), or by a typo or two in a
longer phrasing. Learned questions (kb.ops.suggestions) and the ranker's match
of known customer phrasings (kb.search.question_match) use the same rule.
"""

from __future__ import annotations

import re
import unicodedata

from rapidfuzz.distance import OSA

from kb.content.text import MASKED
from kb.content.umlaut_spellings import written_out

_JOINERS = re.compile(r"['’`´\-‐–]")
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# Typos (insert, delete, replace or swap two neighbours: optimal string alignment)
# allowed by a folded key's length: none below 8 characters ("versand" vs
# "verband" is another word), one up to 19, two from 20 on.
SHORT_KEY = 8
LONG_KEY = 20
# Placeholders of masked personal data (kb.content.privacy) and of templated texts ({{Order Number}})
PLACEHOLDER = re.compile(MASKED.pattern + r"|\{\{[^}]*\}\}|\{[A-Za-z_ ]+\}")


def fold(text: str) -> str:
    """The comparison key of a phrasing: 'Wo ist mein Päckchen?' -> 'wo ist mein paeckchen'."""
    # German spellings without umlauts are common on foreign keyboards; both fold to one key
    text = written_out(unicodedata.normalize("NFC", text).casefold())
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = _JOINERS.sub("", text)
    return _NON_WORD.sub(" ", text).strip()


def allowed_edits(key: str) -> int:
    """How many single-character edits still make the same phrasing (see SHORT_KEY)."""
    n = len(key)
    return 0 if n < SHORT_KEY else 1 if n < LONG_KEY else 2


def same_phrasing(a: str, b: str) -> bool:
    """Whether two folded keys are near-duplicates under the rule above."""
    if a == b:
        return True
    allowed = allowed_edits(min(a, b, key=len))
    if not allowed or abs(len(a) - len(b)) > allowed:
        return False
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


def has_placeholder(text: str) -> bool:
    """True for a phrasing that held personal data (masked) or a template slot."""
    return bool(PLACEHOLDER.search(text))


def word_overlap(a: str, b: str) -> float:
    """Jaccard overlap of two folded keys' words: how little a second phrasing adds."""
    wa, wb = set(a.split()), set(b.split())
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / len(wa | wb)
