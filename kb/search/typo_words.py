"""A typo one edit from a known word is that word: "unbedngt" is "unbedingt".

The help centre's speller (kb/search/spelling.py) corrects towards the articles' own
words, and applies a correction only when it changes whether the question is answered.
A customer's typo is as often in a word no article uses ("satubsauger", "somthing",
"überhaput"), where the speller has nothing to correct towards, and a question answered
despite its typo keeps it: either way the encoders read the misspelt word as noise and
rank worse (bench/RESULTS.md, "Typos one edit from a word").

So before the search a word is retyped when it is unknown (to the help centre, and to
the dictionaries and frequency lists of the question's and the help centre's languages,
and of English, whose words customers of every language write), is no German compound
of common words ("rechnungskauf" is no typo of "rechnungslauf", "rausbekommen" none of
"rausgekommen"), and lies one edit away (a letter dropped, added or replaced, or two
neighbours swapped) from words of the help centre in the question's language: a
customer asks about what the help centre is about. Else, from :data:`MIN_CHARS` letters
on, from words of the language's dictionary (simplemma): four-letter words are often
names and abbreviations ("amex" is no typo of "alex"). A letter of a double put back
wins ("suport" is "support", not "sport"), then the most frequent candidate by
wordfreq's list, among the ones that keep the first letter when any does (customers
rarely mistype it: "arives" is "arrives", not "drives"); a candidate no list holds
counts only when it is the only one, or the only double put back. A German compound no
dictionary holds, with a typo in one of its parts, is repaired in that part
(:class:`CompoundRepair`).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache

from wordfreq import get_frequency_dict

from kb.content.umlaut_spellings import WRITTEN_OUT, spellings
from kb.content.word_forms import compound_parts, dictionary_word
from kb.index.speller import correctable
from kb.search.cache import LRU

MIN_CHARS = 5  # shorter words are corrected only towards the help centre's words
FREQUENCY_LIST = "small"  # wordfreq's short list of the commonest words per language: small in memory
MIN_ALPHABET_USES = 50  # letters rarer than this in the list's words are not tried as edits
MIN_HELP_CENTRE_USES = 3  # nor letters fewer of the help centre's words use
MIN_HEAD, MIN_TAIL = 4, 5  # letters of the words a German word is read as two of ("raus|bekommen"):
# shorter ones make typos into words ("ruckgabe" is no "ruck|gabe", "bestelung" no "beste|lung")
LOAN_LANGS = ("en",)  # customers write in English words of every language: "wie cancel ich"
RETYPED_CACHE = 20_000  # customers repeat their words
# Bounds on the work one question may cause (each unknown word is looked up in tens of
# thousands of edits): longer words are names, codes or keyboard mashing, not typos of a
# word ("kundendienstmitarbeiterin" has 25 letters); a word typed without umlauts has one or
# two pairs ("rueckerstatung", "ueberpruefen"); more unknown words than a question has are
# left as typed.
MAX_TYPO_CHARS = 30
MAX_WRITTEN_PAIRS = 2
MAX_LOOKED_UP = 6  # lookups per question (a word, or one umlaut spelling of it) not cached yet
NOT_A_TYPO = ""
_WORD = re.compile(r"[^\W\d_]+")
_WRITTEN_PAIR = re.compile("|".join(p for p in WRITTEN_OUT if p != "ss"))  # ae, oe, ue
# a word glued to a number, or joined to one by a hyphen, is part of a model or size name
# ("3-Sitzer", "Lumo2", "2-seater"), which no dictionary holds: left as typed
_NUMBER_BEFORE = re.compile(r"\d-?$")
_NUMBER_AFTER = re.compile(r"-?\d")


@lru_cache(maxsize=None)
def frequencies(lang: str) -> dict[str, float]:
    """wordfreq's frequency of each common word of ``lang``; empty for a language it lacks."""
    try:
        return get_frequency_dict(lang, FREQUENCY_LIST)
    except LookupError:
        return {}


