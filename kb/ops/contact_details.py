"""What a contact request carries besides the question: an order number kept as given, and the reply choice.

The question text is masked before storing (:mod:`kb.content.privacy`), which
also masks an order number typed into it. A customer who wants the team to
find their order gives it in its own field instead, with consent, and it is
kept exactly as typed. ``no_reply`` records that the customer chose not to
give a reply address, so the agent sees that instead of wondering.
"""

from __future__ import annotations

import re

from kb.ops.database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS contact_details (
    ref TEXT PRIMARY KEY,                -- contact_requests.ref
    order_number TEXT,                   -- as typed by the customer, with consent
    no_reply INTEGER NOT NULL DEFAULT 0  -- 1: the customer chose to give no reply address
);
"""

# Letters, digits and - / . inside, single spaces between groups, at least one digit, 3 to 30
# characters: "100-2345", "HK-2026/0042", "100 2345".
ORDER_NUMBER = re.compile(r"^(?=.*\d)[A-Za-z0-9](?:[A-Za-z0-9./-]| (?! )){1,28}[A-Za-z0-9]$")
MAX_ORDER_CHARS = 30
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
