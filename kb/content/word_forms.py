"""Keyword analysis by dictionary lemmas, German compound parts, English lemmas.

Snowball stems conflate words that mean different things ("package" and
"packaging" both become "packag", so a question about a parcel finds the
packaging article); simplemma's lemmas keep them apart while still joining
inflections ("packages" -> "package", "Lieferungen" -> "Lieferung").

German writes compounds as one word ("Rücksendeetikett", "Lieferadresse") where
a customer may use a part ("Etikett", "Adresse") or another compound of the same
parts. The compound filter adds the parts (compound-split's character n-gram
model) after the whole word; the whole word stays the token's first term, which
is what highlights and coverage use.
Only splits a reader would make count: compound-split's model is one of nouns,
so a verb adds only the verb inside a separable one ("zurückschicken" -> zurück,
schicken), and a noun's parts must be words, compounds or verb stems.

English uses lemminflect's lemmas (:func:`english_term`): inflections join
("orders", "ordered", "ordering" -> "order"; "cancelled", "canceled" -> "cancel")
while nouns of their own stay apart ("packaging" is not "package", "accounting"
not "account"), which Snowball merges. simplemma alone measured no better than
Snowball in English (it keeps "billing" apart from "bill", "cancelled" becomes
"cancell"); see bench/RESULTS.md, "English keyword analysis".
"""

from __future__ import annotations

import importlib
import importlib.abc
import sys
from functools import lru_cache

import simplemma
from simplemma.strategies.dictionaries import DEFAULT_DICTIONARY_FACTORY
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.lang import stemmer_for_language, stopwords_for_language

from kb.content.german_compounds import best_split


class _WithoutSpacy(importlib.abc.MetaPathFinder):
    """While lemminflect imports: "import spacy" fails as if spaCy were not installed."""

    def find_spec(self, name, path, target=None):
        if name == "spacy":
            raise ModuleNotFoundError("kb does not use spaCy", name=name)
        return None


def _import_lemminflect():
    """lemminflect, without the spaCy extensions it registers when spaCy imports: kb
    never uses them, and spaCy (installed beside the packaged mpnet wheels) brings
    thinc and torch into every process that analyses keywords."""
    if "spacy" in sys.modules:
        return importlib.import_module("lemminflect")
    blocker = _WithoutSpacy()
    sys.meta_path.insert(0, blocker)
    try:
        return importlib.import_module("lemminflect")
    finally:
        sys.meta_path.remove(blocker)


lemminflect = _import_lemminflect()

LEMMA_CACHE = 200_000
MIN_PART = 4  # shorter heads or tails are mostly suffixes ("Pak|ete", "Bez|ahlen")
MIN_SPLIT_SCORE = -0.9  # compound-split's confidence below which a split is a guess
CONFIDENT_SPLIT = 0.5  # above it a three-letter part is a word too ("Zahlungs|art", "Werk|tag")
MIN_CONFIDENT_PART = 3
MIN_COMPOUND = 2 * MIN_PART + 1  # shorter words are not split
MAX_COMPOUND = 40  # longer "words" are codes or noise; splitting costs grow with length
MAX_DEPTH = 2  # "Versandkostenpauschale" -> Versandkosten | Pauschale -> Versand | Kosten
LINKING_S_AFTER = tuple(e + "s" for e in ("ung", "heit", "keit", "ion", "tät", "schaft", "ling", "tum"))
MIN_ROOT = 4  # shorter family roots join unrelated words ("ess" of "Essen")
FAMILY_MARK = "~"  # a family root never equals a word's own term
# German derives action nouns from verbs: "zahlen" / "Zahlung", "stornieren" / "Stornierung",
# "liefern" / "Lieferung"; suffix -> what is cut to reach the shared root
FAMILY_SUFFIXES = (("ung", 3), ("ern", 1), ("eln", 1), ("en", 2))
# endings the splitter takes for a compound's tail: of an adjective or abstract noun the head
# is the word's stem ("gesetz|lich", "möglich|keit", "erreich|bar"); the others are cuts
# inside a word ("Abtei|Lung", "Schal|Tung")
DERIVATION_ENDINGS = frozenset(("bar", "haft", "heit", "isch", "keit", "lich", "sam", "schaft"))
NO_TAILS = frozenset(("ität", "ling", "lung", "nis", "tung", "ung"))
GERMAN_STOP_WORDS = frozenset(stopwords_for_language("de"))
# separable verb particles, longest first: "zurückschicken" is "schicken" sent back
SEPARABLE_PARTICLES = tuple(sorted((
    "ab", "an", "auf", "aus", "bei", "dabei", "dazu", "durch", "ein", "entgegen", "fehl", "fest",
    "frei", "gut", "heim", "her", "heraus", "herein", "herunter", "hin", "hinaus", "hinein", "hinzu",
    "hoch", "los", "mit", "nach", "raus", "rein", "runter", "um", "voll", "vor", "vorbei", "weg",
    "weiter", "wieder", "zu", "zurück", "zusammen"), key=len, reverse=True))