def letters_of(words: Iterable[str], min_uses: int) -> set[str]:
    """The letters at least ``min_uses`` of the words are written with."""
    uses: Counter = Counter()
    for word in words:
        uses.update(ch for ch in set(word) if ch.isalpha())
    return {ch for ch, n in uses.items() if n >= min_uses}


@lru_cache(maxsize=None)
def alphabet(lang: str) -> frozenset[str]:
    """The letters the language's common words are written with (wordfreq folds "ß" to
    "ss": the help centre's own words add it, :class:`TypoWords`)."""
    return frozenset(letters_of(frequencies(lang), MIN_ALPHABET_USES))


def frequency(word: str, lang: str) -> float:
    """How common the word is in ``lang``, 0 when the list lacks it (looked up folded as
    wordfreq stores it: "straße" as "strasse")."""
    return frequencies(lang).get(word.casefold(), 0.0)


def one_edit(word: str, letters: str) -> set[str]:
    """Every string one edit from ``word``: a letter dropped, added or replaced, two
    neighbours swapped."""
    out = set()
    for i in range(len(word) + 1):
        head, tail = word[:i], word[i:]
        if tail:
            out.add(head + tail[1:])
            out.update(head + ch + tail[1:] for ch in letters)
        if len(tail) > 1:
            out.add(head + tail[1] + tail[0] + tail[2:])
        out.update(head + ch + tail for ch in letters)
    out.discard(word)
    return out


def known_word(word: str, langs: Iterable[str]) -> bool:
    """Whether a dictionary or frequency list of one of the languages holds the word."""
    return any(dictionary_word(word, lang) or frequency(word, lang) > 0 for lang in langs)


def compound_of_words(word: str, langs: Iterable[str]) -> bool:
    """Whether the word is a German compound of dictionary words ("rechnungskauf"), which a
    dictionary cannot hold all of: no typo, though one edit from another ("rechnungslauf").
    Colloquial verbs and compounds with a verb's stem count too: "rausbekommen" is "raus" and
    "bekommen", "lieferarten" the stem of "liefern" and "arten"."""
    if "de" not in langs:
        return False
    parts = compound_parts(word)
    if parts and all(dictionary_word(part, "de") for part in parts):
        return True
    return any(german_head(word[:i]) and common_german(word[i:])
               for i in range(MIN_HEAD, len(word) - MIN_TAIL + 1))


def common_german(word: str) -> bool:
    """Whether the German dictionary and wordfreq's German list both hold the word: the
    dictionary also holds rare forms a typo makes ("verand|kosten" from "veranden"), the
    list English words German texts quote ("now|sletter", "gree|house")."""
    return frequency(word, "de") > 0 and dictionary_word(word, "de")


def head_forms(part: str) -> tuple[str, ...]:
    """The words a German compound's first part may stand for: itself, a verb of its stem
    ("liefer": "liefern", "bestell": "bestellen"), itself without a linking "s" ("sendungs")."""
    return (part, part + "en", part + "n") + ((part[:-1],) if part.endswith("s") else ())


def german_head(part: str) -> bool:
    """Whether a German compound can begin with ``part`` (:func:`head_forms`)."""
    return any(common_german(form) for form in head_forms(part))


