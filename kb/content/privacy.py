"""Masking personal data before anything a customer typed is stored.

Customers paste order numbers, voucher codes, card numbers, phone numbers,
addresses, e-mail addresses and even passwords into search boxes and forms, and sign
with their name as in a letter.
We keep the question (editors need the wording) but never the identifiers:
stored text has them replaced by placeholders. Each pattern is written for
German and English text and leaves ordinary questions alone ("Größe 42",
"iPhone 15 case", "rücksendung nach 3 wochen").
"""

from __future__ import annotations

import re

from kb.content.attachments import without_attachments
from kb.content.introductions import introduced_names
from kb.content.person_names import named_people
from kb.content.salutations import signed_name
from kb.content.spelled_out import MAILBOX_PROVIDERS, mask_spelled_digits, mask_spelled_emails
from kb.content.street_addresses import mask_addresses
from kb.content.word_forms import dictionary_word

# -- passwords: "mein Passwort ist Geheim123!", "password: hunter2" --------------------------
_PASSWORD = re.compile(
    r"\b(pass(?:wort|word|wd)|kennwort|pw|pwd|pin)\b"
    r"((?:\s*(?:(?:ist|lautet|war|is|was)\b|[:=])\s*)+|\s+)"
    r"(\S+)", re.IGNORECASE)
# after "ist"/"is" these describe the password; they are no password themselves
_NOT_A_SECRET = {"falsch", "nicht", "not", "wrong", "incorrect", "invalid", "ungültig", "abgelaufen",
                 "expired", "gesperrt", "locked", "blocked", "vergessen", "forgotten", "zu", "too", "korrekt",
                 "correct", "richtig", "right", "weg", "gone", "leer", "empty", "kaputt", "broken", "unbekannt",
                 "unknown", "immer", "always", "noch", "still", "jetzt", "now", "sicher", "safe", "secure",
                 "der", "die", "das", "ein", "eine", "mein", "the", "a", "my", "an", "schon", "already"}

# -- e-mail addresses, plain and spelled out: max(at)example(dot)com, max [at] example [dot] com --
# the domains most customers' mailboxes are at: "anna at gmx.de" is an address, "look at amazon.de" none
_PROVIDERS = "|".join(re.escape(name) for name in sorted(MAILBOX_PROVIDERS, key=len, reverse=True))
# full-width forms of ASCII ("ＡＮＮＡ＠ＧＭＸ．ＤＥ") read as ASCII before anything is looked for
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_AT = "@\uff20\ufe6b"  # "@" and its full-width and small look-alikes ("anna＠gmx.de")
# Every local part starts where no address character stands before it, and every run is
# possessive: the search stays linear in the text's length. Tried from inside a run, or
# giving characters back between a run and the next, it would take cubic time on text
# without an address, and any customer may send such text (tests/test_privacy.py times it).
_LOCAL = r"(?<![\w.+-])[\w.+-]++"
_LABELS = r"[\w-]++(?:\.[\w-]++)+"  # example.com, mail.example.co.uk
_EMAIL = re.compile(rf"{_LOCAL}[{_AT}]{_LABELS}", re.UNICODE)
_BRACKETED_AT = rf"\s*[(\[{{<]\s*(?:at|ät|bei|[{_AT}])\s*[)\]}}>]\s*"
_WORD_DOT = r"(?:\s*[(\[{<]\s*(?:dot|punkt|\.)\s*[)\]}>]\s*|\s+(?:dot|punkt)\s+)"
# "anna punkt schmidt": a local part starts at the chain's first word, never after a spelled
# dot, so each chain is read once (starting at every word of "x dot x dot …" would be quadratic)
_NOT_AFTER_A_DOT = r"(?<!dot )(?<!punkt )(?<![)\]}>] )(?<![)\]}>])"
_SPELLED_LOCAL = rf"{_NOT_AFTER_A_DOT}{_LOCAL}(?:{_WORD_DOT}[\w+-]++)*"
_SPELLED_EMAIL = re.compile(
    rf"{_SPELLED_LOCAL}(?:{_BRACKETED_AT}|\s*[{_AT}]\s*)[\w-]++(?:(?:{_WORD_DOT}|\s*\.\s*)[\w-]++)+"
    # "max at example dot com", "anna punkt schmidt at gmx punkt de": a plain "at" counts only
    # with a spelled-out dot ("look at amazon.de" stays),
    rf"|{_SPELLED_LOCAL}\s+(?:at|ät)\s+[\w-]++(?:{_WORD_DOT}[\w-]++)+"
    # or after a local part spelled with dots ("anna punkt schmidt at firma.de"),
    rf"|{_NOT_AFTER_A_DOT}{_LOCAL}(?:{_WORD_DOT}[\w+-]++)+\s+(?:at|ät)\s+[\w-]++(?:\.[\w-]++)*\.[^\W\d_]{{2,}}+\b"
    # or after a name joined by a dot or "_" (after any marks: "...klaus.weber") or ending in
    # digits ("klaus.weber at web.de", "anna85 at gmx.de"), not by an abbreviation's dot ("u.a.")
    rf"|(?<![\w.+-])(?:(?=[._+-]*+(?:[^\W_]|[+-])++[._][\w+-])|(?=[._+-]*+[^\W\d_][\w.+-]*+(?<=\d)\s))[\w.+-]++(?<!\.)"
    r"\s+(?:at|ät)\s+[\w-]++(?:\.[\w-]++)*\.[^\W\d_]{2,}+\b"
    # or before a mailbox provider's domain ("anna at gmx.de")
    rf"|{_SPELLED_LOCAL}\s+(?:at|ät)\s+(?:{_PROVIDERS})\.[^\W\d_]{{2,}}\b",
    re.IGNORECASE)

