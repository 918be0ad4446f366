"""Names of people anywhere in a customer's text, for kb/content/privacy.py to mask as ``[name]``.

kb/content/introductions.py finds the name a customer introduces themselves with ("mein Name
ist …", "ich bin …", "hier ist …") and kb/content/salutations.py the one signed under the text.
Customers name people elsewhere too: whom a parcel goes to ("Lieferung an Petra Schulze"), whom
they spoke to ("frau müller hat gesagt …"), themselves in passing ("Kevin here, …"). Three
shapes are read here, each written so that an ordinary question does not look like it:

* a title with the name after it ("Frau Müller", "frau müller", "Herr Dr. Özdemir", "Familie
  Yilmaz", "Mr John Smith"): the title stays ("frau [name]"), as it says whom the customer
  means without saying who. A title after an article or a possessive is a noun ("meine Frau",
  "die ganze Familie", "der Herr der Ringe"), and a word after it a name only when no function
  word, role or (in lower case) German verb, adjective or adverb is ("Frau hat", "frau
  möglich"); a first name takes the surname after it ("Frau Anna Schmidt").
* a first name of kb/content/first_names.py with a surname: capitalised both anywhere ("Petra
  Schulze"), in lower case only after a word that says a person follows ("lieferung an petra
  schulze", "für anna schmidt", "from john smith"): "paul hewitt uhr" is a watch.
* a first name, with its surname or not, and "here" / "hier" at the start of the text or of a
  sentence, a mark or a question going on after it ("Kevin here, where is my order?", "Hallo,
  Anna Schmidt hier. …", "kevin hier wo ist mein paket").

Brands and days named like people ("Tom Tailor", "Dr. Martens", "Maria Himmelfahrt") stay. A
surname alone ("Schulze hat angerufen") is not found: any capitalised German noun looks like one.
Every pattern reads one word at a time and never goes back over words (tests/test_privacy.py
times hostile text), so a 4,000-character question costs what its words cost.
"""

from __future__ import annotations

import re

from kb.content.first_names import CAPITALISED_ONLY, FIRST_NAMES, is_first_name
from kb.content.introductions import NOT_NAMES, ROLE_WORDS
from kb.content.word_forms import german_lower_case_word

# titles a name follows, written with or without their full stop ("Hr. Meier", "Mr Smith");
# "Ms" only as written so or with its full stop ("MS Teams", "ms office" stay), "Fr." (also
# Friday) and "Hr." only with theirs
TITLE_WORDS = (r"frau|herrn?|familie|fam\.|fr\.|hr\.|mrs?\.?|ms\.|(?-i:Ms)|miss|dr\.?|prof\.?|"
               r"med\.|dent\.|phil\.|jur\.")
# titles that are also ordinary words in lower case ("I miss items", "Ms"): a name after them
# only when capitalised
CAPITALISED_NAME_TITLES = frozenset({"miss", "ms"})
# words before a title that make it a noun: "meine Frau", "die ganze Familie", "der Herr"
NOUN_BEFORE = frozenset({
    "die", "der", "den", "dem", "des", "das", "eine", "einer", "einem", "einen", "ein",
    "meine", "meiner", "meinem", "meinen", "mein", "deine", "deiner", "deinem", "deinen", "dein",
    "seine", "seiner", "seinem", "seinen", "sein", "ihre", "ihrer", "ihrem", "ihren", "ihr",
    "unsere", "unserer", "unserem", "unseren", "unser", "eure", "eurer", "eurem", "euren", "euer",
    "jede", "jeder", "jedem", "jeden", "diese", "dieser", "diesem", "diesen", "welche", "welcher",
    "keine", "keiner", "keinem", "keinen", "ganze", "ganzen", "gesamte", "gesamten", "eigene",
    "eigenen", "junge", "jungen", "ältere", "älteren", "alte", "alten", "nette", "netten",
    "große", "großen", "kleine", "kleinen",
    "my", "your", "his", "her", "our", "their", "the", "a", "this", "that", "whole", "entire"})
# courtesies, which are no name ("for john please", "Hauptstraße 12, ok?"): the German
# dictionary holds "bitte" and "danke" as verb forms, but not "please" or "ok"
COURTESY_WORDS = frozenset({"please", "pls", "plz", "thanks", "thank", "thx", "danke", "bitte", "hi", "hallo",
                            "hello", "hey", "ok", "okay"})
# the words before a first name that say a person follows, in lower case too
PERSON_FOLLOWS = frozenset({"an", "für", "fuer", "von", "to", "for", "from", "attn", "c/o"})
# the words "here" / "hier" go on with when a customer names themselves: a question's first word
QUESTION_OPENERS = (r"ich|mein|meine|wo|wie|was|wann|warum|wieso|weshalb|habe|hab|hätte|kann|könnt|könnten|"
                    r"bitte|i|my|where|how|what|when|why|can|could|would|is|please")
