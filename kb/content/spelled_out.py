"""Personal data spelled out in words, for kb/content/privacy.py to mask.

Customers who fear that a form eats digits or the "@" write them as words: a phone
number as digit words ("null eins sieben sechs zwei drei …", "zero one seven six …"),
an e-mail address with "bei" or "at" and "punkt" or "dot" ("anna schmidt bei gmx punkt
de"). Five digits in a row are a number worth masking, as written in figures
(kb/content/privacy.py masks a phone number of six and more); fewer are a count or a
size ("eins zwei drei", "one two"). A run is spelled out when digit words make up at least
half of it, two at the least: a figure next to one digit word is a count ("12345 eins
davon", "am [date] zwei Pakete"). Words and figures are joined by spaces, commas and
hyphens only; a figure with a dot or slash in it is a date, a price or a version, and
privacy.py masks dates before it looks for digit words.

A local part read aloud may have a space in it ("anna schmidt bei gmx punkt de"): the
word before it goes with it unless it is a function word or says what follows ("meine
Mail ist …", "Kontakt: …"). "bei" is also the word for "at a shop" ("bestellt bei
amazon punkt de"), so after it the domain must be a mailbox provider's, or the local
part must look like an address (a spelled dot, digits or "_"); "at" follows the rule of
kb/content/privacy.py for addresses with a spelled dot.
"""

from __future__ import annotations

import re

from kb.content.introductions import NOT_NAMES

MIN_SPELLED_DIGITS = 5
MIN_DIGIT_WORDS = 2  # one digit word next to figures counts something ("12345 eins davon")
DIGIT_WORDS = ("null|eins|zwei|zwo|drei|vier|fünf|fuenf|sechs|sieben|acht|neun|"
               "zero|one|two|three|four|five|six|seven|eight|nine")
# the domains most customers' mailboxes are at ("anna bei gmx punkt de")
MAILBOX_PROVIDERS = frozenset({"gmx", "web", "gmail", "googlemail", "yahoo", "outlook", "hotmail", "live", "icloud",
                               "me", "aol", "t-online", "freenet", "posteo", "mailbox", "proton", "protonmail",
                               "arcor", "vodafone", "online", "mail", "gmx.net"})
# words before a local part that say an address follows and are no part of it
ADDRESS_CUES = frozenset({"mail", "e-mail", "email", "adresse", "mailadresse", "e-mailadresse", "address", "kontakt",
                          "contact", "lautet", "unter", "schreib", "schreibt", "schreiben", "write", "reach"})

# one digit word or one figure, whole: not part of a longer word, nor of a date, price or
# version ("12.11.2024", "4,95", "1/2"), which a dot, comma or slash between figures makes
_DIGIT_ITEM = rf"(?:(?:{DIGIT_WORDS})(?!\w)|\d++(?![\w./]|,\d))"
_DIGIT_JOINER = r"[\s,-]++"  # spaces, commas and hyphens: never a dot or slash, which make dates
# items joined by _DIGIT_JOINER; each item whole and the run possessive, so a run
# is read once from its first item and the search stays linear in the text's length
_DIGIT_RUN = re.compile(rf"(?<![\w./])(?<!\d[,-]){_DIGIT_ITEM}(?:{_DIGIT_JOINER}{_DIGIT_ITEM})++", re.I)
_SPOKEN_DOT = r"\s+(?:dot|punkt)\s+"
# [word] local part (with spelled dots) bei|at domain (punkt|dot label)+: every run possessive and
# each part starting where no address character stands before it, so the search stays linear
_NOT_AFTER_A_DOT = r"(?<!dot )(?<!punkt )"  # a chain "x punkt y punkt z" is read once, from its start
_SPOKEN_EMAIL = re.compile(
    rf"(?:(?<![\w.+-]){_NOT_AFTER_A_DOT}(?P<word>[^\W\d_]++)\s+)?(?<![\w.+-]){_NOT_AFTER_A_DOT}"
    rf"(?P<local>[\w.+-]++(?:{_SPOKEN_DOT}[\w+-]++)*+)"
    rf"\s+(?P<at>at|ät|bei)\s+(?P<domain>[\w-]++)(?:{_SPOKEN_DOT}[\w-]++)++", re.I)


def _digit_run(match: re.Match) -> str:
    """Five digits or more, at least half of them (and two) digit words; figures with fewer
    words are privacy.py's to judge."""
    text = match.group(0)
    words = sum(item.isalpha() for item in re.split(_DIGIT_JOINER, text))
    figures = sum(ch.isdigit() for ch in text)
    if words < MIN_DIGIT_WORDS or words < figures or words + figures < MIN_SPELLED_DIGITS:
        return text
    return "[number]"


def _spoken_email(match: re.Match) -> str:
    """The address as ``[email]``; the word before it too when it is the first word of a local
    part with a space ("anna schmidt bei gmx punkt de"), which only a mailbox provider makes likely."""
    provider = match.group("domain").lower() in MAILBOX_PROVIDERS
    looks_like_an_address = bool(re.search(r"[\d_.]|\s(?:dot|punkt)\s", match.group("local"), re.I))
    if match.group("at").lower() == "bei" and not provider and not looks_like_an_address:
        return match.group(0)  # "bestellt bei amazon punkt de": a shop
    word = match.group("word")
    if word and (not provider or word.lower() in NOT_NAMES or word.lower() in ADDRESS_CUES):
        return word + " [email]"  # "meine Mail ist [email]"
    return "[email]"


def mask_spelled_emails(text: str) -> str:
    """``text`` with e-mail addresses read aloud as ``[email]``."""
    return _SPOKEN_EMAIL.sub(_spoken_email, text)


def mask_spelled_digits(text: str) -> str:
    """``text`` with numbers in digit words as ``[number]``; dates are to be masked before."""
    return _DIGIT_RUN.sub(_digit_run, text)
