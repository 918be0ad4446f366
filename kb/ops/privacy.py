"""Masking personal data before anything a customer typed is stored.

Customers paste order numbers, card numbers, phone numbers and email addresses
into search boxes and forms. We keep the question (editors need the wording)
but never the identifiers: stored text has them replaced by placeholders.
"""

from __future__ import annotations

import re

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# IBAN: two letters, two digits, then 10-30 letters/digits, optionally grouped by spaces
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?:[ ]?[A-Z0-9]{2,4}){3,8}\b", re.IGNORECASE)
# phone numbers: +49 40 1234 5670, 040/123456-78, (040) 123 456 ...: 6+ digits with separators
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\(?\d[\d ()/.\-]{5,}\d(?![\w])")
_LONG_DIGITS = re.compile(r"\d{5,}")


def _mask_digits_run(match: re.Match) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < 6:
        return text  # a price, a year, a postcode fragment: harmless and useful
    return "[number]"


def mask_pii(text: str) -> str:
    """Replace email addresses, phone numbers, IBANs and long digit runs.

    Short numbers (prices, years, "3 weeks", postcodes of five digits) stay:
    they carry meaning for editors and identify nobody.
    """
    if not text:
        return text
    text = _EMAIL.sub("[email]", text)
    text = _IBAN.sub(lambda m: "[iban]" if sum(c.isdigit() for c in m.group(0)) >= 8 else m.group(0), text)
    text = _PHONE.sub(_mask_digits_run, text)
    text = _LONG_DIGITS.sub(lambda m: "[number]" if len(m.group(0)) >= 6 else m.group(0), text)
    return text
