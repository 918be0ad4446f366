"""Evidence that a phrasing is answered by an article, and the editors' decisions.

Evidence comes from three places:

* a search followed by a vote on an article with that search's id (portal and
  API): "helpful" counts for the phrasing, "not helpful" against it; a client
  that votes again on the same search and article changes its vote, it does
  not add one; the article must be among the results that search showed;
* an agent marking a contact request answered with one or more articles
  (the request's search, or its question when it is short); an agent may take
  an article off again (:func:`remove_answered_with`): its rows stay, marked
  ``withdrawn``, and count no more;
* an agent copying an article's answer after searching a customer's text in the
  workspace (once per agent, phrasing and article).

Each piece of evidence counts once (kb.ops.suggestions does the counting): a search and
article (its last vote), a request and article (whichever of its phrasings, and the vote
of the search the request came from), an agent's copy. Each :class:`Evidence` names its
piece; a copy of an article's answer for the words of a request answered with that article
is that request's piece, which only the suggestions can tell (they compare phrasings as
they cluster them).

Phrasings are stored as searches are: PII-masked (kb.content.privacy). Decisions
("accepted" / "rejected", and "edited" for a suggestion accepted in the editor's
own words) are kept per article and folded phrasing, so a decided phrasing is
never suggested again; only "accepted" ones are in the article files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timezone

from kb.content.phrasing import fold
from kb.content.privacy import mask_pii
from kb.ops.database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS learning_evidence (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- inbox | copy | withdrawn (an inbox row taken back)
    source TEXT NOT NULL,                -- 'request:<id>' or 'copy:<agent>:<folded phrasing>'
    phrasing TEXT NOT NULL,              -- masked
    lang TEXT,
    article_id TEXT NOT NULL,
    staff INTEGER NOT NULL,              -- 1: typed by an agent (may teach internal articles)
    UNIQUE (source, article_id, phrasing)
);
-- one vote per (search, article): the evidence query looks the last one up by these
CREATE INDEX IF NOT EXISTS feedback_search ON feedback(search_token, article_id);
CREATE TABLE IF NOT EXISTS request_articles (
    request_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    at TEXT NOT NULL,
    agent TEXT,
    PRIMARY KEY (request_id, article_id)
);
CREATE TABLE IF NOT EXISTS question_decisions (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    article_id TEXT NOT NULL,
    key TEXT NOT NULL,                   -- folded phrasing (kb.content.phrasing.fold)
    phrasing TEXT NOT NULL,              -- as written into the article (accepted) or suggested
    decision TEXT NOT NULL,              -- accepted | rejected | edited (accepted in other words)
    editor TEXT,
    last_search INTEGER NOT NULL DEFAULT 0,  -- searches.id when decided: later ones show the effect
    UNIQUE (article_id, key)
);
"""
# a contact request's question becomes a phrasing only when it is about as short as a search
MAX_PHRASING_CHARS = 150
DECISIONS = ("accepted", "rejected", "edited")
WITHDRAWN = "withdrawn"  # learning_evidence.kind of a request's row whose article an agent took off
# what record_answered_with did to a request's status (the articles are recorded in each case)
MARKED, KEPT, REFUSED = "marked", "kept", "refused"  # answered now; answered already; a stale page's, refused
IDS_AT_ONCE = 500  # request ids per "IN (...)" when their searches are looked up


@dataclass(frozen=True)
class Evidence:
    phrasing: str
    lang: str | None
    article_id: str
    staff: bool
    weight: int  # +1 helpful / answered with / copied, -1 voted not helpful, 0 withdrawn
    at: str
    kind: str  # vote | inbox | copy | withdrawn
    # the piece of evidence it is part of: 'search:<token>' (a vote, and a request sent after
    # that search), 'request:<id>' (a request without a search), 'copy:<agent>:<phrasing>'
    piece: str = ""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def ensure_schema(store: Store) -> None:
    """Create this module's tables once per store object."""
    if not getattr(store, "_learning_schema", False):
        store.ensure_schema(SCHEMA)
        store._learning_schema = True


