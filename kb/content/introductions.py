"""Names customers introduce themselves with, for kb/content/privacy.py to mask.

Two kinds of introduction precede a name. After "mein Name ist", "ich heiße", "my name
is" or "Name:" the words up to a mark, "und"/"and" or the end are the name, unless a
function word says otherwise ("my name is on the parcel"). After "ich bin", "hier ist",
"this is" or "I am" most words say how the customer is or what they write about ("ich bin
enttäuscht", "ich bin Kunde", "I am waiting", "this is broken", "hier ist das Problem",
"this is Apple Pay."), so the words there are a name only when they look like one:

* a first name of kb/content/first_names.py, capitalised or not ("hier ist Anna Schmidt.",
  "ich bin jonas becker. …", "ich bin die Petra Müller aus Köln"), with the surname after
  it: a capitalised word after a capitalised first name, or a word the name clearly ends
  with (a mark, a function word or the end follows it);
* a title and capitalised words ("hier ist Frau Schmidt");
* two or three capitalised words going on with a comma or "und" / "aus" / "and" / "from"
  ("ich bin Özlem Yılmaz, …", "I'm Sean O'Brien and …"), none of them a role or a day a shop
  talks about ("ich bin Klarna Nutzer, …", "this is Black Friday, right?").

A customer who writes only a surname after "ich bin" and a full stop is not found: the
words could as well be a product ("This is Apple Pay.").
"""

from __future__ import annotations

import re

from whoosh.lang import stopwords_for_language

from kb.content.first_names import is_first_name

MAX_NAME_WORDS = 3  # "Anna Maria Schmidt"
NOT_NAMES = frozenset(stopwords_for_language("de")) | frozenset(stopwords_for_language("en"))

# the introductions a name follows whatever it looks like (salutations.py cuts them, with
# the name's placeholder, from a question before it is searched)
INTRODUCTION_PHRASES = r"mein name ist|mein name lautet|ich heiße|ich heisse|my name is"
NAME_LABEL = r"(?:vor|nach|voller |first |last |full )?name\s*:"  # "Name: Anna Schmidt", "Vorname: Anna"
INTRODUCTION_WORDS = rf"{INTRODUCTION_PHRASES}|{NAME_LABEL}"
# the introductions a name follows only when it looks like one
SELF_INTRODUCTION_WORDS = r"(?:ich bin|hier ist|hier spricht|hier schreibt)(?:\s+(?:der|die))?|i['’]m|i am|this is"
TITLE_WORDS = r"frau|herr|mr|mrs|miss|dr|prof|ms(?=\.)"  # not "MS Teams"
ROLE_WORDS = frozenset({"kunde", "kundin", "neukunde", "neukundin", "stammkunde", "stammkundin", "premium",
                        "firmenkunde", "geschäftskunde", "gast", "mitglied", "nutzer", "nutzerin", "customer",
                        "member", "guest", "user", "new", "regular", "business", "prime", "plus", "vip",
                        # days and sales a shop talks about ("this is Black Friday, right?")
                        "black", "cyber", "friday", "monday", "tuesday", "wednesday", "thursday", "saturday",
                        "sunday", "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag",
                        "sonntag", "week", "woche", "sale", "christmas", "weihnachten", "easter", "ostern"})

_START = r"(?:^|(?<=[\s,.!?;:(-]))"
_INTRODUCED = re.compile(rf"{_START}(?:(?:{INTRODUCTION_PHRASES})\s+|{NAME_LABEL}\s*)", re.I)
_SELF_INTRODUCED = re.compile(rf"{_START}(?:{SELF_INTRODUCTION_WORDS})\s+", re.I)
_AFTER_AN_ARTICLE = re.compile(r"\s(?:der|die)\s+$", re.I)
_TITLES = re.compile(rf"(?:(?:{TITLE_WORDS})\.?\s+)+", re.I)
_NAME_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_BETWEEN_WORDS = re.compile(r"[ \t]+")  # the words of one name stand apart by spaces only
# what a name ends with: a mark or the end, after a strong introduction also "und" / "and"
_MARK_OR_END = re.compile(r"\s*(?:[,.;:!?)]|$)")
_AND = re.compile(r"\s+(?:und|and)\b", re.I)
# what two or three capitalised words go on with to be a name after a weak introduction
_GOES_ON = re.compile(r"\s*[,;]|\s+(?:und|and|aus|from|von|vom)\b", re.I)


