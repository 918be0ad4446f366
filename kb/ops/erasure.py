"""Erasing a customer's e-mail address from everything stored: ``kb privacy erase --email``.

A customer may ask for their data to be erased. Their address is what ties what is
stored to them, so it goes everywhere: from their contact requests (the masked question
stays for the inbox, without a way to reach or identify them), with the order numbers
given in those requests (kb/ops/contact_details.py), and from the hand-offs of those
requests to the helpdesk (kb/ops/handoff/outbox.py): a delivered hand-off loses its
payload, one still on its way keeps the masked question but no reply address or order
number. Free text is masked before it is stored, so the address should never be in a
question, a search or a comment; where it is all the same (written in a way masking
missed), it is replaced by ``[email]`` there too.

The address is compared without regard to case, so "Anna@GMX.de" erases "anna@gmx.de".
All of it is one transaction: erased completely, or not at all.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from kb.ops.contact_details import ContactDetails
from kb.ops.database import Store
from kb.ops.handoff.outbox import Outbox
from kb.ops.retention import CLEARED_PAYLOAD

# free text that is masked when stored, and may hold an address all the same: (table, column)
FREE_TEXT = (("contact_requests", "question"), ("contact_requests", "query"), ("searches", "query"),
             ("feedback", "comment"))
PERSONAL_PAYLOAD_FIELDS = ("reply_to", "order_number")  # what a hand-off on its way loses


class ErasureError(ValueError):
    """The address to erase is no e-mail address."""


@dataclass(frozen=True)
class ErasureReport:
    address: str
    requests: int          # contact requests whose reply address was removed
    order_numbers: int     # order numbers given with those requests
    payloads: int          # hand-offs to the helpdesk without the address
    texts: int             # questions, searches, comments with the address replaced

    @property
    def nothing(self) -> bool:
        return not (self.requests or self.order_numbers or self.payloads or self.texts)


def checked_address(address: str) -> str:
    """The address as compared: checked, normalised (domain in lower case), case-folded."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False, allow_display_name=False)
    except EmailNotValidError as exc:
        raise ErasureError(f"{address!r} is not an e-mail address: {exc}") from exc
    return checked.normalized.casefold()


def erase_address(store: Store, address: str) -> ErasureReport:
    """Remove ``address`` from contact requests, their order numbers and hand-offs, and from free text."""
    wanted = checked_address(address)
    ContactDetails(store)  # their tables, in a database that never handed anything off
    Outbox(store)
    with store.transaction() as db:
        requests = [(r["id"], r["ref"]) for r in db.execute(
            "SELECT id, ref, email FROM contact_requests WHERE email IS NOT NULL").fetchall()
            if r["email"].casefold() == wanted]
        refs = [ref for _id, ref in requests]
        order_numbers = 0
        if requests:
            marks = ", ".join("?" * len(requests))
            db.execute(f"UPDATE contact_requests SET email = NULL WHERE id IN ({marks})",
                       tuple(i for i, _ref in requests))
            order_numbers = db.execute(f"UPDATE contact_details SET order_number = NULL WHERE ref IN ({marks}) "
                                       "AND order_number IS NOT NULL", tuple(refs)).rowcount
        payloads = _erase_from_outbox(db, refs, wanted)
        texts = sum(_erase_from_text(db, table, column, wanted) for table, column in FREE_TEXT)
    return ErasureReport(wanted, len(requests), order_numbers, payloads, texts)


def _like_anywhere(address: str) -> str:
    """A LIKE pattern (ESCAPE '\\') for text that holds ``address``: "_" and "%" are letters there."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", address) + "%"


def _erase_from_outbox(db, refs: list[str], wanted: str) -> int:
    """Hand-offs of the customer's requests, or holding the address: delivered ones lose their
    payload, those on their way the address, the order number and the address in their text."""
    marks = ", ".join("?" * len(refs))
    rows = db.execute(
        "SELECT id, ref, payload, sent_at FROM handoff_outbox WHERE payload <> ? AND ("
        + (f"ref IN ({marks}) OR " if refs else "") + "lower(payload) LIKE ? ESCAPE '\\')",
        (CLEARED_PAYLOAD, *refs, _like_anywhere(wanted))).fetchall()
    address = re.compile(re.escape(wanted), re.IGNORECASE)
    changed = 0
    for row in rows:
        if row["sent_at"] is not None:
            payload = CLEARED_PAYLOAD
        else:
            fields = json.loads(row["payload"])
            for name in PERSONAL_PAYLOAD_FIELDS:
                fields[name] = None
            payload = address.sub("[email]", json.dumps(fields, ensure_ascii=False))
        if payload != row["payload"]:
            db.execute("UPDATE handoff_outbox SET payload = ? WHERE id = ?", (payload, row["id"]))
            changed += 1
    return changed


def _erase_from_text(db, table: str, column: str, wanted: str) -> int:
    """Rows of ``table`` whose ``column`` holds the address, with it replaced by ``[email]``."""
    address = re.compile(re.escape(wanted), re.IGNORECASE)
    changed = 0
    for row in db.execute(f"SELECT id, {column} AS text FROM {table} WHERE lower({column}) LIKE ? ESCAPE '\\'",
                          (_like_anywhere(wanted),)).fetchall():
        text = address.sub("[email]", row["text"])
        if text != row["text"]:
            db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (text, row["id"]))
            changed += 1
    return changed
