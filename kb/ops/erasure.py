"""Erasing a customer's e-mail address from everything stored: ``kb privacy erase --email``.

A customer may ask for their data to be erased. Their address is what ties what is
stored to them, so it goes everywhere: from their contact requests (the masked question
stays for the inbox, without a way to reach or identify them; ``email_removed`` records
that it was erased on request, so the inbox does not claim none was given), with the
order numbers given in those requests (kb/ops/contact_details.py), and from the hand-offs
of those requests to the helpdesk (kb/ops/handoff/outbox.py): each loses its payload, and
one not yet delivered is cancelled. Delivered later, it would put the customer's message
and address into the helpdesk after they asked for their data to be erased, where this
command cannot reach it; the request stays in the inbox, without the address. (A hand-off
a deliverer is sending at that very moment, leased, still arrives: the deliverer read its
payload when it claimed it, and the inbox then says "delivered"; the report counts it apart,
as being sent, not as cancelled.) Free text is masked before it is stored, so the address should never be in a
question, a search or a comment; where it is all the same (written in a way masking
missed), it is replaced by ``[email]`` there too.

The address is compared without regard to case, so "Anna@GMX.de" erases "anna@gmx.de", and
only as a whole address: erasing "anna@gmx.de" leaves "hanna@gmx.de" as it is. Letters beyond
ASCII count as written ("straße@web.de" is no "strasse@web.de"). Only the customer's own
hand-offs lose their payload or are cancelled; in other rows' text the address is
replaced and nothing else changes. Learned phrasings and editors' decisions on them
(kb/ops/learning.py) are free text too, and so is a failed hand-off's last error, which may
quote what the helpdesk said about the payload.
All of it is one transaction: erased completely, or not at all.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email

from kb.content.phrasing import fold
from kb.ops import learning
from kb.ops.contact_details import ContactDetails
from kb.ops.database import Store
from kb.ops.handoff.outbox import NEVER_DUE, Outbox
from kb.ops.retention import CLEARED_PAYLOAD

# free text that is masked when stored, and may hold an address all the same: (table, column).
# handoff_outbox.last_error: a helpdesk's error message may quote the payload's reply address.
# learning_evidence.phrasing and question_decisions.phrasing keep their own rows, with a folded
# copy beside the phrasing (see _erase_from_evidence, _erase_from_decisions)
FREE_TEXT = (("contact_requests", "question"), ("contact_requests", "query"), ("searches", "query"),
             ("feedback", "comment"), ("handoff_outbox", "last_error"))
ERASED = "[email]"
# contact_requests.email_removed of an address erased here (the inbox says it was removed on
# request), and handoff_outbox.cancelled of a hand-off cancelled here
ERASED_ON_REQUEST = "erasure"
# characters of an address that, standing right before or after it, make it part of another
# one ("hanna@gmx.de", "anna@gmx.de.example"); a dot that ends a sentence is no such character
_BEFORE_AN_ADDRESS = r"(?<![\w.+-])"
_AFTER_AN_ADDRESS = r"(?!\.?[\w-])"


class ErasureError(ValueError):
    """The address to erase is no e-mail address."""


@dataclass(frozen=True)
class ErasureReport:
    address: str
    requests: int          # contact requests whose reply address was removed
    order_numbers: int     # order numbers given with those requests
    payloads: int          # hand-offs to the helpdesk without the address
    texts: int             # questions, searches, comments with the address replaced
    cancelled: int         # of the payloads, the customer's hand-offs not yet delivered: never delivered now
    # of the payloads, the customer's hand-offs a deliverer was sending right then (leased): it read
    # the payload before, so the helpdesk may still get them; a failed send is not tried again
    being_sent: int = 0

    @property
    def nothing(self) -> bool:
        return not (self.requests or self.order_numbers or self.payloads or self.texts)


def checked_address(address: str) -> str:
    """The address as compared: checked, normalised (domain in lower case), in lower case.

    Lower case, not case-folded: folding makes "straße" "strasse", another address."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False, allow_display_name=False)
    except EmailNotValidError as exc:
        raise ErasureError(f"{address!r} is not an e-mail address: {exc}") from exc
    return checked.normalized.lower()