class CompoundRepair:
    """Repairs a typo in one part of a German compound no dictionary holds ("liferadresse"
    is "lieferadresse", "rückgabebedingunen" "rückgabebedingungen"): a typo in a compound
    finds no word one edit away. The repaired part must begin or end one of the help
    centre's words, as a candidate must be one of them: a customer asks about what the
    help centre is about ("retourenschein" is no "retour|anschein")."""

    def __init__(self, words: Iterable[str]) -> None:
        self._words = sorted(words)  # sorted, and sorted backwards: a part is looked up by bisection
        self._backwards = sorted(w[::-1] for w in self._words)

    @staticmethod
    def _begins(part: str, words: list[str]) -> bool:
        i = bisect_left(words, part)
        return i < len(words) and words[i].startswith(part)

    def begins_a_word(self, part: str) -> bool:
        return self._begins(part, self._words)

    def ends_a_word(self, part: str) -> bool:
        return self._begins(part[::-1], self._backwards)

    def repaired(self, word: str, letters: str) -> str | None:
        """The compound one edit from ``word`` with both parts common German words, the
        edited one of the help centre's; None when there is none."""
        found: dict[str, float] = {}  # compound -> how common its repaired part is
        for i in range(MIN_HEAD, len(word) - MIN_TAIL + 1):
            head, tail = word[:i], word[i:]
            if german_head(head):
                found.update({head + part: frequency(part, "de") for part in one_edit(tail, letters)
                              if common_german(part) and self.ends_a_word(part)})
            elif common_german(tail):
                found.update({part + tail: max(frequency(form, "de") for form in head_forms(part))
                              for part in one_edit(head, letters) if german_head(part) and self.begins_a_word(part)})
        if not found:
            return None
        return max(found, key=lambda c: (restores_double(word, c), found[c], c))


def restores_double(typed: str, candidate: str) -> bool:
    """Whether ``candidate`` is ``typed`` with one letter of a double put back, the commonest
    slip of all ("suport" is "support", not "sport"; "einlogen" is "einloggen")."""
    if len(candidate) != len(typed) + 1:
        return False
    for i, ch in enumerate(candidate):
        if candidate[:i] + candidate[i + 1:] == typed:
            return ch in (candidate[i - 1:i] + candidate[i + 1:i + 2])
    return False


# A letter left out is the commonest slip after a dropped double: "wher" is "where", not
# the more frequent "when" (a letter replaced), unless the other is this much more common.
DROPPED_LETTER_ODDS = 10.0


def _drops_a_letter(typed: str, candidate: str, common: dict[str, float]) -> bool:
    """Whether ``typed`` is ``candidate`` with one letter left out, and no other candidate is
    DROPPED_LETTER_ODDS times as common."""
    if len(candidate) != len(typed) + 1:
        return False
    return common[candidate] * DROPPED_LETTER_ODDS >= max(common.values())


def nearest_word(word: str, langs: tuple[str, ...], in_help_centre: Callable[[str], bool],
                 letters: str, also_known: Iterable[str] = (),
                 compounds: CompoundRepair | None = None) -> str | None:
    """The word one edit (with ``letters``) from the lower-case ``word`` that it was most
    likely meant to be in ``langs``; None when the word is no typo to correct (known in
    ``langs`` or ``also_known``) or no candidate is clear. ``compounds`` repairs a German
    word no candidate is found for."""
    known_in = (*langs, *also_known)
    if not correctable(word) or in_help_centre(word) or known_word(word, known_in) or \
            compound_of_words(word, langs):
        return None
    edits = one_edit(word, letters)
    candidates = [c for c in edits if in_help_centre(c)]
    if not candidates and len(word) >= MIN_CHARS:
        candidates = [c for c in edits if any(dictionary_word(c, lang) for lang in langs)]
    if not candidates and compounds is not None and "de" in langs:
        return compounds.repaired(word, letters)
    candidates = [c for c in candidates if c[0] == word[0]] or candidates
    if len(candidates) <= 1:
        return candidates[0] if candidates else None
    common = {c: max(frequency(c, lang) for lang in langs) for c in candidates}
    listed = [c for c in candidates if common[c] > 0]
    if not listed:  # no list knows them: only a slip as common as a dropped double is clear
        doubled = [c for c in candidates if restores_double(word, c)]
        return doubled[0] if len(doubled) == 1 else None
    return max(listed, key=lambda c: (restores_double(word, c), _drops_a_letter(word, c, common), common[c], c))


def _beside_number(match: re.Match) -> bool:
    """Whether the matched word is glued or hyphen-joined to a number."""
    text, start, end = match.string, match.start(), match.end()
    return bool(_NUMBER_BEFORE.search(text, max(0, start - 2), start) or _NUMBER_AFTER.match(text, end))