# -- codes: vouchers ABCD-EFGH-IJKL-MNOP, orders HK-98765 and A1B2C3D4E5F6 --------------------
_VOUCHER = re.compile(r"\b[A-Z0-9]{4}(?:-[A-Z0-9]{4}){2,}\b", re.IGNORECASE)
_VOUCHER_SPACED = re.compile(r"\b[A-Z0-9]{4}(?: [A-Z0-9]{4}){2,}\b")  # capitals only: words are not codes
_PREFIXED_CODE = re.compile(r"\b[A-Z]{1,4}-?\d{4,}(?:-\d{2,})*\b", re.IGNORECASE)
_MIXED_CODE = re.compile(r"\b[A-Z0-9]{10,40}\b", re.IGNORECASE)
MIN_CODE_DIGITS = 5        # "WM-2026", "ISO-9001" stay; "HK-98765" is an order
MIN_MIXED_DIGITS = 3       # "WH1000XM4" is a product (9 characters); "A1B2C3D4E5F6" a code
MIN_MIXED_LETTERS = 2

# -- full dates: 28.11.2026, 28.11.26, 2026-11-28, 11/28/2026 --------------------------------
# a date with its year would otherwise read as a phone number; it may be a birth date, so it
# is masked all the same, as a date: "bestellung vom [date]" tells an editor what was asked
_DATE = re.compile(
    r"(?<![\w.])(?:\d{1,2}\.\s?\d{1,2}\.\s?(?:\d{4}|\d{2})|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/(?:\d{4}|\d{2}))"
    r"(?![\w/-]|\.\d)")

# -- dates with a month's name: "12. März 1985", "March 12, 1985", "12th of March 1985", "Mai 2024" --
# a month's name alone ("im März", "in March") says when, not who: only with a year is it masked
_MONTHS = (r"(?:januar|jänner|jaenner|februar|märz|maerz|april|mai|juni|juli|august|september|oktober|november"
           r"|dezember|january|february|march|(?-i:May)|june|july|october|december"
           r"|(?:jan|feb|mär|mrz|mar|apr|jun|jul|aug|sept?|okt|oct|nov|dez|dec)\.?)")
_DAY = r"\d{1,2}(?:\.|st|nd|rd|th)?\s*(?:of\s+)?"
_YEAR = r"(?:19|20)\d{2}(?![\w.,]\d)(?!\w)"
_MONTH_DATE = re.compile(
    rf"(?<![\w.])(?:{_DAY})?{_MONTHS}(?<=[\w.])(?:\s*\d{{1,2}}(?:st|nd|rd|th)?,?)?\s+{_YEAR}",
    re.IGNORECASE)

# -- voucher codes named as such: "Gutscheincode SOMMER25", "promo code X7Y8Z9" ---------------
# only after the word that names a code, and only a token no word looks like: letters with
# digits, or capitals ("Gutschein einlösen", "voucher expired" stay)
_CODE_WORDS = (r"gutschein(?:-?code|-?nummer)?|rabatt-?code|aktions-?code|promo-?code"
               r"|(?:voucher|coupon|promo(?:tion)?)(?:\s+code)?|discount\s+code")