def erase_address(store: Store, address: str, now: float | None = None) -> ErasureReport:
    """Remove ``address`` from contact requests, their order numbers and hand-offs, and from free
    text; ``now`` (unix time) tells the hand-offs a deliverer is sending from those it is not."""
    now = time.time() if now is None else now
    wanted = checked_address(address)
    ContactDetails(store)  # their tables, in a database that never handed anything off
    Outbox(store)
    learning.ensure_schema(store)
    found = _Address(wanted)
    with store.transaction() as db:
        requests = [(r["id"], r["ref"]) for r in db.execute(
            "SELECT id, ref, email FROM contact_requests WHERE email IS NOT NULL").fetchall()
            if r["email"].strip().lower() == wanted]
        refs = [ref for _id, ref in requests]
        order_numbers = 0
        if requests:
            marks = ", ".join("?" * len(requests))
            db.execute(f"UPDATE contact_requests SET email = NULL, email_removed = ? WHERE id IN ({marks})",
                       (ERASED_ON_REQUEST, *(i for i, _ref in requests)))
            order_numbers = db.execute(f"UPDATE contact_details SET order_number = NULL WHERE ref IN ({marks}) "
                                       "AND order_number IS NOT NULL", tuple(refs)).rowcount
        payloads, cancelled, being_sent = _erase_from_outbox(db, refs, found, now)
        texts = sum(_erase_from_text(db, table, column, found) for table, column in FREE_TEXT)
        texts += _erase_from_evidence(db, found) + _erase_from_decisions(db, found)
    return ErasureReport(wanted, len(requests), order_numbers, payloads, texts, cancelled, being_sent)


class _Address:
    """One address as found in text: whole, in any case; with a LIKE pattern that finds the rows
    that may hold it, on a part both databases lower alike (ASCII), and Python deciding."""

    def __init__(self, wanted: str):
        self.pattern = re.compile(_BEFORE_AN_ADDRESS + re.escape(wanted) + _AFTER_AN_ADDRESS, re.IGNORECASE)
        domain = wanted.rpartition("@")[2]
        # SQLite's lower() leaves letters beyond ASCII as they are: such a domain is no filter
        self.like = _like_anywhere("@" + domain if domain.isascii() else "@")

    def erased(self, text: str) -> str:
        return self.pattern.sub(ERASED, text)


def _like_anywhere(piece: str) -> str:
    """A LIKE pattern (ESCAPE '\\') for text that holds ``piece``: "_" and "%" are letters there."""
    return "%" + re.sub(r"([\\%_])", r"\\\1", piece) + "%"


def _erase_from_outbox(db, refs: list[str], found: _Address, now: float) -> tuple[int, int, int]:
    """Hand-offs changed, of them those cancelled, and those a deliverer is sending right now.
    The customer's own hand-offs lose their payload, and those not yet delivered are cancelled
    (see the module's docstring). Other customers' hand-offs that mention the address lose only
    the address, and still go out."""
    own = set(refs)
    marks = ", ".join("?" * len(refs))
    rows = db.execute(
        "SELECT id, ref, payload FROM handoff_outbox WHERE payload <> ? AND ("
        + (f"ref IN ({marks}) OR " if refs else "") + "lower(payload) LIKE ? ESCAPE '\\')",
        (CLEARED_PAYLOAD, *refs, found.like)).fetchall()
    changed = cancelled = being_sent = 0
    for row in rows:
        if row["ref"] in own:
            undelivered, leased = _cancel_own(db, row["id"], now)
            being_sent += leased
            cancelled += undelivered and not leased
        else:
            payload = _erased_payload(row["payload"], found)
            if payload is None:
                continue
            db.execute("UPDATE handoff_outbox SET payload = ? WHERE id = ?", (payload, row["id"]))
        changed += 1
    return changed, cancelled, being_sent


