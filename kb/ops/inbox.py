"""The agents' inbox: contact requests found by status, language and text, with counts per status."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kb.content.umlaut_spellings import spellings, written_out
from kb.ops.database import Store

STATUSES = ("open", "answered")
MAX_TEXT_CHARS = 200
_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})
MAX_WORDS = 8  # searched words; each must be found
_COLUMNS = ("question", "coalesce(query, '')", "ref", "coalesce(email, '')")


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = "open"     #: None: every status
    lang: str | None = None
    text: str = ""                  #: words in the question, search, reference, e-mail or order number, any case


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


def _spellings(word: str) -> list[str]:
    """The word as typed, with umlauts written out and with written-out umlauts restored:
    "oesterreich" finds "Österreich", "österreich" finds "Oesterreich"."""
    return sorted({written_out(word), *spellings(word)})


def _word_clause(word: str) -> tuple[str, list]:
    """One searched word in the question, search, reference, e-mail address or order number."""
    matches, params = [], []
    for spelling in _spellings(word.lower()):
        # lower() folds ASCII only in SQLite: "überweisung" also looks for "Überweisung" (German nouns)
        lowered = "%" + spelling.translate(_LIKE_ESCAPE) + "%"
        capitalised = "%" + (spelling[:1].upper() + spelling[1:]).translate(_LIKE_ESCAPE) + "%"
        matches += [f"lower({c}) LIKE ? ESCAPE '\\' OR {c} LIKE ? ESCAPE '\\'" for c in _COLUMNS]
        params += [lowered, capitalised] * len(_COLUMNS)
        # the order number the customer gave in its own field (kb/ops/contact_details.py)
        matches.append("ref IN (SELECT ref FROM contact_details WHERE lower(order_number) LIKE ? ESCAPE '\\')")
        params.append(lowered)
    return "(" + " OR ".join(matches) + ")", params


def _where(where: InboxFilter) -> tuple[str, tuple]:
    clauses, params = [], []
    if where.status:
        clauses.append("status = ?")
        params.append(where.status)
    if where.lang:
        clauses.append("lang = ?")
        params.append(where.lang)
    text = " ".join(where.text.split())[:MAX_TEXT_CHARS]
    for word in text.split()[:MAX_WORDS]:  # every word somewhere, in any order: "rechnung firmenadresse"
        clause, word_params = _word_clause(word)
        clauses.append(clause)
        params += word_params
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", tuple(params)
