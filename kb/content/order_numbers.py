"""Order numbers in a contact request's text, for the agent who answers it.

The question is stored masked (kb/content/privacy.py): "Bestellung 100-1234 und nochmal
100-1235" reaches the inbox as "Bestellung [number] und nochmal [number]", and an agent cannot
act on it. The numbers the customer gave as orders are read from the text as sent, before it
is masked, and kept beside the request with the number typed into the order-number field
(kb/ops/contact_details.py): the agent sees every one, the inbox search finds them, and
retention and ``kb privacy erase`` remove them with the field.

A number counts as an order's only where the text says so, as a phone, customer or invoice
number has the same digits:

* a number of five digits or more (in groups joined by "-", "/", "." or single spaces: "100-1234",
  "100 2345", "2026/0042") or a code of letters and digits ("A1B2C3D4E5F6") right after a word for
  an order ("Bestellung", "Bestell-Nr.", "Auftrag", "order", "#"), or after another such number,
  with only joining words between them (``JOINING_WORDS``: "Bestellung 100-1234 und nochmal
  100-1235": both; "Bestellung 100-1234, meine Nummer 0151 2345678" or "Bestellung 12345 nach 80331
  München": only the first). Any other word ends the label's reach: what a customer writes
  later in the sentence (a phone number, a postcode, a password) is never read as an order;
* a code as the shop writes its orders, capitals, a hyphen and digits ("HK-2026-1234567",
  "HK-98765"), also without a label, unless another label names it ("Kundennummer HK-12345").

Dates, prices, IBANs, voucher codes ("ABCD-1234-EFGH-5678") and files pasted as text are never
order numbers, and a number with no label and no code's letters ("100-1234 fehlt") is left to
the masked text: it may as well be a phone number.
"""

from __future__ import annotations

import re

from kb.content.attachments import without_attachments

# the words that may stand between an order's label and its number, or between two of its numbers
JOINING_WORDS = frozenset(("und and sowie oder or nochmal noch auch also die der das den the mit with "
                           "nr no nummer nummern number numbers ist is lautet lauten are am vom on from "
                           "of von").split())
_GAP_WORD = re.compile(r"[^\W\d_]+")
MIN_ORDER_DIGITS = 5  # "Bestellung 2024" is a year, "Bestellung 4,95" a price; "12345" an order
# words that make the numbers after them in their sentence an order's ("Bestellnummer",
# "bestellt", "Auftragsnr.", "order no.", "orders")
ORDER_LABELS = r"bestell\w*|auftrag\w*|order\w*"
# words that make the number after them something else: a customer's, an invoice's, a parcel's,
# a phone's, a voucher's, a product's number, or a password
OTHER_LABELS = (r"kunde\w*|rechnung\w*|invoice\w*|sendung\w*|r(?:ü|ue)cksend\w*|tracking\w*|paketnummer\w*|retoure\w*|"
                r"vertrag\w*|contract\w*|customer\w*|account\w*|konto\w*|iban|bic|blz|tel|tel\.|telefon\w*|fon|"
                r"phone\w*|handy\w*|mobil\w*|fax|ruf\w*|anruf\w*|call\w*|erreichbar\w*|whatsapp|gutschein\w*|"
                r"voucher\w*|coupon\w*|promo\w*|rabatt\w*|aktion\w*|code|passwor[dt]\w*|kennwort\w*|pin|plz|"
                r"postleitzahl|zip|postcode|artikel\w*|item\w*|sku|ean|gtin|serie\w*|serial\w*|imei|modell\w*|"
                r"model\w*|steuer\w*|ust\w*|vat|pw|pwd|passwd|pass|login|zugang\w*|lizenz\w*|licen[cs]e\w*|key|tan|otp")

# a number: digits in groups joined by - / . ("100-1234", "2026/0042"), two groups of three
# digits or more apart by a space ("100 2345"; "Bestellung 12345 3 Stück" is no "12345 3"), or
# letters and digits ("HK-2026-1234567")
_NUMBER = (r"(?<![\w+(/.@-])(?:\d{3,}+ \d{3,}+(?![ ]?\d|[-/.]\d)|\d++(?:[-/.]\d++)*+"
           r"|[A-Za-z0-9]++(?:[-/.][A-Za-z0-9]++)*+)(?![\w@-]|[./]\w)")
_READ = re.compile(rf"(?P<order>\b(?:{ORDER_LABELS})\b|#(?=\s*\w))|(?P<other>\b(?:{OTHER_LABELS})(?![\w-]))"
                   rf"|(?P<end>[!?\n]|\.(?=\s+[^\W\d_]|\s*$))|(?P<number>{_NUMBER})", re.I)
# the letters and digits of a shop's order code ("HK-2026-1234567", "HK-98765", "A1B2C3D4E5F6")
_ORDER_CODE = re.compile(r"[A-Z]{1,4}-\d{4,}(?:-\d{2,})*")  # case-sensitive: capitals, hyphen, digits
_NOT_AN_ORDER = re.compile(
    r"\d{1,2}\.\d{1,2}\.\d{2,4}|\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}"  # dates
    r"|\d+[.,]\d{1,2}"                                                          # prices: "129.99"
    r"|[A-Z]{2}\d{2}[A-Z0-9]{11,30}"                                            # IBANs
    r"|[A-Z0-9]{4}(?:-[A-Z0-9]{4}){2,}", re.I)                                  # vouchers
_AMOUNT_AFTER = re.compile(r"\s*(?:€|eur\b|euro\b|\$|usd\b|chf\b|%|prozent\b|percent\b)", re.I)


def _digits(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _an_order(number: re.Match, labelled_as_order: bool) -> bool:
    """Whether ``number``, with the label before it, is an order's number."""
    text = number.group()
    if _NOT_AN_ORDER.fullmatch(text) or _AMOUNT_AFTER.match(number.string, number.end()):
        return False
    if _digits(text) < MIN_ORDER_DIGITS:
        return False
    return labelled_as_order or bool(_ORDER_CODE.fullmatch(text))


def _joined(gap: str) -> bool:
    """Whether the text between an order's label (or number) and the next number only joins them."""
    gap = _NOT_AN_ORDER.sub(" ", gap)  # "bestellt am 28.11.2026, nummer 100-1234"
    return all(word.lower() in JOINING_WORDS for word in _GAP_WORD.findall(gap))


def order_numbers_in(text: str) -> list[str]:
    """The order numbers ``text`` gives, as written, in order, each once (see the module's rules);
    a file pasted as text (kb/content/attachments.py) holds none, however its letters fall."""
    found: list[str] = []
    label, reach = None, 0  # the last label in the sentence so far, and where its reach got to
    for part in _READ.finditer(without_attachments(text or "", " ")):
        kind = part.lastgroup
        if kind == "end":
            label = None
        elif kind in ("order", "other"):
            label, reach = kind, part.end()
        elif label != "other" and _digits(part.group()):  # a word: the gap to the next number reads it
            labelled = label == "order" and _joined(part.string[reach:part.start()])
            if labelled:
                reach = part.end()
            if _an_order(part, labelled) and part.group() not in found:
                found.append(part.group())
    return found