def record_answered_with(store: Store, request_id: int, article_ids: list[str], agent: str | None,
                         shown: tuple[str, int] | None = None) -> str | None:
    """Mark a contact request answered with these articles; None for an unknown request, else
    :data:`MARKED` (answered now, by ``agent``), :data:`KEPT` (it was answered already: the first
    answer's agent stays) or :data:`REFUSED`.
    An article taken off before and chosen again counts again: its withdrawn rows come back.

    ``shown``: the status and ``status_version`` the agent's page showed (as for
    Store.set_request_status); the status is changed only when the request still has both, and
    the change counts the version up, so a page from before a colleague's change is refused, even
    when the status is the one it showed again (answered, then reopened). :data:`REFUSED`: the
    request is no longer as the page showed it, and its status is left as it is. The articles are
    recorded all the same: they are the evidence the agent gave."""
    ensure_schema(store)
    row = store.contact_request(request_id)
    if row is None:
        return None
    phrasings = [p for p in (row["query"], row["question"]) if p and len(p.strip()) <= MAX_PHRASING_CHARS]
    at = _now()
    sql = ("UPDATE contact_requests SET status = 'answered', status_by = ?, status_at = ?, "
           "status_version = status_version + 1 WHERE id = ? AND status <> 'answered'")  # the first answer's stays
    params: tuple = (agent, at, request_id)
    if shown is not None:
        sql += " AND status = ? AND status_version = ?"
        params += tuple(shown)
    with store.transaction() as db:
        outcome = MARKED if db.execute(sql, params).rowcount == 1 else KEPT
        if outcome == KEPT and shown is not None:  # answered as the page showed it, or changed since
            now = db.execute("SELECT status, status_version FROM contact_requests WHERE id = ?",
                             (request_id,)).fetchone()
            if now is None:
                return None
            if (now["status"], now["status_version"]) != tuple(shown):
                outcome = REFUSED
        for article_id in dict.fromkeys(article_ids):
            db.execute("INSERT OR IGNORE INTO request_articles (request_id, article_id, at, agent) "
                       "VALUES (?, ?, ?, ?)", (request_id, article_id, at, agent))
            for phrasing in dict.fromkeys(" ".join(p.split()) for p in phrasings):
                db.execute("INSERT INTO learning_evidence (at, kind, source, phrasing, lang, article_id, staff) "
                           "VALUES (?, 'inbox', ?, ?, ?, ?, 0) ON CONFLICT (source, article_id, phrasing) "
                           "DO UPDATE SET kind = excluded.kind, at = excluded.at "
                           f"WHERE learning_evidence.kind = '{WITHDRAWN}'",
                           (at, f"request:{request_id}", phrasing, row["lang"], article_id))
    return outcome


def remove_answered_with(store: Store, request_id: int, article_id: str) -> bool:
    """Take an article off a request's answered-with list (an agent chose a wrong one) and
    withdraw the evidence it gave; False when it was not on the list (taken off meanwhile).

    The evidence rows stay, marked withdrawn: a copy of that article's answer for the
    request's words is the same piece of evidence (kb.ops.suggestions), and is withdrawn with
    it instead of counting on its own. Reopening a request takes nothing off: the customer may
    have a new question; an agent removes an article that did not answer."""
    ensure_schema(store)
    with store.transaction() as db:
        removed = db.execute("DELETE FROM request_articles WHERE request_id = ? AND article_id = ?",
                             (request_id, article_id)).rowcount
        db.execute(f"UPDATE learning_evidence SET kind = '{WITHDRAWN}', at = ? "
                   "WHERE source = ? AND article_id = ? AND kind = 'inbox'",
                   (_now(), f"request:{request_id}", article_id))
    return removed == 1


def answered_with(store: Store, request_id: int) -> list[str]:
    return [r["article_id"] for r in answered_with_rows(store, request_id)]


def answered_with_rows(store: Store, request_id: int) -> list[dict]:
    """The articles a request was answered with, each with the agent who chose it and when."""
    ensure_schema(store)
    rows = store.query("SELECT article_id, agent, at FROM request_articles WHERE request_id = ? "
                       "ORDER BY at, article_id", (request_id,))
    return [dict(r) for r in rows]


def record_copy(store: Store, query: str, lang: str | None, article_id: str, agent: str) -> None:
    """An agent copied ``article_id``'s answer after searching ``query`` (a customer's words)."""
    ensure_schema(store)
    phrasing = " ".join(mask_pii(query).split())[:MAX_PHRASING_CHARS]
    if not phrasing:
        return
    with store.transaction() as db:
        db.execute("INSERT OR IGNORE INTO learning_evidence (at, kind, source, phrasing, lang, article_id, staff) "
                   "VALUES (?, 'copy', ?, ?, ?, ?, 1)",
                   (_now(), f"copy:{agent}:{fold(phrasing)}", phrasing, lang, article_id))