def _words(text: str, pos: int, roles_end: bool) -> list[tuple[int, int]]:
    """Spans of up to MAX_NAME_WORDS words from ``pos``, apart by spaces only, up to a
    function word (and, with ``roles_end``, a role): the words a name may be."""
    spans: list[tuple[int, int]] = []
    while len(spans) < MAX_NAME_WORDS:
        word = _NAME_WORD.match(text, pos)
        if word is None or word.group().lower() in NOT_NAMES or (roles_end and word.group().lower() in ROLE_WORDS):
            break
        spans.append(word.span())
        gap = _BETWEEN_WORDS.match(text, word.end())
        if gap is None:
            break
        pos = gap.end()
    return spans


def _ends_a_name(text: str, pos: int) -> bool:
    """A mark, the end of the text or a function word follows ``pos``."""
    if _MARK_OR_END.match(text, pos):
        return True
    gap = _BETWEEN_WORDS.match(text, pos)
    word = _NAME_WORD.match(text, gap.end()) if gap else None
    return word is not None and word.group().lower() in NOT_NAMES


def _capitalised(word: str) -> bool:
    """Every part of a double name begins with a capital ("Hans-Peter", "O'Brien")."""
    return all(part[:1].isupper() for part in word.split("-") if part)


def _from_first_name(text: str, spans: list[tuple[int, int]]) -> tuple[int, int]:
    """A first name with the surname after it: further first names ("Anna Maria"), a
    capitalised word after a capitalised first name, or a word the name clearly ends with."""
    capitalised = _capitalised(text[slice(*spans[0])])
    end = spans[0][1]
    for start_of_word, end_of_word in spans[1:]:
        word = text[start_of_word:end_of_word]
        if is_first_name(word):
            end = end_of_word
            continue
        if (capitalised and _capitalised(word)) or _ends_a_name(text, end_of_word):
            end = end_of_word
        break
    return spans[0][0], end


def _strong_name(text: str, pos: int) -> tuple[int, int] | None:
    """The name after "mein Name ist" and the like: a first name with its surname, or the
    most words up to a mark, "und"/"and" or the end."""
    spans = _words(text, pos, roles_end=False)
    if not spans:
        return None
    if is_first_name(text[slice(*spans[0])]):
        return _from_first_name(text, spans)
    for last in reversed(spans):
        if _MARK_OR_END.match(text, last[1]) or _AND.match(text, last[1]):
            return spans[0][0], last[1]
    return None


def _weak_name(text: str, pos: int, after_article: bool) -> tuple[int, int] | None:
    """The name after "ich bin", "hier ist" and the like, when the words look like one."""
    titled = _TITLES.match(text, pos)
    spans = _words(text, titled.end() if titled else pos, roles_end=True)
    if not spans:
        return None
    words = [text[start:end] for start, end in spans]
    if titled:  # "Frau Schmidt", "Dr. Anna Schmidt": the capitalised words after the title
        count = next((n for n, word in enumerate(words) if not _capitalised(word)), len(words))
        return (spans[0][0], spans[count - 1][1]) if count else None
    if is_first_name(words[0]):
        return _from_first_name(text, spans)
    if after_article:  # "ich bin die Mutter, …": a noun, a name only when it is a first name
        return None
    for count in range(len(spans), 1, -1):  # two or three capitalised words going on as a name
        if all(_capitalised(w) for w in words[:count]) and _GOES_ON.match(text, spans[count - 1][1]):
            return spans[0][0], spans[count - 1][1]
    return None


def introduced_names(text: str) -> list[tuple[int, int]]:
    """Where names follow an introduction ("mein Name ist Anna Schmidt, ...", "hier ist Anna
    Schmidt.", "I'm John Smith and ..."): (start, end) of each, in order, none overlapping."""
    found = [_strong_name(text, cue.end()) for cue in _INTRODUCED.finditer(text)]
    found += [_weak_name(text, cue.end(), bool(_AFTER_AN_ARTICLE.search(cue.group())))
              for cue in _SELF_INTRODUCED.finditer(text)]
    spans: list[tuple[int, int]] = []
    for span in sorted(s for s in found if s is not None):
        if not spans or span[0] >= spans[-1][1]:
            spans.append(span)
    return spans
