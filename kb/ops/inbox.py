"""The agents' inbox: contact requests found by status, language and text, with counts per status."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kb.ops.database import Store

STATUSES = ("open", "answered")
MAX_TEXT_CHARS = 200
_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = "open"     #: None: every status
    lang: str | None = None
    text: str = ""                  #: in the question, search, reference, e-mail address or order number, any case


def find_requests(store: Store, where: InboxFilter, limit: int = 200) -> list[sqlite3.Row]:
    """Newest first."""
    sql, params = _where(where)
    return store.query(f"SELECT * FROM contact_requests {sql} ORDER BY at DESC, id DESC LIMIT ?",
                       (*params, limit))


def count_requests(store: Store, where: InboxFilter) -> dict[str, int]:
    """Requests per status that match the language and text (the status filter itself is ignored)."""
    sql, params = _where(InboxFilter(None, where.lang, where.text))
    counts = {s: 0 for s in STATUSES}
    for r in store.query(f"SELECT status, COUNT(*) AS n FROM contact_requests {sql} GROUP BY status", params):
        counts[r["status"]] = r["n"]
    counts["all"] = sum(counts.values())
    return counts


def _where(where: InboxFilter) -> tuple[str, tuple]:
    clauses, params = [], []
    if where.status:
        clauses.append("status = ?")
        params.append(where.status)
    if where.lang:
        clauses.append("lang = ?")
        params.append(where.lang)
    text = " ".join(where.text.split())[:MAX_TEXT_CHARS]
    if text:
        # lower() folds ASCII only in SQLite: "überweisung" also looks for "Überweisung" (German nouns)
        lowered = "%" + text.lower().translate(_LIKE_ESCAPE) + "%"
        capitalised = "%" + " ".join(w[:1].upper() + w[1:].lower() for w in text.split()).translate(_LIKE_ESCAPE) + "%"
        columns = ("question", "coalesce(query, '')", "ref", "coalesce(email, '')")
        matches = [f"lower({c}) LIKE ? ESCAPE '\\' OR {c} LIKE ? ESCAPE '\\'" for c in columns]
        # the order number the customer gave in its own field (kb/ops/contact_details.py)
        matches.append("ref IN (SELECT ref FROM contact_details WHERE lower(order_number) LIKE ? ESCAPE '\\')")
        clauses.append("(" + " OR ".join(matches) + ")")
        params += [lowered, capitalised] * len(columns) + [lowered]
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params)