def _votes(store: Store) -> list[Evidence]:
    """The last vote of each (search, article), for an article that search showed."""
    rows = store.query(
        "SELECT s.query, s.lang, s.channel, s.results, s.token, f.article_id, f.helpful, f.at FROM feedback f "
        "JOIN searches s ON s.token = f.search_token "
        "WHERE f.id = (SELECT MAX(g.id) FROM feedback g WHERE g.search_token = f.search_token "
        "              AND g.article_id = f.article_id)")
    out = []
    for r in rows:
        if r["article_id"] not in json.loads(r["results"]):
            continue
        out.append(Evidence(r["query"], r["lang"], r["article_id"], r["channel"] == "agent",
                            1 if r["helpful"] else -1, r["at"], "vote", f"search:{r['token']}"))
    return out


def _request_searches(store: Store, sources: set[str]) -> dict[str, str]:
    """'request:<id>' -> the token of the search the request was sent after, where it has one."""
    ids = sorted(int(s.partition(":")[2]) for s in sources if s.startswith("request:"))
    found = {}
    for start in range(0, len(ids), IDS_AT_ONCE):
        chunk = ids[start:start + IDS_AT_ONCE]
        found.update({f"request:{r['id']}": r["search_token"] for r in store.query(
            f"SELECT id, search_token FROM contact_requests WHERE id IN ({', '.join('?' * len(chunk))}) "
            "AND search_token IS NOT NULL", tuple(chunk))})
    return found


def evidence(store: Store) -> list[Evidence]:
    """All evidence, oldest first, each with its piece; withdrawn rows too (weight 0), since
    a copy that was part of their piece is withdrawn with them."""
    ensure_schema(store)
    rows = store.query("SELECT phrasing, lang, article_id, staff, at, kind, source FROM learning_evidence")
    searches = _request_searches(store, {r["source"] for r in rows})
    found = _votes(store) + [
        Evidence(r["phrasing"], r["lang"], r["article_id"], bool(r["staff"]), 0 if r["kind"] == WITHDRAWN else 1,
                 r["at"], r["kind"], f"search:{searches[r['source']]}" if r["source"] in searches else r["source"])
        for r in rows]
    return sorted(found, key=lambda e: e.at)


def decide(store: Store, article_id: str, phrasing: str, decision: str, editor: str | None) -> None:
    """Record a decision on a phrasing, replacing one made before."""
    _record(store, article_id, phrasing, decision, editor, "DO UPDATE SET at = excluded.at, "
            "phrasing = excluded.phrasing, decision = excluded.decision, editor = excluded.editor, "
            "last_search = excluded.last_search")


def claim(store: Store, article_id: str, phrasing: str, decision: str, editor: str | None) -> bool:
    """Record the first decision on a suggested phrasing; False when one was recorded meanwhile
    (another editor, on this server or another replica): the first decision counts, so two
    editors are never both told their opposite decisions were carried out."""
    return _record(store, article_id, phrasing, decision, editor, "DO NOTHING")


def _record(store: Store, article_id: str, phrasing: str, decision: str, editor: str | None,
            on_conflict: str) -> bool:
    """One decision row (``on_conflict``: what a row of the same article and key does); True
    when written. ``last_search``: searches after it show whether customers find the article."""
    if decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    ensure_schema(store)
    with store.transaction() as db:
        last = db.execute("SELECT COALESCE(MAX(id), 0) FROM searches").fetchone()[0]
        return db.execute("INSERT INTO question_decisions (at, article_id, key, phrasing, decision, editor, "
                          "last_search) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(article_id, key) " + on_conflict,
                          (_now(), article_id, fold(phrasing), phrasing, decision, editor, last)).rowcount == 1


def withdraw(store: Store, article_id: str, phrasing: str, decision: str) -> None:
    """Take back a claimed decision whose carrying out failed (the article file is as it was)."""
    with store.transaction() as db:
        db.execute("DELETE FROM question_decisions WHERE article_id = ? AND key = ? AND decision = ?",
                   (article_id, fold(phrasing), decision))


def decisions(store: Store, decision: str | None = None) -> list[dict]:
    ensure_schema(store)
    sql = "SELECT * FROM question_decisions" + (" WHERE decision = ?" if decision else "") + " ORDER BY at"
    return [dict(r) for r in store.query(sql, (decision,) if decision else ())]
