"""Street addresses in customers' text, for kb/content/privacy.py to mask as ``[address]``.

German streets are found by their suffix with a house number, whether the customer
capitalises them or not: "Hauptstraße 12", "goethestr 5", "Konrad-Adenauer-Str. 3",
"lindenallee 3", "berliner str. 12", "Berliner Platz 1". The postcode and town after an
address go with it ("lindenallee 3, 10115 berlin", "goethestr 5 in 20095 hamburg");
a postcode and town alone identify nobody ("PLZ 20095 Hamburg" stays). Streets named
without a suffix count with their postcode and town ("Am Hafen 5, 20457 Hamburg"), English
ones by a house number before the street ("221B Baker Street", "12 baker street").

Masking a possible address too often is the safe direction, but a question must stay
searchable, so a suffix written apart counts in lower case only where no ordinary word
looks like it ("paket weg 50" and "platz 3" stay), a word that ends like a street is left
when it is a common word ("Spring 2024", "Ohrring", "Rückweg", "Käufer", "Speicherplatz"),
and so is a number that counts something ("Ohrring 2 Stück", "Parkplatz 3 Tage").
"""

from __future__ import annotations

import re

from kb.content.introductions import NOT_NAMES

# suffixes a street name ends with, in one word ("Hauptstraße", "goethestr.", "Lindenallee");
# "ring" not after a vowel, as English "-ing" forms end so ("ordering 3", "during 2024")
STREET_SUFFIXES = ("straße|strasse|str\\.?|weg|gasse|allee|platz|(?<![aeiouäöüy])ring|damm|ufer|chaussee|pfad|"
                   "steig|stieg|twiete|promenade")
# suffixes written apart that no ordinary word looks like, in any case ("berliner str. 12")
APART_SUFFIXES = "straße|strasse|str\\.?|allee|gasse|chaussee|promenade"
# suffixes written apart that are ordinary words in lower case ("paket weg 50", "platz 3"):
# capitalised only ("Berliner Platz 1", "Alter Weg 5")
CAPITALISED_APART_SUFFIXES = "Weg|Platz|Damm|Ufer|Pfad|Steig|Stieg|Twiete"
# words ending in a suffix that are no street: checked against the end of the word
NOT_STREETS = ("spring", "string", "bring", "earring", "herring", "referring", "transferring", "occurring",
               "recurring", "preferring", "starring", "ohrring", "fingerring", "schlüsselring", "nasenring",
               "zehenring", "daumenring", "siegelring", "partnerring", "verlobungsring", "freundschaftsring",
               "dichtungsring", "rückweg", "hinweg", "umweg", "ausweg",
               "heimweg", "versandweg", "lieferweg", "zahlungsweg", "arbeitsplatz", "parkplatz", "stellplatz",
               "sitzplatz", "speicherplatz", "lagerplatz", "käufer", "läufer", "anrufer", "bahnsteig", "anstieg",
               "aufstieg", "abstieg", "einstieg", "ausstieg", "umstieg")
# what a number after a word counts when it is no house number ("Ohrring 2 Stück", "Parkplatz 3 Tage")
UNIT_WORDS = ("stück|stk|mal|x|cm|mm|m|km|kg|g|l|ml|gb|mb|tb|kb|w|watt|v|volt|mah|zoll|inch|inches|euro|eur|€|%|"
              "prozent|tage?|tagen|wochen?|monate?n?|jahre?n?|uhr|std|stunden?|min|minuten|sekunden|days?|weeks?|"
              "months?|years?|hours?|minutes?|mins?|pieces?|pcs|times|teile?|paar|pairs?|packungen?|personen|"
              "people|sitze|seats?|plätze")
# English street types; those that are ordinary words in lower case ("2 tb usb drive",
# "3 way adapter") count only when the street is written capitalised
EN_STREET_TYPES = ("street|st|road|rd|avenue|ave|lane|ln|boulevard|blvd|drive|dr|way|court|ct|place|pl|close|"
                   "terrace|square|sq|crescent|gardens|row|mews")
