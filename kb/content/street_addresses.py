"""Street addresses in customers' text, for kb/content/privacy.py to mask as ``[address]``.

German streets are found by their suffix with a house number, whether the customer
capitalises them or not: "Hauptstraße 12", "goethestr 5", "Konrad-Adenauer-Str. 3",
"lindenallee 3", "berliner str. 12", "Berliner Platz 1". The postcode and town after an
address go with it ("lindenallee 3, 10115 berlin", "goethestr 5 in 20095 hamburg");
a postcode and town alone identify nobody ("PLZ 20095 Hamburg" stays), and so does a town
after an address without its postcode: right after the comma, the end of the sentence after
it ("Goethestraße 12, Berlin", "10 Downing Street, London."). Streets named without a
suffix count with their postcode and town ("Am Hafen 5, 20457 Hamburg"). Without them the
house number must end the sentence or the line, no word may name a time or a thing of the
shop ("Am Montag 10.", "im Warenkorb 3?"), and something must say it is an address, as
"an der Kasse 2, oder?" and "auf der Rechnung 2." are none: a town after it ("Am Markt 3,
Bremen"), a word before it in its sentence ("wohne jetzt auf dem Berg 12", "Lieferadresse: am
markt 3"), its preposition capitalised inside a sentence as a street's name is ("Lieferung an
An der Kirche 7."), or nothing else on its line. English streets are found by a house number
before the street ("221B Baker Street", "12 baker street").

Masking a possible address too often is the safe direction, but a question must stay
searchable, so a suffix written apart counts in lower case only where no ordinary word
looks like it ("paket weg 50" and "platz 3" stay), a word that ends like a street is left
when it is a common word ("Spring 2024", "Ohrring", "Rückweg", "Käufer", "Speicherplatz"),
and so is a number that counts something ("Ohrring 2 Stück", "Parkplatz 3 Tage").
"""

from __future__ import annotations

import re

from kb.content.introductions import NOT_NAMES
from kb.content.person_names import COURTESY_WORDS
from kb.content.word_forms import german_lower_case_word

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

# the prepositions a street named without a suffix follows when no postcode comes with it
# ("Am Markt 3", "An der Kirche 7", "Auf dem Berg 12"); "in der Regel 3." and "zum Beispiel 2." are no streets
BARE_STREET_PREPOSITIONS = r"am|an der|an den|an dem|im|auf der|auf dem|auf den"
# words after those prepositions that name a time or a thing of the shop, not a street ("Am
# Montag 10.", "im Warenkorb 3?", "Im Jahr 2023."), in lower case
NOT_STREET_NAMES = frozenset({
    "montag", "dienstag", "mittwoch", "donnerstag", "freitag", "samstag", "sonntag", "wochenende", "werktag",
    "feiertag", "tag", "abend", "morgen", "mittag", "vormittag", "nachmittag", "wochentag", "monat", "jahr",
    "januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober", "november",
    "dezember", "anfang", "ende", "schluss", "moment", "ersten", "zweiten", "dritten", "letzten", "stück",
    "warenkorb", "paket", "karton", "sale", "angebot", "shop", "onlineshop", "laden", "lager", "konto",
    "kundenkonto", "telefon", "handy", "computer", "rechner", "display", "bildschirm", "preis", "schnitt",
    "durchschnitt", "schnellsten", "besten", "meisten", "wenigsten", "günstigsten", "liebsten", "inland",
    "ausland", "voraus", "vorfeld", "rahmen", "zeitraum", "bestand", "artikel", "set", "paar", "level", "alter",
    "seite", "schritt", "abschnitt", "punkt", "kapitel", "zeile", "foto", "bild", "sommer", "winter", "herbst",
    "frühjahr", "frühling"})
# words before a street in its sentence that say an address follows ("neue Adresse: am markt 3")
ADDRESS_CUES = (r"\w*adresse|anschrift|wohn\w*|umgezogen|umzug|liefer\w*|schick\w*|send\w*|zustell\w*|"
                r"address|live[sd]?|living|moved|deliver\w*|ship\w*")