class TypoWords:
    """Retypes a question's misspelt words, for one audience's vocabulary; results cached
    per word and languages."""

    def __init__(self, in_help_centre: Callable[[str], bool], words: dict[str, Iterable[str]],
                 cache_size: int = RETYPED_CACHE) -> None:
        """``words``: the help centre's words per language; its languages serve a question
        whose language is unknown. ``cache_size``: words remembered (a report reads with its
        own, smaller cache, so as not to evict the live searches' words)."""
        self._in_help_centre = in_help_centre
        self._langs = tuple(sorted(lang for lang in words if frequencies(lang)))
        self._words = {(lang,): frozenset(words[lang]) for lang in self._langs}
        self._words[self._langs] = frozenset().union(*self._words.values())
        self._letters = {lang: alphabet(lang) | letters_of(words[lang], MIN_HELP_CENTRE_USES)
                         for lang in self._langs}
        self._compounds = CompoundRepair(self._words[("de",)]) if "de" in self._langs else None
        self._cache = LRU(cache_size)  # word, languages -> its correction or NOT_A_TYPO

    def retyped(self, text: str, lang: str | None) -> str:
        """The question with each misspelt word replaced, the rest as typed."""
        langs = (lang,) if lang is not None and frequencies(lang) else self._langs
        if not langs:
            return text
        budget = [MAX_LOOKED_UP]
        return _WORD.sub(lambda m: m.group(0) if _beside_number(m)
                         else self._word(m.group(0), langs, budget) or m.group(0), text)

    def _umlaut_spellings(self, word: str, langs: tuple[str, ...], also_known: tuple[str, ...]) -> list[str]:
        """A German word typed without umlauts and with a typo ("rueckerstatung"): the umlaut
        restoration (kb/search/umlauts.py) finds no known word and one edit finds none either,
        so the typo is looked for in its spellings with umlauts ("rückerstatung")."""
        pairs = len(_WRITTEN_PAIR.findall(word))
        if "de" not in langs or not 0 < pairs <= MAX_WRITTEN_PAIRS or known_word(word, also_known) \
                or compound_of_words(word, langs):
            return []
        return spellings(word)[1:]

    def _looked_up(self, word: str, langs: tuple[str, ...], also_known: tuple[str, ...],
                   budget: list[int]) -> str | None:
        """The correction of an unknown word, NOT_A_TYPO, or None when the question's budget
        ran out before it was decided (then nothing is cached)."""
        letters = "".join(sorted(set().union(*(self._letters.get(lang, alphabet(lang)) for lang in langs))))
        # candidates among the help centre's words in the question's language ("ater" in an
        # English question is no "aber")
        in_language = self._words.get(langs, frozenset()).__contains__
        budget[0] -= 1
        found = nearest_word(word, langs, in_language, letters, also_known, self._compounds)
        for spelling in ([] if found else self._umlaut_spellings(word, langs, also_known)):
            if budget[0] <= 0:
                return None
            budget[0] -= 1
            found = nearest_word(spelling, langs, in_language, letters, also_known)
            if found:
                break
        return found or NOT_A_TYPO

    def _word(self, typed: str, langs: tuple[str, ...], budget: list[int]) -> str | None:
        """The word ``typed`` was meant to be, None when it is no typo; ``budget`` counts down
        the lookups left for the question (a word past it stays as typed, uncached)."""
        word = typed.lower()
        key = (word, langs)
        found = self._cache.get(key)
        if found is None:
            # a word of any of the help centre's languages, or of English, is no typo: "gibts" in
            # a question taken for English is no "gifts", "cancel" in a German one no "cancer"
            also_known = (*self._langs, *LOAN_LANGS)
            if len(word) > MAX_TYPO_CHARS or self._in_help_centre(word) or not correctable(word) or \
                    known_word(word, (*langs, *also_known)):
                found = NOT_A_TYPO
            elif budget[0] <= 0:
                return None
            else:
                found = self._looked_up(word, langs, also_known, budget)
                if found is None:
                    return None
            self._cache.put(key, found)
        if found == NOT_A_TYPO:
            return None
        return found.capitalize() if typed[:1].isupper() else found
