"""What a contact request carries besides the question: its order numbers, and the reply choice.

The question text is masked before storing (:mod:`kb.content.privacy`), which
also masks an order number typed into it. So that the agent still has every
order number to act on, the request keeps them beside the question: the one
the customer typed into the order-number field, exactly as typed, then those
the question's text gives as orders ("Bestellung 100-1234 und nochmal 100-1235":
:mod:`kb.content.order_numbers`), joined as "100-1234, 100-1235" in the one
column the inbox shows and searches, and retention and ``kb privacy erase``
clear. Every request is sent with consent to store it. ``no_reply`` records that
the customer chose not to give a reply address, so the agent sees that instead
of wondering.
"""

from __future__ import annotations

import re

from kb.content.order_numbers import order_numbers_in
from kb.ops.database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS contact_details (
    ref TEXT PRIMARY KEY,                -- contact_requests.ref
    order_number TEXT,                   -- as typed by the customer, with those of the question: "100-1234, 100-1235"
    no_reply INTEGER NOT NULL DEFAULT 0  -- 1: the customer chose to give no reply address
);
"""

# Letters, digits and - / . inside, single spaces between groups, at least one digit, 3 to 30
# characters: "100-2345", "HK-2026/0042", "100 2345".
ORDER_NUMBER = re.compile(r"^(?=.*\d)[A-Za-z0-9](?:[A-Za-z0-9./-]| (?! )){1,28}[A-Za-z0-9]$")
MAX_ORDER_CHARS = 30
# a request's order numbers are joined by this, as many whole ones as fit MAX_ORDER_NUMBERS_CHARS:
# ten of the shop's "HK-2026-1234567"; more in one question are a list pasted, not orders to look up
ORDER_NUMBERS_SEPARATOR = ", "
MAX_ORDER_NUMBERS_CHARS = 170
# what customers write before an order number, not part of it: "#100-2345", "Nr. 100-2345"
_NUMBER_SIGN = re.compile(r"^(?:#\s*|(?:nr|no|nummer|number)(?:[.:]\s*|\s+))", re.IGNORECASE)


def clean_order_number(value: str | None) -> str | None:
    """The order number as typed, without spaces around it or a number sign before it
    ("#", "Nr."); None when empty; ValueError when it has a wrong shape."""
    value = _NUMBER_SIGN.sub("", (value or "").strip())
    if not value:
        return None
    if len(value) > MAX_ORDER_CHARS or not ORDER_NUMBER.match(value):
        raise ValueError(value)
    return value


def request_order_numbers(typed: str | None, question: str) -> str | None:
    """A request's order numbers joined ("100-1234, 100-1235"): the one typed into its field
    first (already checked by :func:`clean_order_number`), then those the question gives, each
    in the field's own format and once (in any case), as many as fit MAX_ORDER_NUMBERS_CHARS;
    None when there is none."""
    numbers = [typed] if typed else []
    for found in order_numbers_in(question):
        number = _as_order_number(found)
        if number and number.casefold() not in {n.casefold() for n in numbers}:
            numbers.append(number)
    joined = ""
    for number in numbers:
        longer = joined + ORDER_NUMBERS_SEPARATOR + number if joined else number
        if len(longer) > MAX_ORDER_NUMBERS_CHARS:
            break
        joined = longer
    return joined or None


def _as_order_number(found: str) -> str | None:
    """A number read from the question when the order-number field would take it, else None."""
    try:
        return clean_order_number(found)
    except ValueError:
        return None


class ContactDetails:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)

    def save(self, ref: str, order_number: str | None, no_reply: bool) -> None:
        if order_number is None and not no_reply:
            return
        with self.store.transaction() as db:
            db.execute("INSERT INTO contact_details (ref, order_number, no_reply) VALUES (?, ?, ?) "
                       "ON CONFLICT (ref) DO UPDATE SET order_number = excluded.order_number, "
                       "no_reply = excluded.no_reply", (ref, order_number, int(no_reply)))

    def of(self, refs: list[str]) -> dict[str, dict]:
        if not refs:
            return {}
        rows = self.store.query("SELECT ref, order_number, no_reply FROM contact_details "
                                f"WHERE ref IN ({', '.join('?' * len(refs))})", tuple(refs))
        return {r["ref"]: {"order_number": r["order_number"], "no_reply": bool(r["no_reply"])} for r in rows}