WORD_BEFORE_CHARS = 40  # how far back the word before a title or a name is looked for
# first names that are often a word, a brand or a place when capitalised ("Max Größe", "Jordan
# Schuhe", "Austin Texas"): a name with its surname only after a word that says a person follows
NEEDS_CONTEXT = CAPITALISED_ONLY | frozenset({"jordan", "austin", "madison", "virginia"})
SAINT_WORDS = frozenset({"sankt", "st", "heilige", "heiligen", "saint"})  # "Sankt Martin Laterne"
MAX_FIRST_NAMES = 2  # "Anna Maria Schmidt": first names, then the surname
# (first word, next word) in lower case: brands, products and days named like people
NOT_PERSONS = frozenset({
    ("dr", "martens"), ("dr", "oetker"), ("dr", "hauschka"), ("dr", "scholl"), ("dr", "best"),
    ("dr", "pepper"), ("dr", "beckmann"), ("dr", "brandt"), ("mr", "proper"), ("mr", "muscle"),
    ("tom", "tailor"), ("ralph", "lauren"), ("paul", "hewitt"), ("peter", "hahn"), ("emma", "matratze"),
    ("emma", "matratzen"), ("maria", "himmelfahrt"), ("maria", "lichtmess"), ("tim", "mälzer"),
    ("anna", "field"), ("kate", "spade"), ("jessica", "simpson"), ("michael", "kors"), ("christian", "dior"),
    ("christian", "louboutin"), ("karl", "lagerfeld"), ("betty", "barclay"), ("hugo", "boss"),
    ("tommy", "hilfiger"), ("calvin", "klein"), ("marc", "cain"), ("marc", "jacobs"), ("jack", "wolfskin"),
    ("giorgio", "armani"), ("gerry", "weber"), ("tom", "ford"), ("ted", "baker"), ("fred", "perry"),
    ("paul", "smith"), ("stella", "mccartney"), ("steve", "madden")})

_WORD = re.compile(r"[^\W\d_][\w'’-]*+")
_LETTERS = re.compile(r"[^\W\d_]++")  # the parts of words ("hans", "peter" of "Hans-Peter")
_HERE_WORD = re.compile(r"\bh(?:ere|ier)\b", re.I)
_GAP = re.compile(r"[ \t]+")  # the words of one name stand apart by spaces only
_TITLES = re.compile(rf"(?<![\w.-])(?:(?:{TITLE_WORDS})(?:(?<=\.)|(?!\w))[ \t]*)+", re.I)
_WORD_BEFORE = re.compile(r"([^\W\d_][\w/]*)[ \t]+$")
# "Kevin here", "Anna Schmidt hier": at the start of the text or a sentence, after a greeting
_SENTENCE_START = r"(?:^|(?<=[.!?,;:\n]))[ \t]*(?:(?:hi|hallo|hello|hey|moin|servus)[ \t]*[,!]?[ \t]+)?"
_HERE = re.compile(rf"{_SENTENCE_START}(?P<name>[^\W\d_][\w'’-]*+(?:[ \t]+[^\W\d_][\w'’-]*+)?)[ \t]+(?:here|hier)"
                   rf"(?=[ \t]*(?:[,.;:!?)–—-]|$)|[ \t]+(?:{QUESTION_OPENERS})\b)", re.I | re.M)


def _capitalised(word: str) -> bool:
    return word[:1].isupper()


def _could_be_a_name(word: str, capitalised_only: bool = False) -> bool:
    """A word a name may be: no function word, role or courtesy; in lower case (where the title
    allows it) no verb, adjective or adverb either ("frau möglich", "herr bestellt"), which
    leaves lower-case surnames that are words too ("frau klein") to their capitalised form."""
    lowered = word.lower()
    if lowered in NOT_NAMES or lowered in ROLE_WORDS or lowered in COURTESY_WORDS:
        return False
    if _capitalised(word):
        return True
    return not capitalised_only and not german_lower_case_word(lowered)


def _next_word(text: str, pos: int) -> re.Match | None:
    """The word right after ``pos`` past spaces (not across a line or a mark), or None."""
    gap = _GAP.match(text, pos)
    return _WORD.match(text, gap.end()) if gap else None


def _a_noun_here(text: str, start: int) -> bool:
    """Whether the title at ``start`` is a noun: an article, a possessive or an adjective
    stands before it ("meine Frau", "die ganze Familie"); "Liebe Frau Müller" greets her."""
    word = _WORD_BEFORE.search(text[max(0, start - WORD_BEFORE_CHARS):start])
    return word is not None and word.group(1).lower() in NOUN_BEFORE


