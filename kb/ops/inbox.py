"""The agents' inbox: contact requests found by status, language and text, with counts per status,
a page at a time.

Pages are cut by key (a request's time and id), not by offset: while an agent works through
the open requests, the ones answered meanwhile leave the list, and "next" still goes on after
the last request the agent saw instead of skipping as many as were answered. The position
("51–100 of 230") is counted against the same key.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from kb.content.umlaut_spellings import spellings, written_out
from kb.ops.database import Store

STATUSES = ("open", "answered")
SORTS = ("oldest", "newest")
PAGE_ROWS = 50  # requests on one page of the inbox
_ORDER = {"oldest": "at ASC, id ASC", "newest": "at DESC, id DESC"}
MAX_TEXT_CHARS = 200
_LIKE_ESCAPE = str.maketrans({"\\": "\\\\", "%": "\\%", "_": "\\_"})
MAX_WORDS = 8  # searched words; each must be found
_COLUMNS = ("question", "coalesce(query, '')", "ref", "coalesce(email, '')")


@dataclass(frozen=True)
class InboxFilter:
    status: str | None = "open"     #: None: every status
    lang: str | None = None
    text: str = ""                  #: words in the question, search, reference, e-mail or order number, any case


@dataclass(frozen=True)
class InboxPage:
    rows: list
    ahead: int   #: requests that match and come before the first row, in this order
    total: int   #: requests that match

    @property
    def first(self) -> int:
        """The first row's position, from 1 (0 on an empty page)."""
        return self.ahead + 1 if self.rows else 0

    @property
    def last(self) -> int:
        return self.ahead + len(self.rows)

    @property
    def has_previous(self) -> bool:
        return bool(self.rows) and self.ahead > 0

    @property
    def has_next(self) -> bool:
        return bool(self.rows) and self.last < self.total


def default_sort(status: str | None) -> str:
    """Open requests oldest first: the customer who has waited longest is answered first, and on a
    Monday morning the oldest are the ones overdue. Answered ones (and all) newest first: an agent
    looks there for what was just done."""
    return "oldest" if status == "open" else "newest"


def find_requests(store: Store, where: InboxFilter, limit: int = 200, sort: str = "newest") -> list[sqlite3.Row]:
    """The first ``limit`` requests in this order (newest first unless ``sort`` says otherwise)."""
    return _slice(store, where, sort, None, True, limit)


def find_page(store: Store, where: InboxFilter, sort: str, after: int | None = None, before: int | None = None,
              size: int = PAGE_ROWS) -> InboxPage:
    """The page after the request ``after`` or before the request ``before`` (ids), else the first.

    A page before that is short (requests answered meanwhile) is the first page instead, and a
    page after that is empty the last one: "previous" and "next" never end on a stray half page."""
    key = _key(store, after if after is not None else before)
    if key is not None and after is None:
        rows = _slice(store, where, sort, key, False, size)[::-1]
        if len(rows) < size:
            rows = _slice(store, where, sort, None, True, size)
    elif key is not None:
        rows = _slice(store, where, sort, key, True, size) or _slice(store, where, sort, None, False, size)[::-1]
    else:
        rows = _slice(store, where, sort, None, True, size)
    ahead = _count(store, where, sort, (rows[0]["at"], rows[0]["id"])) if rows else 0
    return InboxPage(rows, ahead, _count(store, where, sort, None))


def neighbours(store: Store, where: InboxFilter, sort: str, request_id: int) -> tuple:
    """The requests just before and just after ``request_id`` in the filtered list (None at either
    end); the request itself need not match the filter any more (answered meanwhile)."""
    key = _key(store, request_id)
    if key is None:
        return None, None
    previous = _slice(store, where, sort, key, False, 1)
    following = _slice(store, where, sort, key, True, 1)
    return (previous[0] if previous else None), (following[0] if following else None)


def _key(store: Store, request_id: int | None) -> tuple[str, int] | None:
    """A request's place in any order: its time and id (None for no or an unknown request)."""
    if request_id is None:
        return None
    rows = store.query("SELECT at, id FROM contact_requests WHERE id = ?", (request_id,))
    return (rows[0]["at"], rows[0]["id"]) if rows else None


def _beyond(sort: str, forward: bool) -> str:
    """The requests after (``forward``) or before a key in the order ``sort``: three parameters, at, at, id."""
    sign = ">" if (sort == "oldest") == forward else "<"
    return f"(at {sign} ? OR (at = ? AND id {sign} ?))"


def _where_beyond(where: InboxFilter, sort: str, key: tuple[str, int] | None, forward: bool) -> tuple[str, tuple]:
    """The filter's WHERE clause, narrowed to the requests after (``forward``) or before ``key``."""
    sql, params = _where(where)
    if key is None:
        return sql, params
    beyond = _beyond(sort, forward)
    return (f"{sql} AND {beyond}" if sql else f"WHERE {beyond}"), (*params, key[0], key[0], key[1])


def _slice(store: Store, where: InboxFilter, sort: str, key: tuple[str, int] | None, forward: bool,
           limit: int) -> list:
    """Up to ``limit`` requests after (``forward``) or before ``key``, nearest first; without a key,
    from the start of the list (``forward``) or from its end."""
    sql, params = _where_beyond(where, sort, key, forward)
    order = _ORDER[sort] if forward else _ORDER["newest" if sort == "oldest" else "oldest"]
    return store.query(f"SELECT * FROM contact_requests {sql} ORDER BY {order} LIMIT ?", (*params, limit))


def _count(store: Store, where: InboxFilter, sort: str, key: tuple[str, int] | None) -> int:
    """How many requests match; with a key, how many of them come before it in the order ``sort``."""
    sql, params = _where_beyond(where, sort, key, False)
    return int(store.query(f"SELECT COUNT(*) AS n FROM contact_requests {sql}", params)[0]["n"])


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