_NAMED_VOUCHER = re.compile(
    rf"\b({_CODE_WORDS})\b((?:\s*(?:(?:ist|lautet|war|is|was)\b|[:=-]))?\s*[\"'„“‚‘»«]?)"
    r"([A-Za-z0-9][A-Za-z0-9-]{2,18}[A-Za-z0-9])(?![\w-])", re.IGNORECASE)

_AMOUNT_WITH_UNIT = re.compile(r"\d+-[^\W\d]+$")  # "10-percent", "50-EUR": an amount, no code
VOUCHER_WORD_LANGS = ("de", "en")  # the languages whose words in capitals are emphasis, not a code

# -- IBANs, phone numbers and long digit runs ------------------------------------------------
# IBAN: two letters, two digits, then 10-30 letters/digits, optionally grouped by spaces
# (in either case: "gb29 nwbk 6016 …"; words the groups run into are given back, see _iban)
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{2,4}){3,8}\b", re.IGNORECASE)
_TRAILING_WORDS = re.compile(r"(?:\s+[^\W\d_]+)+$")  # "… 00 erstattung": the words after the last digits
# a number a customer labels as theirs: "Bestellnummer 98765", "Kundennr.: 4711", "order no. 12345"
_NUMBER_LABELS = (r"(?:bestell(?:ungs)?|auftrags|kunden|rechnungs|sendungs|vertrags|retouren)[-\s]?(?:nummer|nr\.?)"
                  r"|(?:order|customer|invoice|tracking|account|contract)\s*(?:number|no\.?|nr\.?|#)")
# the number with its parts: "2024-001", "0034 0434 1234", "HK/2026/77"
_LABELLED_NUMBER = re.compile(rf"\b({_NUMBER_LABELS})(\s*(?:ist|is|lautet|:|#|-)?\s*)#?\d{{3,}}(?:[ /.-]\d+)*\b",
                              re.IGNORECASE)
