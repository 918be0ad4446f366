"""The portal's own small database: searches, views, feedback, contact requests.

SQLite in WAL mode, one short connection per operation so waitress threads
never share one. What is stored is chosen for editors and agents, not for
tracking: no IP addresses, no user ids, no cookies; free text passes through
:func:`kb.ops.privacy.mask_pii` first. Each write is one transaction, so a request
is either stored completely or not at all.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from kb.ops.privacy import mask_pii

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
    token TEXT NOT NULL UNIQUE,          -- random, links a later vote/request to this search
    at TEXT NOT NULL,                    -- UTC, minute precision
    query TEXT NOT NULL,                 -- masked
    lang TEXT,
    answered INTEGER NOT NULL,
    results TEXT NOT NULL,               -- JSON list of article ids shown
    channel TEXT NOT NULL                -- portal | api | agent
);
CREATE INDEX IF NOT EXISTS searches_at ON searches(at);
CREATE TABLE IF NOT EXISTS article_views (
    article_id TEXT NOT NULL,
    day TEXT NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (article_id, day)
);
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    article_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    comment TEXT,                        -- masked
    lang TEXT,
    search_token TEXT,
    token TEXT NOT NULL UNIQUE           -- lets the voter add a comment to their own vote
);
CREATE INDEX IF NOT EXISTS feedback_article ON feedback(article_id);
CREATE TABLE IF NOT EXISTS contact_requests (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,            -- shown to the customer
    at TEXT NOT NULL,
    question TEXT NOT NULL,              -- masked
    email TEXT,                          -- given by the customer for the reply, with consent
    lang TEXT,
    query TEXT,                          -- the search it came from, masked
    shown TEXT NOT NULL,                 -- JSON list of article ids the customer saw
    search_token TEXT,
    status TEXT NOT NULL DEFAULT 'open'  -- open | answered
);
CREATE INDEX IF NOT EXISTS contact_status ON contact_requests(status, at);
"""

MAX_COMMENT_CHARS = 2000
MAX_QUESTION_CHARS = 4000


class StoreUnavailable(RuntimeError):
    """The database cannot take the write right now; the caller may retry."""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