EN_LOWER_CASE_TYPES = frozenset({"street", "road", "avenue", "lane", "boulevard"})

_LETTERS = r"[^\W\d_]"
_HOUSE_NUMBER = (r"\d{1,4}(?:\s?[a-z](?![\wäöüß]))?(?:\s?[-/]\s?\d{1,4}(?:[a-z](?![\wäöüß]))?)?"
                 rf"(?![\w%€]|[.,]\d)(?!\s*(?:{UNIT_WORDS})(?![\wäöüß]))")
# "Frankfurt am Main", "Halle an der Saale", "Rothenburg ob der Tauber"
_TOWN = rf"{_LETTERS}[\w-]*(?:\s+(?:am|an der|ob der|im)\s+{_LETTERS}[\w-]*)?"
_POSTCODE_TOWN = rf"(?:\s*,?\s*(?:in\s+)?\d{{4,5}}\s+{_TOWN})?"
_STARTS_A_WORD = r"(?<![\w-])"

# "Hauptstraße 12", "goethestr 5", "Konrad-Adenauer-Straße 3", "Konrad-Adenauer-Str. 3"
_IN_ONE_WORD = re.compile(
    rf"{_STARTS_A_WORD}(?P<street>(?:{_LETTERS}++-)++{_LETTERS}*?(?:{STREET_SUFFIXES})"
    rf"|{_LETTERS}+?(?:{STREET_SUFFIXES}))\s*{_HOUSE_NUMBER}{_POSTCODE_TOWN}", re.I)
# "berliner str. 12", "Berliner Platz 1"
_APART = re.compile(
    rf"{_STARTS_A_WORD}(?P<street>{_LETTERS}+)[ ]+(?:(?i:{APART_SUFFIXES})|(?:{CAPITALISED_APART_SUFFIXES})\b)"
    rf"\s*(?i:{_HOUSE_NUMBER}{_POSTCODE_TOWN})")
# streets named without a suffix, with a house number, their postcode and town ("Am Hafen 5,
# 20457 Hamburg"): without them "Am Montag 10" or "Im Jahr 2023 10000 Euro" would read as addresses
_NAMED = re.compile(
    r"\b(?:am|im|an der|an den|auf der|auf dem|in der|in den|zum|zur|hinter der|hinter dem|unter den)"
    rf"\s+{_LETTERS}[\w-]+\s+\d{{1,3}}(?:\s?[a-z](?![\wäöüß]))?,?\s*\d{{5}}\s+{_TOWN}", re.I)
# "221B Baker Street", "12 baker street", "42 Elm Road"; the names are no function words ("3 shirts on oxford street")
_NOT_A_FUNCTION_WORD = r"(?!(?:the|a|an|my|our|your|on|at|in|to|of|for|from|by|and|or|per|with)\b)"
_ENGLISH = re.compile(
    rf"\b\d{{1,5}}[a-z]?\s+(?P<names>(?:{_NOT_A_FUNCTION_WORD}{_LETTERS}[\w'-]*\s+){{1,3}})"
    rf"(?P<type>{EN_STREET_TYPES})\b\.?", re.I)


def _in_one_word(match: re.Match) -> str:
    street = match.group("street").lower()
    return match.group(0) if street.endswith(NOT_STREETS) else "[address]"


def _apart(match: re.Match) -> str:
    """"Berliner Str. 5" is masked whole; after a function word only the street ("in der [address]")."""
    word = match.group("street")
    return word + " [address]" if word.lower() in NOT_NAMES else "[address]"


def _english(match: re.Match) -> str:
    written_as_a_street = all(word[0].isupper() for word in match.group("names").split()) and \
        match.group("type")[0].isupper()
    return "[address]" if written_as_a_street or match.group("type").lower() in EN_LOWER_CASE_TYPES \
        else match.group(0)


def mask_addresses(text: str) -> str:
    """``text`` with every street address (and the postcode and town after it) as ``[address]``."""
    text = _IN_ONE_WORD.sub(_in_one_word, text)
    text = _APART.sub(_apart, text)
    text = _NAMED.sub("[address]", text)
    return _ENGLISH.sub(_english, text)
