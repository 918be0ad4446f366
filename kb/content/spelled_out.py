"""Personal data spelled out in words, for kb/content/privacy.py to mask.

Customers who fear that a form eats digits or the "@" write them as words: a phone
number as digit words ("null eins sieben sechs zwei drei …", "zero one seven six …"),
an e-mail address with "bei" or "at" and "punkt" or "dot" ("anna schmidt bei gmx punkt
de"). Five digits in a row are a number worth masking, as written in figures
(kb/content/privacy.py masks a phone number of six and more); fewer are a count or a
size ("eins zwei drei", "one two").

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
DIGIT_WORDS = ("null|eins|zwei|zwo|drei|vier|fünf|fuenf|sechs|sieben|acht|neun|"
               "zero|one|two|three|four|five|six|seven|eight|nine")
# the domains most customers' mailboxes are at ("anna bei gmx punkt de")
MAILBOX_PROVIDERS = frozenset({"gmx", "web", "gmail", "googlemail", "yahoo", "outlook", "hotmail", "live", "icloud",
                               "me", "aol", "t-online", "freenet", "posteo", "mailbox", "proton", "protonmail",
                               "arcor", "vodafone", "online", "mail", "gmx.net"})
# words before a local part that say an address follows and are no part of it
ADDRESS_CUES = frozenset({"mail", "e-mail", "email", "adresse", "mailadresse", "e-mailadresse", "address", "kontakt",
                          "contact", "lautet", "unter", "schreib", "schreibt", "schreiben", "write", "reach"})

_DIGIT_RUN = re.compile(rf"(?<![\w])(?:{DIGIT_WORDS}|\d+)(?:[\s,./-]+(?:{DIGIT_WORDS}|\d+))+(?![\w])", re.I)
_DIGIT_WORD = re.compile(rf"{DIGIT_WORDS}", re.I)
_SPOKEN_DOT = r"\s+(?:dot|punkt)\s+"
# [word] local part (with spelled dots) bei|at domain (punkt|dot label)+: every run possessive and
# each part starting where no address character stands before it, so the search stays linear
_NOT_AFTER_A_DOT = r"(?<!dot )(?<!punkt )"  # a chain "x punkt y punkt z" is read once, from its start
_SPOKEN_EMAIL = re.compile(
    rf"(?:(?<![\w.+-]){_NOT_AFTER_A_DOT}(?P<word>[^\W\d_]++)\s+)?(?<![\w.+-]){_NOT_AFTER_A_DOT}"
    rf"(?P<local>[\w.+-]++(?:{_SPOKEN_DOT}[\w+-]++)*+)"
    rf"\s+(?P<at>at|ät|bei)\s+(?P<domain>[\w-]++)(?:{_SPOKEN_DOT}[\w-]++)++", re.I)


def _digit_run(match: re.Match) -> str:
    """Five digits or more with at least one digit word; figures alone are privacy.py's to judge."""
    words = _DIGIT_WORD.findall(match.group(0))
    figures = sum(ch.isdigit() for ch in match.group(0))
    if not any(w.isalpha() for w in match.group(0).split()) or len(words) + figures < MIN_SPELLED_DIGITS:
        return match.group(0)
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


def mask_spelled_out(text: str) -> str:
    """``text`` with e-mail addresses read aloud as ``[email]`` and digit words as ``[number]``."""
    text = _SPOKEN_EMAIL.sub(_spoken_email, text)
    return _DIGIT_RUN.sub(_digit_run, text)