class Store:
    def __init__(self, path: Path, timeout: float = 10.0) -> None:
        self.path = Path(path)
        self.timeout = timeout
        # Writers of this process queue here, in order, instead of in SQLite's busy
        # handler (which backs off with sleeps and lets some writers starve under load).
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        """This thread's connection, opened on first use and kept.

        Opening, configuring and closing a connection per write cost 2 ms of
        every search (bench/RESULTS.md); server threads live long. A connection
        that failed is dropped, so the next call starts afresh.
        """
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
                db.row_factory = sqlite3.Row
                db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable on app crash, one fsync per checkpoint
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"database {self.path} cannot be opened: {exc}") from exc
            self._local.db = db
        try:
            yield db
        except (sqlite3.Error, StoreUnavailable):
            self._local.db = None
            db.close()
            raise

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One IMMEDIATE transaction: all of it is stored or none of it."""
        if not self._write_lock.acquire(timeout=self.timeout):
            raise StoreUnavailable(f"database {self.path} is busy: too many writes at once, try again")
        try:
            with self._transaction() as db:
                yield db
        finally:
            self._write_lock.release()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            try:
                db.execute("BEGIN IMMEDIATE")
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                # the connection is kept: never leave a transaction (and the write lock) open
                try:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the connection is dropped by _connect
                if isinstance(exc, sqlite3.Error) and not isinstance(exc, sqlite3.IntegrityError):
                    raise StoreUnavailable(f"database {self.path} is not writable right now: {exc}") from exc
                raise  # a constraint the caller must explain, or not a database error

    def ensure_schema(self, sql: str) -> None:
        """Create tables another module owns (accounts), in the same database file."""
        with self._connect() as db:
            db.executescript(sql)

    def query(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        with self._connect() as db:
            try:
                return db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise StoreUnavailable(f"database {self.path} cannot be read: {exc}") from exc

    # -- writes -------------------------------------------------------------------
    def log_search(self, query: str, lang: str | None, answered: bool, results: list[str],
                   channel: str) -> str:
        token = secrets.token_urlsafe(9)
        with self.transaction() as db:
            db.execute("INSERT INTO searches (token, at, query, lang, answered, results, channel) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (token, _now(), mask_pii(query), lang, int(answered), json.dumps(results), channel))
        return token

    def count_view(self, article_id: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO article_views (article_id, day, views) VALUES (?, ?, 1) "
                       "ON CONFLICT(article_id, day) DO UPDATE SET views = views + 1",
                       (article_id, _now()[:10]))

    def add_feedback(self, article_id: str, helpful: bool, comment: str | None, lang: str | None,
                     search_token: str | None = None) -> str:
        """Store one vote; returns the token that allows adding a comment to it later."""
        comment = mask_pii((comment or "").strip()[:MAX_COMMENT_CHARS]) or None
        token = secrets.token_urlsafe(12)
        with self.transaction() as db:
            db.execute("INSERT INTO feedback (at, article_id, helpful, comment, lang, search_token, token) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (_now(), article_id, int(helpful), comment, lang, search_token, token))
        return token

    def add_comment(self, token: str, comment: str) -> bool:
        """Attach a comment to a vote that has none yet; False for unknown tokens."""
        comment = mask_pii(comment.strip()[:MAX_COMMENT_CHARS])
        if not comment:
            return False
        with self.transaction() as db:
            cur = db.execute("UPDATE feedback SET comment = ? WHERE token = ? AND comment IS NULL",
                             (comment, token))
            return cur.rowcount == 1

    def search_by_token(self, token: str) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM searches WHERE token = ?", (token,))
        return rows[0] if rows else None

    def add_contact_request(self, question: str, email: str | None, lang: str | None,
                            query: str | None, shown: list[str], search_token: str | None = None) -> str:
        ref = "K-" + secrets.token_hex(4).upper()
        with self.transaction() as db:
            db.execute("INSERT INTO contact_requests (ref, at, question, email, lang, query, shown, "
                       "search_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (ref, _now(), mask_pii(question.strip()[:MAX_QUESTION_CHARS]), email or None, lang,
                        mask_pii(query) if query else None, json.dumps(shown), search_token))
        return ref

    def set_request_status(self, request_id: int, status: str) -> bool:
        if status not in ("open", "answered"):
            raise ValueError(f"unknown status {status!r}")
        with self.transaction() as db:
            return db.execute("UPDATE contact_requests SET status = ? WHERE id = ?",
                              (status, request_id)).rowcount == 1

    # -- reads the portal and the agents need ---------------------------------------------
    def contact_requests(self, status: str | None = "open", limit: int = 100) -> list[sqlite3.Row]:
        if status is None:
            return self.query("SELECT * FROM contact_requests ORDER BY at DESC, id DESC LIMIT ?", (limit,))
        return self.query("SELECT * FROM contact_requests WHERE status = ? ORDER BY at DESC, id DESC LIMIT ?",
                          (status, limit))

    def contact_request(self, request_id: int) -> sqlite3.Row | None:
        rows = self.query("SELECT * FROM contact_requests WHERE id = ?", (request_id,))
        return rows[0] if rows else None

    def popular_articles(self, limit: int = 6, days: int = 90) -> list[str]:
        """Most viewed articles lately, with 'not helpful' votes counting against them."""
        rows = self.query(
            "SELECT a.article_id, SUM(a.views) AS views, "
            "  COALESCE((SELECT SUM(CASE WHEN helpful THEN 1 ELSE -1 END) FROM feedback f "
            "            WHERE f.article_id = a.article_id), 0) AS votes "
            "FROM article_views a WHERE a.day >= date('now', ?) "
            "GROUP BY a.article_id ORDER BY views + 3 * votes DESC, a.article_id LIMIT ?",
            (f"-{int(days)} days", limit * 4))
        return [r["article_id"] for r in rows]