@lru_cache(maxsize=LEMMA_CACHE)
def lemma(word: str, lang: str) -> str:
    """The lower-cased dictionary lemma of a lower-cased word (the word itself if unknown).

    German nouns are looked up capitalised too: customers type "rechnungen".
    """
    found = simplemma.lemmatize(word, lang=lang)
    if found.lower() == word and lang == "de":
        found = simplemma.lemmatize(word.capitalize(), lang=lang)
    return found.lower()


@lru_cache(maxsize=LEMMA_CACHE)
def dictionary_word(word: str, lang: str) -> bool:
    """Whether simplemma's dictionary of ``lang`` knows the lower-cased word (German
    nouns capitalised too); False for a language it does not cover."""
    try:
        return simplemma.is_known(word, lang) or (lang == "de" and simplemma.is_known(word.capitalize(), lang))
    except ValueError:  # a language simplemma has no dictionary for
        return False


def _dictionary_lemma(word: str) -> str | None:
    """simplemma's German lemma of the word exactly as written (case counts: nouns are held
    capitalised), None when its dictionary does not hold it. The dictionary is loaded
    once and shared with :func:`lemma`."""
    return DEFAULT_DICTIONARY_FACTORY.get_dictionary("de").get(word)


@lru_cache(maxsize=LEMMA_CACHE)
def german_lower_case_word(word: str) -> bool:
    """Whether simplemma's German dictionary holds a lower-cased word as written: a verb,
    adjective or adverb form ("bestellt", "möglich", "gerne"). Nouns and names are held
    capitalised, so "müller" or "schulze" typed in lower case are not (kb/content/person_names.py)."""
    return _dictionary_lemma(word) is not None


@lru_cache(maxsize=LEMMA_CACHE)
def german_verb(word: str) -> bool:
    """Whether a lower-cased word is a German verb form by simplemma's dictionary: it holds
    the word in lower case (nouns are held capitalised), with a lemma ending in -n
    (lower-case adjectives such as "klimaneutral" do not)."""
    found = _dictionary_lemma(word)
    return found is not None and found.islower() and found.endswith("n")


def _verb_parts(verb: str) -> tuple[str, ...]:
    """The lemma of the verb inside a separable verb ("zurückschicken" -> that of
    "schicken", "abgebrochen" -> "brechen"), after the particle where it is a word of its
    own ("zurück" joins "zurückgeben" and "zurücksenden"; "ab", "an" are not), else ().

    compound-split's n-grams are a noun model: it cuts verbs after their prefix
    ("versenden" -> "Versen|Den", "bestellen" -> "Best|Ellen", "zurückschicken" ->
    "Zurücks|Chicken"), and those parts match unrelated words.
    """
    for particle in SEPARABLE_PARTICLES:
        rest = verb[len(particle):]
        if verb.startswith(particle) and len(rest) >= MIN_PART and rest.endswith("n"):
            found = _dictionary_lemma(rest)  # "schicken" -> "schick": any lower-case entry in -n
            if found is not None and found.islower():
                verb_lemma = lemma(rest, "de")
                return (particle, verb_lemma) if len(particle) >= MIN_PART else (verb_lemma,)
    return ()