# phone numbers: +49 40 1234 5670, 040/123456-78, (040) 123 456 ...: 6+ digits with separators
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\(?\d[\d ()/.\-]{5,}\d(?![\w])")
_LONG_DIGITS = re.compile(r"\d{5,}")


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _iban(match: re.Match) -> str:
    """An IBAN masked, the words its groups ran into kept ("… 0130 00 erstattung")."""
    text = match.group(0)
    tail = _TRAILING_WORDS.search(text)
    number, rest = (text[:tail.start()], tail.group(0)) if tail else (text, "")
    return ("[iban]" + rest) if _digits(number) >= 8 else text


MIN_SECRET_CHARS = 4  # "2x falsch", "8 zeichen" say something about the password; "hunter2" is one
_QUOTES_AND_MARKS = ".,;:!?()[]{}\"'„“”‚‘’«»"
_COUNT_OR_AMOUNT = re.compile(r"\d+-?[^\W\d_]+|\d+[.,]\d+")  # "3-mal", "2fach", "8-stellig", "12.34"


def _looks_secret(token: str) -> bool:
    """A word right after "Passwort" that no word, count or amount looks like: letters with
    digits or marks ("hunter2", "Secr3t!"), or digits ("1234"); not "3-mal", "8-stellig",
    "2-factor", "(neu)", "„vergessen“", "12.34", "isn't"."""
    plain = token.strip(_QUOTES_AND_MARKS)
    word = plain.replace("-", "").replace("'", "").replace("’", "")  # "isn't", "doesn’t", "e-mail"
    return not (len(plain) < MIN_SECRET_CHARS or word.isalpha()
                or _COUNT_OR_AMOUNT.fullmatch(plain))


def _password(match: re.Match) -> str:
    secret = match.group(3)
    if not match.group(2).strip():  # "mein passwort hunter2 geht nicht": only what no word looks like
        return match.group(1) + match.group(2) + "[password]" if _looks_secret(secret) \
            else match.group(0)
    described = any(word in match.group(2).lower() for word in ("ist", "lautet", "war", "is", "was"))
    if described and secret.strip(".,;!?").lower() in _NOT_A_SECRET and ":" not in match.group(2):
        return match.group(0)  # "mein Passwort ist falsch": a question about the password, not the password
    return match.group(1) + match.group(2) + "[password]"


def _voucher(match: re.Match) -> str:
    text = match.group(0)
    return "[voucher]" if any(ch.isdigit() for ch in text) or text.isupper() else text


def _named_voucher(match: re.Match) -> str:
    """The code after "Gutscheincode", "voucher code" and the like masked, when it looks like one:
    letters with digits ("SOMMER25"; not an amount with its unit, "50-EUR"), or capitals no
    dictionary holds ("XKQZT"). A word in capitals is emphasis ("Der Gutschein ist ABGELAUFEN"),
    and a campaign's word ("WINTER") is everyone's code, nobody's data."""
    word, gap, token = match.groups()
    letters = any(ch.isalpha() for ch in token)
    mixed = letters and any(ch.isdigit() for ch in token) and not _AMOUNT_WITH_UNIT.match(token)
    shouted = (letters and token.isupper() and not word.isupper()  # "GUTSCHEIN FUNKTIONIERT NICHT" stays
               and not any(_a_word(part) for part in token.split("-")))
    return word + gap + "[voucher]" if mixed or shouted else match.group(0)


def _a_word(text: str) -> bool:
    return any(dictionary_word(text.lower(), lang) for lang in VOUCHER_WORD_LANGS)


def _prefixed_code(match: re.Match) -> str:
    return "[code]" if _digits(match.group(0)) >= MIN_CODE_DIGITS else match.group(0)


def _mixed_code(match: re.Match) -> str:
    text = match.group(0)
    digits = _digits(text)
    return "[code]" if digits >= MIN_MIXED_DIGITS and len(text) - digits >= MIN_MIXED_LETTERS else text


def _mask_digits_run(match: re.Match) -> str:
    text = match.group(0)
    if _digits(text) < 6:
        return text  # a price, a year, a postcode fragment: harmless and useful
    return "[number]"


def _without_names(text: str) -> str:
    """The text with its names masked: those a customer introduces themselves with, the one
    signed under the text, and people named anywhere ("Frau Müller", "an Petra Schulze", "Kevin
    here"; kb/content/person_names.py). Last first, so the spans before stay where they are; a
    name found more than one way is masked once, as the first and longest way found it."""
    spans = introduced_names(text) + named_people(text)
    signed = signed_name(text)
    if signed is not None:
        spans.append(signed)
    kept: list[tuple[int, int]] = []
    for start, end in sorted(spans, key=lambda span: (span[0], -span[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    for start, end in reversed(kept):
        text = text[:start] + "[name]" + text[end:]
    return text


def mask_pii(text: str) -> str:
    """Replace files pasted as text (base64, data: URIs: kb/content/attachments.py), passwords,
    e-mail addresses (also read aloud: kb/content/spelled_out.py), street
    addresses (kb/content/street_addresses.py), voucher codes (also named: "Gutscheincode SOMMER25") and
    order codes, IBANs, full dates (also with a month's name: "12. März 1985"), phone
    numbers (also in digit words), long digit runs, a name signed under the text ("Viele Grüße,
    Anna Schmidt"; kb/content/salutations.py), one a customer introduces themselves with
    ("mein Name ist Anna Schmidt,", "hier ist Anna Schmidt."; kb/content/introductions.py) and
    people named anywhere ("Frau Müller", "an Petra Schulze", "Kevin here";
    kb/content/person_names.py).

    Short numbers (prices, years, sizes, "3 weeks", postcodes of five digits)
    stay: they carry meaning for editors and identify nobody.
    """
    if not text:
        return text
    text = text.translate(_FULL_WIDTH)
    text = without_attachments(text)  # first: the other patterns would find "codes" in a file's letters
    text = _PASSWORD.sub(_password, text)
    text = _EMAIL.sub("[email]", text)
    text = mask_spelled_emails(text)
    text = _SPELLED_EMAIL.sub("[email]", text)
    text = mask_addresses(text)
    text = _IBAN.sub(_iban, text)
    text = _LABELLED_NUMBER.sub(lambda m: m.group(1) + m.group(2) + "[number]", text)
    text = _NAMED_VOUCHER.sub(_named_voucher, text)
    text = _VOUCHER.sub(_voucher, text)
    text = _VOUCHER_SPACED.sub(_voucher, text)
    text = _PREFIXED_CODE.sub(_prefixed_code, text)
    text = _MIXED_CODE.sub(_mixed_code, text)
    text = _MONTH_DATE.sub("[date]", text)
    text = _DATE.sub("[date]", text)
    # digit words after dates: the figures of a date next to a count are no phone number
    text = mask_spelled_digits(text)
    text = _PHONE.sub(_mask_digits_run, text)
    text = _LONG_DIGITS.sub(lambda m: "[number]" if len(m.group(0)) >= 6 else m.group(0), text)
    return _without_names(text)
