"""Order numbers a contact request's text gives (kb/content/order_numbers.py), and the request's
order numbers joined for the agent (kb/ops/contact_details.py): what counts, what never does."""
import pytest

from kb.content.order_numbers import order_numbers_in
from kb.ops.contact_details import (MAX_ORDER_NUMBERS_CHARS, ORDER_NUMBER, clean_order_number,
                                    request_order_numbers)


@pytest.mark.parametrize("text, found", [
    ("Bestellung 100-1234 und nochmal 100-1235", ["100-1234", "100-1235"]),
    ("Meine Bestellungen: 100-1234, 100-1235 und 100-1236.", ["100-1234", "100-1235", "100-1236"]),
    ("order #100-1234 and #100-1235", ["100-1234", "100-1235"]),
    ("Bestell-Nr. 100-1234 fehlt", ["100-1234"]),                 # the label's full stop ends no sentence
    ("Bestellnr: 123456", ["123456"]),
    ("Bestellung 100 2345 fehlt", ["100 2345"]),                  # two groups apart by a space, as the field takes
    ("bestellt am 28.11.2026, nummer 100-1234", ["100-1234"]),    # the date is none
    ("HK-2026-1234567 ist nicht angekommen", ["HK-2026-1234567"]),  # the shop's code needs no label
    ("Bestellung A1B2C3D4E5F6", ["A1B2C3D4E5F6"]),
    ("Bestellung 100-1234 100-1234, bitte", ["100-1234"]),        # once
    # another label before a number makes it something else, up to the end of its sentence
    ("Bestellung 100-1234 kam nicht, ruft mich an unter 0151 2345678", ["100-1234"]),
    ("Bestellung 100-1234. Telefon: 040 123456", ["100-1234"]),
    ("Meine Nummer ist 0151-2345678, Bestellung 100-1234", ["100-1234"]),
    ("order no. 12345 is late. My phone 0176 1234567", ["12345"]),
    ("Gutscheincode SOMMER2025 geht nicht bei Bestellung 100-1234", ["100-1234"]),
    ("Bestellung 100-1234 und die Rücksendung 100-9999", ["100-1234"]),
    # a label reaches only the numbers right after it: what comes later in the sentence is not read
    ("Bestellung 100-1234, meine Nummer 0151 2345678", ["100-1234"]),
    ("Bestellung 100-1234, Rückruf bitte: 0151 2345678", ["100-1234"]),
    ("Bestellung 12345 nach 80331 München", ["12345"]),
    ("Bestellung 100-1234 geht nicht, pw Xk9f83jq2L7m", ["100-1234"]),
])
def test_the_numbers_a_text_gives_as_orders(text, found):
    assert order_numbers_in(text) == found


@pytest.mark.parametrize("text", [
    "100-1234 fehlt noch",                        # no label and no code's letters: it may be a phone number
    "Kundennummer HK-12345", "Rechnung 2024-001", "IBAN DE89370400440532013000", "DE89370400440532013000",
    "ABCD-1234-EFGH-5678 zur Bestellung", "Bestellung 2024", "Bestellung über 129.99 EUR",
    "Bestellung über 12999 €", "Bestellung vom 3. Mai 2025 fehlt", "Bestellung 12.03.2026",
    "mail anna12345@gmx.de zur bestellung", "Bestellung https://shop.example/o/123456", "wo ist mein paket", "",
    # secrets and other companies' numbers: never kept beside the masked text
    "Login geht nicht, pw Xk9f83jq2L7m", "Zugangscode abc123def456", "Paket 1Z999AA10123456784",
    "Kd.-Nr. 12345678", "Lizenzschlüssel AB12C-DE34F-GH56I", "my password is Xk9f83jq2L7m",
])
def test_numbers_no_text_gives_as_orders(text):
    assert order_numbers_in(text) == []


def test_a_requests_order_numbers_are_the_typed_one_then_the_questions_each_once():
    question = "Bestellung 100-1234 und nochmal 100-1235, und 100-1000"
    assert request_order_numbers("100-1000", question) == "100-1000, 100-1234, 100-1235"
    assert request_order_numbers(None, question) == "100-1234, 100-1235, 100-1000"
    assert request_order_numbers("hk-98765", "Bestellung HK-98765") == "hk-98765"  # in any case once
    assert request_order_numbers("HK-2026/0042", "wo ist mein Paket?") == "HK-2026/0042"
    assert request_order_numbers(None, "wo ist mein Paket?") is None


def test_each_number_kept_is_one_the_field_would_take_and_they_fit_the_cap():
    too_long = "1" * 40  # no order number the field takes (30 characters at most)
    assert request_order_numbers(None, f"Bestellung {too_long}") is None
    many = "Bestellungen " + ", ".join(f"HK-2026-{1234500 + i}" for i in range(30))
    joined = request_order_numbers("100-1000", many)
    assert len(joined) <= MAX_ORDER_NUMBERS_CHARS and joined.startswith("100-1000, HK-2026-1234500, ")
    assert all(ORDER_NUMBER.match(n) and clean_order_number(n) == n for n in joined.split(", "))
    assert len(joined.split(", ")) == 10  # whole numbers only, none cut


HOSTILE_CHARS = 4000  # a contact question's limit
# every run is possessive and a number starts only where none stands before it: 4,000 characters
# take a few milliseconds; a pattern trying every split of a run would take seconds
HOSTILE_BOUND_S = 0.5


@pytest.mark.parametrize("unit", ["Bestellung 1-", "1-", "a-1 ", "# 1 ", "Bestellung 12345 ", "1/", "12345 " * 3,
                                  "123 ", "a.", "1.1.", "Bestellung HK-1234567-12 "])
def test_reading_a_long_hostile_text_takes_no_time_to_speak_of(unit):
    import time
    text = (unit * HOSTILE_CHARS)[:HOSTILE_CHARS]
    started = time.perf_counter()
    order_numbers_in(text)
    assert time.perf_counter() - started < HOSTILE_BOUND_S, unit


def test_a_file_pasted_as_text_gives_no_order_number():
    import base64
    import random
    for seed in range(20):  # the letters of a file fall as they may: now and then like a code
        blob = base64.b64encode(random.Random(seed).randbytes(1500)).decode()
        assert order_numbers_in(f"Bestellung 100-1234, Foto: {blob}") == ["100-1234"]
        assert order_numbers_in(f"Bestellung 100-1234\n" + "\n".join(blob[i:i + 76] for i in range(0, 2000, 76))) \
            == ["100-1234"]
