"""Text as people can read it: what customers, agents and editors type, before it reaches a
database row, a page, an article file, a git log or a CSV file.

Control characters (NUL, escape sequences, the separators a git log is read back by),
invisible format characters (zero-width spaces) and bidi overrides (which make stored text
display as something else) are dropped; line breaks and tabs stay.
"""

from __future__ import annotations

import re
import string
import unicodedata

# zero-width (non-)joiners: invisible format characters with a job inside emoji and words
JOINERS = "\u200c\u200d"
# bidirectional overrides and isolates
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")


def without_controls(value: str) -> str:
    """``value`` without control, invisible format characters and bidi overrides; line
    breaks (as ``\\n``) and tabs kept."""
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    value = _BIDI_CONTROLS.sub("", value)
    return "".join(ch for ch in value if ch in "\n\t" or ch in JOINERS
                   or unicodedata.category(ch) not in ("Cc", "Cs", "Cf"))


def clean_text(value: str) -> str:
    """Free text as people can read it, trimmed; empty when nothing visible is left."""
    value = without_controls(value).strip()
    return value if value.strip(JOINERS + string.whitespace) else ""


def one_line(value: str) -> str:
    """``value`` as one line of visible text (a change note, a subject)."""
    return " ".join(clean_text(value).split())