ADDRESS_CUE_CHARS = 80  # how far before a street its sentence is read for one
_LETTERS = r"[^\W\d_]"
_HOUSE_NUMBER = (r"\d{1,4}(?:\s?[a-z](?![\wäöüß]))?(?:\s?[-/]\s?\d{1,4}(?:[a-z](?![\wäöüß]))?)?"
                 rf"(?![\w%€]|[.,]\d)(?!\s*(?:{UNIT_WORDS})(?![\wäöüß]))")
# "Frankfurt am Main", "Halle an der Saale", "Rothenburg ob der Tauber"
_TOWN = rf"{_LETTERS}[\w-]*(?:\s+(?:am|an der|ob der|im)\s+{_LETTERS}[\w-]*)?"
_POSTCODE_TOWN = rf"(?:\s*,?\s*(?:in\s+)?\d{{4,5}}\s+{_TOWN})?"
_STARTS_A_WORD = r"(?<![\w-])"
_ENDS_A_SENTENCE = r"(?=[ \t]*(?:[,.;:!?)]|$))"
# ", Bremen", ", Bad Homburg", ", Frankfurt am Main" right after an address, the sentence or
# the line ending after it; _address() keeps it when it is no town ("…, danke.")
_TOWN_AFTER = (rf"(?P<town>[ \t]*,[ \t]*{_LETTERS}[\w-]*+(?:[ \t]+(?:am|an der|ob der|im)[ \t]+{_LETTERS}[\w-]*+"
               rf"|[ \t]+{_LETTERS}[\w-]*+)?{_ENDS_A_SENTENCE})?")

# "Hauptstraße 12", "goethestr 5", "Konrad-Adenauer-Straße 3", "Konrad-Adenauer-Str. 3"
_IN_ONE_WORD = re.compile(
    rf"{_STARTS_A_WORD}(?P<street>(?:{_LETTERS}++-)++{_LETTERS}*?(?:{STREET_SUFFIXES})"
    rf"|{_LETTERS}+?(?:{STREET_SUFFIXES}))\s*{_HOUSE_NUMBER}{_POSTCODE_TOWN}{_TOWN_AFTER}", re.I | re.M)
# "berliner str. 12", "Berliner Platz 1"
_APART = re.compile(
    rf"{_STARTS_A_WORD}(?P<street>{_LETTERS}+)[ ]+(?:(?i:{APART_SUFFIXES})|(?:{CAPITALISED_APART_SUFFIXES})\b)"
    rf"\s*(?i:{_HOUSE_NUMBER}{_POSTCODE_TOWN}{_TOWN_AFTER})", re.M)
# streets named without a suffix, with a house number, their postcode and town ("Am Hafen 5,
# 20457 Hamburg"): without them "Am Montag 10" or "Im Jahr 2023 10000 Euro" would read as addresses
_NAMED = re.compile(
    r"\b(?:am|im|an der|an den|auf der|auf dem|in der|in den|zum|zur|hinter der|hinter dem|unter den)"
    rf"\s+{_LETTERS}[\w-]+\s+\d{{1,3}}(?:\s?[a-z](?![\wäöüß]))?,?\s*\d{{5}}\s+{_TOWN}{_TOWN_AFTER}", re.I | re.M)
# the same without a postcode: the house number ends the sentence or the line ("Am Markt 3, Bremen")
_NAMED_ALONE = re.compile(
    rf"\b(?:{BARE_STREET_PREPOSITIONS})[ \t]+(?P<street>(?:{_LETTERS}[\w-]*+[ \t]+)?{_LETTERS}[\w-]++)[ \t]+"
    rf"\d{{1,3}}(?:[ \t]?[a-z](?![\wäöüß]))?{_ENDS_A_SENTENCE}{_TOWN_AFTER}", re.I | re.M)