@lru_cache(maxsize=LEMMA_CACHE)
def compound_parts(word: str, depth: int = MAX_DEPTH) -> tuple[str, ...]:
    """The lemmas of a German compound's parts, () when the word is not a confident compound;
    of a verb only the verb inside a separable one (:func:`_verb_parts`)."""
    if depth == 0 or len(word) > MAX_COMPOUND or not word.isalpha():
        return ()
    if german_verb(word):
        return _verb_parts(word)
    if len(word) < MIN_COMPOUND:
        return ()
    score, head, tail = best_split(word)
    head, tail = _without_linking_s(head.lower()), tail.lower()
    if tail in DERIVATION_ENDINGS:  # a derived word adds its stem: "Möglichkeit" -> "möglich"
        chosen = (head,) if _plausible_stem(score, head, depth) else ()
    elif _plausible_split(score, head, tail, depth):
        chosen = (head, tail)
    else:
        return ()
    parts = []
    for part in chosen:
        base = lemma(part, "de")
        if base not in GERMAN_STOP_WORDS:  # "über|weisung", "waren|korb" (simplemma: "waren" -> "sein")
            parts.append(base)
        parts.extend(compound_parts(part, depth - 1))
    return tuple(dict.fromkeys(parts))


def _plausible_split(score: float, head: str, tail: str, depth: int) -> bool:
    """Whether compound-split's best split of a noun is one a reader would make.

    Its score alone accepts "Beste|Llung" for "Bestellung" and "Herst|Eller" for
    "Hersteller". Below a confident score, each part must be a dictionary word or a
    compound itself ("Reise|Rücktrittsversicherung"), or, for the head, a verb's
    stem ("Liefer|adresse", "Rücksende|etikett"); a cut inside a word ("Abtei|Lung")
    is never a tail (:data:`NO_TAILS`).
    """
    shortest = MIN_CONFIDENT_PART if score >= CONFIDENT_SPLIT else MIN_PART
    if score < MIN_SPLIT_SCORE or min(len(head), len(tail)) < shortest or tail in NO_TAILS:
        return False
    return score >= CONFIDENT_SPLIT or (_word_or_compound(tail, depth) and (
        _word_or_compound(head, depth) or verb_stem(head)))


def _plausible_stem(score: float, stem: str, depth: int) -> bool:
    """Whether what comes before an adjective or abstract-noun ending is a word, a
    compound or a verb's stem ("erreich|bar"), not a cut ("Dynam|isch")."""
    return (score >= MIN_SPLIT_SCORE and len(stem) >= MIN_PART
            and (_word_or_compound(stem, depth) or verb_stem(stem)))


def _word_or_compound(part: str, depth: int) -> bool:
    """Whether simplemma's dictionary holds the part as written or capitalised (a noun;
    unlike :func:`dictionary_word`, "vers" is not "Vers"), or the part splits itself."""
    return (_dictionary_lemma(part) is not None or _dictionary_lemma(part.capitalize()) is not None
            or bool(compound_parts(part, depth - 1)))


def verb_stem(head: str) -> bool:
    """Whether a compound's head is a verb's stem: "liefer" (liefern), "bestell"
    (bestellen), "rücksende" (Rücksendung)."""
    stem = head.removesuffix("e")
    return (german_verb(head + "n") or german_verb(stem + "en")
            or _dictionary_lemma(stem.capitalize() + "ung") is not None)


def _without_linking_s(head: str) -> str:
    """A compound's head without its linking "s" ("Zahlungs|art" -> "zahlung") after
    the endings that always take one."""
    if head.endswith(LINKING_S_AFTER):
        return head[:-1]
    return head


@lru_cache(maxsize=LEMMA_CACHE)
def family_root(term: str) -> str | None:
    """The root a German verb shares with its -ung noun, marked (``~zahl`` for "zahlen"
    and "Zahlung"); None for other words.

    simplemma's lemmas keep "zahlen" and "Zahlung" apart, yet a customer asks "kann ich
    auf Rechnung zahlen" where the article says "Zahlungsarten". Only the two
    endings meet at the root; a noun without either ending ("Paket", "Kunde") gets none.
    """
    if not term.isalpha():
        return None
    for suffix, cut in FAMILY_SUFFIXES:
        if term.endswith(suffix) and len(term) - cut >= MIN_ROOT:
            return FAMILY_MARK + term[:-cut]
    return None