def _name_after(text: str, pos: int, capitalised_only: bool, title: str) -> tuple[int, int] | None:
    """The name from ``pos``: one word a name may be, with the surname after first names
    ("Anna Maria Schmidt"); None when no name starts there or the title and the word are a
    brand ("Dr. Martens": ``title`` without its full stop, in lower case, as NOT_PERSONS has it)."""
    word = _WORD.match(text, pos)
    if word is None or not _could_be_a_name(word.group(), capitalised_only):
        return None
    if (title, word.group().lower()) in NOT_PERSONS:
        return None
    end, names = word.end(), 0
    while is_first_name(word.group()) and names < MAX_FIRST_NAMES:
        word, names = _next_word(text, word.end()), names + 1
        if word is None or not _could_be_a_name(word.group(), capitalised_only):
            break
        end = word.end()
    return pos, end


def titled_names(text: str) -> list[tuple[int, int]]:
    """Where names after a title are ("Frau [Müller]", "Herr Dr. [Özdemir]", "Familie [Yilmaz]")."""
    spans = []
    for titles in _TITLES.finditer(text):
        if _a_noun_here(text, titles.start()):
            continue
        last = titles.group().split()[-1].rstrip(".").lower()
        span = _name_after(text, titles.end(), last in CAPITALISED_NAME_TITLES, last)
        if span is not None:
            spans.append(span)
    return spans


def _surname(first: re.Match, text: str) -> re.Match | None:
    """The word after a first name when it may be a surname (no function word, role or
    lower-case verb, adjective or adverb form; further first names are passed: "Anna Maria
    Schmidt")."""
    word = _next_word(text, first.end())
    names = 1
    while word is not None and is_first_name(word.group()) and names < MAX_FIRST_NAMES:
        following = _next_word(text, word.end())
        if following is None or not _could_be_a_name(following.group()):
            break
        word, names = following, names + 1
    return word if word is not None and _could_be_a_name(word.group()) else None


def _a_brand(first: re.Match, text: str) -> int | None:
    """Where the brand or day named like a person that starts at ``first`` ends ("Ralph Lauren"), or None."""
    word = _next_word(text, first.end())
    return word.end() if word and (first.group().lower(), word.group().lower()) in NOT_PERSONS else None


def _no_first_name(text: str) -> bool:
    """True when no word of ``text`` is a first name: most questions name nobody, and one set
    look-up for all their words spares reading them one by one."""
    return FIRST_NAMES.isdisjoint(_LETTERS.findall(text.casefold()))


def full_names(text: str) -> list[tuple[int, int]]:
    """Where a first name and a surname are: capitalised both ("Petra Schulze"), or in any case
    after a word that says a person follows ("an petra schulze", "for john smith")."""
    spans, read_to = [], 0
    for word in _WORD.finditer(text):
        if word.start() < read_to or not is_first_name(word.group()):
            continue
        brand_end = _a_brand(word, text)
        if brand_end is not None:  # "Ralph Lauren Hemd": neither word starts a name
            read_to = brand_end
            continue
        surname = _surname(word, text)
        if surname is None:
            continue
        before = _WORD_BEFORE.search(text[max(0, word.start() - WORD_BEFORE_CHARS):word.start()])
        before = before.group(1).lower() if before else ""
        if before in SAINT_WORDS:
            continue
        capitalised = _capitalised(word.group()) and _capitalised(surname.group())
        if before in PERSON_FOLLOWS or (capitalised and word.group().lower() not in NEEDS_CONTEXT):
            spans.append((word.start(), surname.end()))
            read_to = surname.end()
    return spans


def names_here(text: str) -> list[tuple[int, int]]:
    """Where a customer names themselves with "here" / "hier" ("Kevin here, …", "Anna Schmidt
    hier."): a first name, with the surname after it or alone."""
    if not _HERE_WORD.search(text):
        return []
    spans = []
    for found in _HERE.finditer(text):
        words = list(_WORD.finditer(text, found.start("name"), found.end("name")))
        if is_first_name(words[0].group()) and all(_could_be_a_name(w.group()) for w in words):
            spans.append((words[0].start(), words[-1].end()))
        elif len(words) > 1 and is_first_name(words[-1].group()):
            spans.append(words[-1].span())
    return spans


def named_people(text: str) -> list[tuple[int, int]]:
    """Every name this module finds: (start, end) of each, in order, none overlapping."""
    found = titled_names(text)
    if not _no_first_name(text):  # most questions name nobody: their words are not read one by one
        found += full_names(text) + names_here(text)
    found.sort(key=lambda s: (s[0], -s[1]))
    spans: list[tuple[int, int]] = []
    for span in found:
        if not spans or span[0] >= spans[-1][1]:
            spans.append(span)
    return spans