_SENTENCE_END = re.compile(r"[.!?\n]")
_ADDRESS_CUE = re.compile(rf"\b(?:{ADDRESS_CUES})\b", re.I)
# "221B Baker Street", "12 baker street", "42 Elm Road"; the names are no function words ("3 shirts on oxford street")
_NOT_A_FUNCTION_WORD = r"(?!(?:the|a|an|my|our|your|on|at|in|to|of|for|from|by|and|or|per|with)\b)"
_ENGLISH = re.compile(
    rf"\b\d{{1,5}}[a-z]?\s+(?P<names>(?:{_NOT_A_FUNCTION_WORD}{_LETTERS}[\w'-]*\s+){{1,3}})"
    rf"(?P<type>{EN_STREET_TYPES})\b\.?{_TOWN_AFTER}", re.I | re.M)


def _a_town(words: str) -> bool:
    """Whether the words after an address's comma may be its town: no function word, courtesy
    or (in lower case) verb or adjective ("…, danke.", "…, bitte!", "…, richtig?"); two words
    capitalised both ("Bad Homburg"), or joined as in "Frankfurt am Main"."""
    names = [w for w in words.split() if w.lower() not in ("am", "an", "der", "ob", "im")] or words.split()
    if len(words.split()) == 2 and not all(w[:1].isupper() for w in names):
        return False
    return all(w.lower() not in NOT_NAMES and w.lower() not in COURTESY_WORDS
               and (w[:1].isupper() or not german_lower_case_word(w.lower())) for w in names)


def _address(match: re.Match, masked: str = "[address]") -> str:
    """``masked`` for the address, with the town after its comma when that is one; the words
    after the comma as written when they are not."""
    town = match.group("town")
    if not town or _a_town(town.strip(" \t,")):
        return masked
    return masked + town


def _in_one_word(match: re.Match) -> str:
    street = match.group("street").lower()
    return match.group(0) if street.endswith(NOT_STREETS) else _address(match)


def _apart(match: re.Match) -> str:
    """"Berliner Str. 5" is masked whole; after a function word only the street ("in der [address]")."""
    word = match.group("street")
    return _address(match, word + " [address]" if word.lower() in NOT_NAMES else "[address]")


def _said_to_be_an_address(match: re.Match) -> bool:
    """Whether a street without a suffix or postcode ("Am Markt 3") is one: a town follows it,
    a word of ADDRESS_CUES stands before it in its sentence, its preposition is capitalised
    inside a sentence, or it is all its line holds."""
    text, start, town = match.string, match.start(), match.group("town")
    end = match.start("town") if town else match.end()  # the house number's end
    sentence = _SENTENCE_END.split(text[max(0, start - ADDRESS_CUE_CHARS):start])[-1]
    if (town and _a_town(town.strip(" \t,"))) or _ADDRESS_CUE.search(sentence):
        return True
    inside = bool(sentence.strip(" \t,;:-–"))
    alone = not inside and not text[end:].split("\n", 1)[0].strip(" \t.!?")
    return alone or (inside and match.group(0)[:1].isupper())


def _named_alone(match: re.Match) -> str:
    """"Am Markt 3" is masked; "Am Montag 10." is a time (no word of the street may name one)
    and "an der Kasse 2, oder?" a till (nothing says it is an address)."""
    words = match.group("street").lower().split()
    if any(w in NOT_STREET_NAMES or w in NOT_NAMES for w in words) or not _said_to_be_an_address(match):
        return match.group(0)
    return _address(match)


def _english(match: re.Match) -> str:
    written_as_a_street = all(word[0].isupper() for word in match.group("names").split()) and \
        match.group("type")[0].isupper()
    return _address(match) if written_as_a_street or match.group("type").lower() in EN_LOWER_CASE_TYPES \
        else match.group(0)


def mask_addresses(text: str) -> str:
    """``text`` with every street address (and the postcode and town after it) as ``[address]``."""
    text = _IN_ONE_WORD.sub(_in_one_word, text)
    text = _APART.sub(_apart, text)
    text = _NAMED.sub(_address, text)
    text = _NAMED_ALONE.sub(_named_alone, text)
    return _ENGLISH.sub(_english, text)