def _cancel_own(db, row_id: int, now: float) -> tuple[bool, bool]:
    """The customer's own hand-off without its payload, and, not yet delivered, cancelled;
    returns whether it was undelivered, and whether a deliverer holds it (it read the payload
    when it claimed the row, and sends it all the same).

    The payload is cleared first: that update waits for a deliverer's claim committed
    meanwhile (PostgreSQL reads committed rows), so the state read after it is the row's own,
    not that of the search above."""
    db.execute("UPDATE handoff_outbox SET payload = ? WHERE id = ?", (CLEARED_PAYLOAD, row_id))
    row = db.execute("SELECT sent_at, lease_token, next_at FROM handoff_outbox WHERE id = ?", (row_id,)).fetchone()
    undelivered = row["sent_at"] is None
    leased = undelivered and row["lease_token"] is not None and row["next_at"] > now
    # a row a deliverer marks sent meanwhile stays "delivered": it did reach the helpdesk;
    # one cancelled is never due again, for a deliverer of the previous release too
    db.execute("UPDATE handoff_outbox SET cancelled = CASE WHEN sent_at IS NULL THEN ? ELSE cancelled END, "
               "next_at = CASE WHEN sent_at IS NULL THEN ? ELSE next_at END WHERE id = ?",
               (ERASED_ON_REQUEST, NEVER_DUE, row_id))
    return undelivered, leased


def _erased_payload(payload: str, found: _Address) -> str | None:
    """Another customer's payload with the address erased from its texts, or None when it holds none."""
    stored = json.loads(payload)
    fields = _erased_in(stored, found)
    return None if fields == stored else json.dumps(fields, ensure_ascii=False)


def _erased_in(value, found: _Address):
    """A payload's value with the address erased from every text in it."""
    if isinstance(value, str):
        return found.erased(value)
    if isinstance(value, dict):
        return {key: _erased_in(item, found) for key, item in value.items()}
    if isinstance(value, list):
        return [_erased_in(item, found) for item in value]
    return value


def _holding(db, table: str, column: str, found: _Address, more: str = "") -> list:
    """Rows of ``table`` whose ``column`` holds the whole address, as ``text``."""
    rows = db.execute(f"SELECT id, {column} AS text{more} FROM {table} "
                      f"WHERE lower({column}) LIKE ? ESCAPE '\\'", (found.like,)).fetchall()
    return [row for row in rows if found.pattern.search(row["text"])]


def _erase_from_text(db, table: str, column: str, found: _Address) -> int:
    """Rows of ``table`` whose ``column`` holds the address, with it replaced by ``[email]``."""
    rows = _holding(db, table, column, found)
    for row in rows:
        db.execute(f"UPDATE {table} SET {column} = ? WHERE id = ?", (found.erased(row["text"]), row["id"]))
    return len(rows)


def _erase_from_evidence(db, found: _Address) -> int:
    """Learned phrasings holding the address, with it replaced. An agent's copy is known by its
    folded phrasing, which is folded again; where the phrasing without the address is there
    already for the same source and article, the row is removed: it is counted once."""
    rows = _holding(db, "learning_evidence", "phrasing", found, ", source, article_id")
    for row in rows:
        phrasing = found.erased(row["text"])
        source = row["source"]
        if source.startswith("copy:"):  # "copy:<agent>:<folded phrasing>": no ":" in a folded one
            source = source.rpartition(":")[0] + ":" + fold(phrasing)
        twin = db.execute("SELECT id FROM learning_evidence WHERE source = ? AND article_id = ? AND phrasing = ? "
                          "AND id <> ?", (source, row["article_id"], phrasing, row["id"])).fetchone()
        if twin is not None:
            db.execute("DELETE FROM learning_evidence WHERE id = ?", (row["id"],))
        else:
            db.execute("UPDATE learning_evidence SET phrasing = ?, source = ? WHERE id = ?",
                       (phrasing, source, row["id"]))
    return len(rows)


def _erase_from_decisions(db, found: _Address) -> int:
    """Editors' decisions on phrasings holding the address, with it replaced in the phrasing and
    in its folded key. Where the article has a decision on the phrasing without the address
    already, that one stands and this row is removed (one decision per article and key)."""
    rows = _holding(db, "question_decisions", "phrasing", found, ", article_id")
    for row in rows:
        phrasing = found.erased(row["text"])
        twin = db.execute("SELECT id FROM question_decisions WHERE article_id = ? AND key = ? AND id <> ?",
                          (row["article_id"], fold(phrasing), row["id"])).fetchone()
        if twin is not None:
            db.execute("DELETE FROM question_decisions WHERE id = ?", (row["id"],))
        else:
            db.execute("UPDATE question_decisions SET phrasing = ?, key = ? WHERE id = ?",
                       (phrasing, fold(phrasing), row["id"]))
    return len(rows)