ENGLISH_POS = ("NOUN", "VERB", "ADJ", "ADV", "PROPN", "AUX")  # which lemma wins when a word has several


@lru_cache(maxsize=LEMMA_CACHE)
def english_term(word: str) -> str:
    """The keyword term of a lower-cased English word.

    lemminflect's lemma, a noun's before a verb's ("orders" -> "order", "returned" ->
    "return"). An -ing word that is also a noun of its own keeps its form only when
    simplemma agrees ("packaging", "accounting"); otherwise it is the verb's form
    ("ordering" -> "order", "billing" -> "bill"). Words lemminflect does not know
    (product names, "apps", "websites") get their Snowball stem as before.
    """
    found = lemminflect.getAllLemmas(word)
    if not found:
        return _english_snowball(word)
    nouns = found.get("NOUN", ())
    if (word.endswith("ing") and nouns and nouns[0] == word and "VERB" in found
            and lemma(word, "en") != word):
        return found["VERB"][0]
    for pos in ENGLISH_POS:
        if pos in found:
            return found[pos][0].lower()
    return word


_english_snowball = stemmer_for_language("en")


class EnglishFilter(Filter):
    """Replaces each token by :func:`english_term`."""

    def __eq__(self, other):
        return type(other) is type(self)

    def __call__(self, tokens):
        for t in tokens:
            t.text = english_term(t.text)
            yield t


def english_analyzer():
    """Words, lower case, Whoosh's English stop words, :func:`english_term`."""
    return (RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords_for_language("en"), minsize=2)
            | EnglishFilter())


class LemmaFilter(Filter):
    """Replaces each token by its lemma."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __eq__(self, other):
        return type(other) is type(self) and other.lang == self.lang

    def __call__(self, tokens):
        for t in tokens:
            t.surface = t.text  # the word as written: its lemma may hide its family
            t.text = lemma(t.text, self.lang)
            yield t


def _family_roots(surface: str, word: str, parts: list[str]) -> list[str]:
    """The family roots of a word's lemma and compound parts; of the word as written
    only when its lemma has none (simplemma reads "zahlen" as the plural of "Zahl",
    while "Lieferungen" has its root from "Lieferung")."""
    own = family_root(word)
    if own is None and surface != word:
        own = family_root(surface)
    return [r for r in (own, *map(family_root, parts)) if r]


class CompoundFilter(Filter):
    """After each (lemmatised) token, its compound parts, and with ``families`` the
    family roots of the word and its parts (:func:`family_root`), all marked ``part``
    (see :func:`whole_words`)."""

    families = False  # the attribute of filters pickled before families existed

    def __init__(self, families: bool = False) -> None:
        self.families = families

    def __eq__(self, other):
        return type(other) is type(self) and other.families == self.families

    def __call__(self, tokens):
        for t in tokens:
            word = t.text
            t.part = False  # the tokenizer reuses one token object
            yield t
            parts = [p for p in compound_parts(word) if p != word]
            extra = dict.fromkeys(parts)
            if self.families:
                for root in _family_roots(getattr(t, "surface", word), word, parts):
                    extra[root] = None
            for part in extra:
                t.text, t.part = part, True
                yield t


def whole_words(analyzer, text: str) -> list[str]:
    """The distinct terms of ``text`` without compound parts: one per word, as the
    help centre's vocabulary records them (kb/index/vocabulary.py), so the share of
    a question's words the articles use does not fall for a compound."""
    return list(dict.fromkeys(t.text for t in analyzer(text) if not getattr(t, "part", False)))


def lemma_analyzer(lang: str, compounds: bool, families: bool = False):
    """Words, lower case, the language's stop words, lemmas (and German compound parts,
    and word-family roots)."""
    chain = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stopwords_for_language(lang),
                                                               minsize=2) | LemmaFilter(lang)
    return chain | CompoundFilter(families) if compounds else chain
