"""The portal's own small database: searches, views, feedback, contact requests.

One :class:`Store` over SQLite (the default: one file, WAL mode) or PostgreSQL
(``KB_DATABASE_URL=postgresql://…``, for several replicas), chosen by URL; the
engines differ only in :mod:`kb.ops.backends`, and every caller writes the same
SQLite-flavoured SQL with ``?`` placeholders (:mod:`kb.ops.sql_dialect` rewrites
it for PostgreSQL). Each server thread keeps one connection. What is stored is
chosen for editors and agents, not for tracking: no IP addresses, no user ids,
no cookies; free text passes through :func:`kb.content.privacy.mask_pii` first.
Each write is one transaction, so a request is either stored completely or not
at all; when the database cannot take it, :class:`StoreUnavailable` says "try
again" and nothing was stored.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import threading
import time
from contextlib import ExitStack, contextmanager
from datetime import date, datetime, timedelta, timezone
from typing import Iterator

from kb.content.privacy import mask_pii
from kb.ops.backends import IntegrityError, open_backend, waits_at_most  # noqa: F401 (IntegrityError: for callers)
from kb.ops.sql_dialect import ALTER_ADD_COLUMN, split_statements

from kb.ops.migrations import (  # noqa: E402,F401 (SCHEMA: for callers)
    SCHEMA, SchemaTooNew, latest_version, newer_schema_message, probe_write, upgrade)

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000
# Store.add_comment's answers: taken (also when it was there already), no such vote, too long together
COMMENT_SAVED, COMMENT_UNKNOWN, COMMENT_FULL = "saved", "unknown", "full"
MAX_ROW_ID = 2**63 - 1  # the largest row id a database stores: a larger one asked for is unknown, not an error
MAX_QUESTION_CHARS = 4000
SEARCH_LOG_WAIT = 1.0  # seconds a search waits to be logged; a live database takes milliseconds
SEARCH_LOG_PAUSE = 5.0  # seconds searches are not logged after a log failed (each would wait again)


class SubmissionReused(ValueError):
    """An id for one request sent (a form's, an Idempotency-Key) came again with another
    request; ``args[0]`` is the first request's reference."""


class StoreUnavailable(RuntimeError):
    """The database cannot take the write right now; the caller may retry."""


class _LostConnection(StoreUnavailable):
    """This thread's kept connection died (a database restart); a new one may work at once."""


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def merged_comment(stored: str | None, new: str) -> str:
    """A vote's comment after ``new`` is sent for it, keeping every word the customer wrote:
    the first one as it is; one holding the stored text (the form restored by the Back
    button, more typed) replaces it; one the stored text holds already (a double tap, a
    reload) changes nothing; anything else is added below it."""
    if not stored or stored in new:
        return new
    if new in stored:
        return stored
    return stored + "\n\n" + new


class Store:
    """``Store(url_or_path)``: ``sqlite:///path``, ``postgresql://…`` or a plain file path.

    ``migrate=False`` opens without upgrading the schema (``kb db`` does that itself).
    """

    def __init__(self, url: str | os.PathLike, timeout: float = 10.0, *, migrate: bool = True) -> None:
        self.url = os.fspath(url)
        self.backend = open_backend(self.url, timeout)
        self.engine = self.backend.engine
        self.path = getattr(self.backend, "path", None)  # the SQLite file; None on PostgreSQL
        # SQLite: writers of this process queue here, in order, instead of in SQLite's busy
        # handler (which backs off with sleeps and lets some writers starve under load).
        self._write_lock = threading.Lock()
        self._logs_paused_until = 0.0  # monotonic time; searches are not logged before it
        self._local = threading.local()
        # set when a newer release migrated the database: said in the log and by /readyz
        self.schema_warning: str | None = None
        if migrate:
            self._upgrade()

    def _upgrade(self) -> None:
        """The schema upgraded; a database a newer release migrated is only warned about.

        Not refused: during a rolling upgrade the replicas of the older release serve
        beside the database the first new replica migrated, on purpose, and keep working
        (migrations only add, see kb.ops.migrations)."""
        try:
            upgrade(self)
        except SchemaTooNew as exc:
            self.schema_warning = str(exc)
            log.warning("database %s: %s (this process keeps running on it; fine during a rolling "
                        "upgrade, until this replica is upgraded too)", self.label, exc)

    def refresh_schema_warning(self) -> None:
        """Read the schema version again (one small SELECT): a newer release may migrate the
        database while this process serves, and /readyz says so until this replica is upgraded."""
        rows = self.query("SELECT MAX(version) AS v FROM schema_migrations")
        version = int(rows[0]["v"] or 0)
        warning = newer_schema_message(version) if version > latest_version() else None
        if warning and warning != self.schema_warning:
            log.warning("database %s: %s (this process keeps running on it; fine during a rolling "
                        "upgrade, until this replica is upgraded too)", self.label, warning)
        self.schema_warning = warning

    @property
    def timeout(self) -> float:
        """Seconds a write waits for the database before it gives up (StoreUnavailable)."""
        return self.backend.timeout

    @timeout.setter
    def timeout(self, seconds: float) -> None:
        self.backend.timeout = seconds

    @property
    def label(self) -> str:
        """Where the data lives, for messages; never the password of a URL."""
        return self.backend.label

    @contextmanager
    def _connect(self) -> Iterator:
        """This thread's connection, opened on first use and kept.

        Opening, configuring and closing a connection per write would slow
        every search; server threads live long. A connection
        that failed is dropped, so the next call starts afresh (after a
        PostgreSQL restart, too).
        """
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                db = self.backend.connect()
            except self.backend.errors as exc:
                raise StoreUnavailable(f"database {self.label} cannot be opened: {exc}") from exc
            self._local.db = db
        try:
            yield db
        except (*self.backend.errors, StoreUnavailable):
            self._local.db = None
            try:
                db.close()
            except self.backend.errors:
                pass
            raise

    @contextmanager
    def transaction(self) -> Iterator:
        """One write transaction: all of it is stored or none of it.

        Yields a connection with ``execute(sql, params)`` (``?`` placeholders)
        whose cursors offer ``fetchone``, ``fetchall``, ``rowcount`` and ``lastrowid``.
        """
        lock = self._write_lock if self.backend.serialise_writes else None
        if lock and not lock.acquire(timeout=self.timeout):
            raise StoreUnavailable(f"database {self.label} is busy: too many writes at once, try again")
        try:
            with ExitStack() as stack:
                try:
                    db = stack.enter_context(self._transaction())
                except _LostConnection:  # the server restarted since this thread's last use: once more
                    db = stack.enter_context(self._transaction())
                yield db
        finally:
            if lock:
                lock.release()

    @contextmanager
    def _transaction(self) -> Iterator:
        with self._connect() as db:
            try:
                self.backend.begin(db)
            except self.backend.errors as exc:
                self._raise_unavailable(db, exc, "not writable right now")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException as exc:
                # the connection is kept: never leave a transaction (and the write lock) open
                try:
                    if self.backend.in_transaction(db):
                        db.execute("ROLLBACK")
                except self.backend.errors:
                    pass  # the connection is dropped by _connect
                if isinstance(exc, self.backend.integrity_errors) and not isinstance(exc, IntegrityError):
                    raise IntegrityError(str(exc)) from exc
                if isinstance(exc, self.backend.errors) and not isinstance(exc, self.backend.integrity_errors):
                    raise StoreUnavailable(f"database {self.label} is not writable right now: {exc}") from exc
                raise  # a constraint the caller must explain, or not a database error

    def _raise_unavailable(self, db, exc: Exception, what: str) -> None:
        """StoreUnavailable; the retryable kind when a kept connection was found dead before any work."""
        error = _LostConnection if self.backend.lost(db) else StoreUnavailable
        raise error(f"database {self.label} is {what}: {exc}") from exc

    def ensure_schema(self, sql: str) -> None:
        """Create tables another module owns (accounts, ...), written as SQLite DDL.

        Runs as one transaction under the schema lock, so replicas starting
        together do not race. ``ALTER TABLE … ADD COLUMN`` is skipped when the
        column exists already, so a module can add columns to its tables on
        every start.
        """
        with self.transaction() as db:
            self.backend.lock_schema(db)
            for statement in split_statements(sql):
                added = ALTER_ADD_COLUMN.match(statement)
                if added and self.backend.has_column(db, added["table"].strip('"'), added["column"].strip('"')):
                    continue
                db.execute(self.backend.ddl(statement))

    def query(self, sql: str, params: tuple = ()) -> list:
        """Rows readable by column name (and position)."""
        try:
            return self._read(sql, params)
        except _LostConnection:  # the server restarted since this thread's last use: once more
            if getattr(self._local, "snapshot", False):
                raise  # a new connection would read outside the snapshot
            return self._read(sql, params)

    @contextmanager
    def read_snapshot(self) -> Iterator[None]:
        """This thread's reads inside the block all see the database at one moment, while
        other processes keep writing: a copy or a backup is consistent across its tables
        (a contact request never without the search it points to). Read only."""
        with self._connect() as db:
            try:
                self.backend.begin_snapshot(db)
            except self.backend.errors as exc:
                self._raise_unavailable(db, exc, "cannot be read")
            self._local.snapshot = True
            try:
                yield
            finally:
                self._local.snapshot = False
                self._end_snapshot(db)

    def read_in_batches(self, sql: str, params: tuple = (), rows: int = 1000) -> Iterator[list]:
        """The rows of one query, ``rows`` at a time, inside :meth:`read_snapshot` only: a table
        of any size is read without holding all of it in memory (on PostgreSQL through a
        server-side cursor, which lives in the snapshot's transaction)."""
        if not getattr(self._local, "snapshot", False):
            raise RuntimeError("read_in_batches runs inside read_snapshot only")
        with self._connect() as db:
            try:
                yield from self.backend.batches(db, sql, params, rows)
            except self.backend.errors as exc:
                self._raise_unavailable(db, exc, "cannot be read")

    def _end_snapshot(self, db) -> None:
        """Close the read transaction; a connection that failed inside it is dropped already."""
        try:
            if self.backend.in_transaction(db):
                db.execute("ROLLBACK")
        except self.backend.errors:
            self.release_connection()  # unusable now: the next call opens another

    def _read(self, sql: str, params: tuple) -> list:
        with self._connect() as db:
            try:
                return db.execute(sql, params).fetchall()
            except self.backend.errors as exc:
                self._raise_unavailable(db, exc, "cannot be read")

    def check_writable(self) -> None:
        """Raise StoreUnavailable unless a write would commit now (readiness: a full disk fails here)."""
        probe_write(self)

    def release_connection(self) -> None:
        """Close this thread's kept connection, for a thread about to end (a background
        check): the connection would otherwise stay open until the thread's data is collected."""
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            try:
                db.close()
            except self.backend.errors:
                pass  # a connection the server dropped is closed already

    # -- writes -------------------------------------------------------------------
    def log_search(self, query: str, lang: str | None, answered: bool, results: list[str],
                   channel: str, hedged: bool = False) -> str:
        """Store one search (masked); ``hedged``: answered with the first articles as a choice."""
        token = secrets.token_urlsafe(9)
        with self._search_log_turn(), self.transaction() as db:
            db.execute("INSERT INTO searches (token, at, query, lang, answered, results, channel, hedged) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (token, _now(), mask_pii(query), lang, int(answered), json.dumps(results), channel,
                        int(hedged)))
        return token

    @contextmanager
    def _search_log_turn(self) -> Iterator[None]:
        """The search log's bounded wait: the search is answered whether or not it could be
        logged, so a silent server holds it briefly, and the searches after it not at all
        for a few seconds."""
        if time.monotonic() < self._logs_paused_until:
            raise StoreUnavailable(f"database {self.label} did not answer just now: search not logged")
        try:
            with waits_at_most(SEARCH_LOG_WAIT):
                yield
        except StoreUnavailable:
            self._logs_paused_until = time.monotonic() + SEARCH_LOG_PAUSE
            raise

    def count_view(self, article_id: str, day: date | None = None) -> None:
        """One more view of the article on ``day`` (the shop's date; default the UTC date)."""
        with self.transaction() as db:
            db.execute("INSERT INTO article_views (article_id, day, views) VALUES (?, ?, 1) "
                       "ON CONFLICT(article_id, day) DO UPDATE SET views = article_views.views + 1",
                       (article_id, day.isoformat() if day is not None else _now()[:10]))

    def add_feedback(self, article_id: str, helpful: bool, comment: str | None, lang: str | None,
                     search_token: str | None = None, ballot: str | None = None) -> str:
        """Store one vote; returns the token that allows adding a comment to it later.

        ``ballot`` is the id of the page view the vote comes from (the article page's vote
        form carries a random one): a vote again from it (a double click, a changed mind)
        replaces that vote and its comment, so "helpful" ratios and learned phrasings count
        people's answers, not clicks. A shared link starts a new page view, a new ballot."""
        comment = mask_pii((comment or "").strip()[:MAX_COMMENT_CHARS]) or None
        token = secrets.token_urlsafe(12)
        with self.transaction() as db:
            prior = db.execute("SELECT token FROM feedback WHERE article_id = ? AND ballot = ? ORDER BY id DESC "
                               "LIMIT 1", (article_id, ballot)).fetchone() if ballot else None
            if prior is not None:
                db.execute("UPDATE feedback SET helpful = ?, at = ?, comment = ? WHERE token = ?",
                           (int(helpful), _now(), comment, prior["token"]))
                return prior["token"]
            db.execute("INSERT INTO feedback (at, article_id, helpful, comment, lang, search_token, token, ballot) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (_now(), article_id, int(helpful), comment, lang, search_token, token, ballot))
        return token

    def add_comment(self, token: str, comment: str) -> str:
        """Attach a comment to the vote ``token`` names, or add it to the one it has:
        COMMENT_SAVED, COMMENT_UNKNOWN (no such vote, or no readable text) or COMMENT_FULL.

        The same comment sent again (a double tap, a reload) or sent again with more
        written (the browser's Back button, then more typed) is the customer's, so it
        is taken, not refused: nothing the customer wrote is lost (:func:`merged_comment`),
        and nothing stored is overwritten by whoever gets hold of the token's link."""
        comment = mask_pii(comment.strip()[:MAX_COMMENT_CHARS])
        if not comment:
            return COMMENT_UNKNOWN
        with self.transaction() as db:
            # the vote's row is this transaction's from here: a send at the same moment (PostgreSQL
            # runs them side by side) waits, then reads this one's comment instead of overwriting it
            if db.execute("UPDATE feedback SET comment = comment WHERE token = ?", (token,)).rowcount == 0:
                return COMMENT_UNKNOWN
            stored = db.execute("SELECT comment FROM feedback WHERE token = ?", (token,)).fetchone()["comment"]
            merged = merged_comment(stored, comment)
            if len(merged) > MAX_COMMENT_CHARS:
                return COMMENT_FULL
            if merged != stored:
                db.execute("UPDATE feedback SET comment = ? WHERE token = ?", (merged, token))
        return COMMENT_SAVED

    def same_search(self, token: str, query: str, channel: str, minutes: int) -> bool:
        """Whether ``token`` names a search of ``query`` (masked as stored) from ``channel``
        logged within the last ``minutes``: a results page reloaded, or reached again with
        the Back button, is that search, not another."""
        since = (datetime.now(timezone.utc) - timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%MZ")
        with self._search_log_turn():  # part of logging a search: it waits no longer than the log does
            return bool(self.query("SELECT 1 FROM searches WHERE token = ? AND query = ? AND channel = ? "
                                   "AND at >= ?", (token, mask_pii(query), channel, since)))

    def search_by_token(self, token: str):
        rows = self.query("SELECT * FROM searches WHERE token = ?", (token,))
        return rows[0] if rows else None

    def add_contact_request(self, question: str, email: str | None, lang: str | None,
                            query: str | None, shown: list[str], search_token: str | None = None) -> str:
        return self.add_contact_request_once(question, email, lang, query, shown, search_token)[0]

    def add_contact_request_once(self, question: str, email: str | None, lang: str | None, query: str | None,
                                 shown: list[str], search_token: str | None = None,
                                 submission: str | None = None, repeat_minutes: int = 0) -> tuple[str, bool]:
        """(reference, True) for a new request; (the first one's reference, False) when it was
        stored before: the form with this ``submission`` id (a random id each contact form
        carries, or an API client's Idempotency-Key), or the same question from the same
        address, still open, within ``repeat_minutes`` (a form sent again after going back
        gets a new id). A double click, a reload or a retry is one request for the team,
        handed off once. SubmissionReused when the id came with another request before."""
        masked = mask_pii(question.strip()[:MAX_QUESTION_CHARS])
        known = self._same_request(masked, email, submission, repeat_minutes)
        if known is not None:
            return known, False
        ref = "K-" + secrets.token_hex(4).upper()
        try:
            with self.transaction() as db:
                db.execute("INSERT INTO contact_requests (ref, at, question, email, lang, query, shown, "
                           "search_token, submission) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           (ref, _now(), masked, email or None, lang,
                            mask_pii(query) if query else None, json.dumps(shown), search_token, submission or None))
        except IntegrityError:  # the same form at the same moment: the other one was first
            known = self._same_request(masked, email, submission, repeat_minutes)
            if known is None:
                raise
            return known, False
        return ref, True

    def _same_request(self, masked: str, email: str | None, submission: str | None,
                      repeat_minutes: int) -> str | None:
        """The reference of the request this one repeats, or None (see add_contact_request_once)."""
        if submission:
            rows = self.query("SELECT ref, question, email FROM contact_requests WHERE submission = ?", (submission,))
            if rows:
                if rows[0]["question"] != masked or (rows[0]["email"] or None) != (email or None):
                    raise SubmissionReused(rows[0]["ref"])
                return rows[0]["ref"]
        if not email or not repeat_minutes:  # without an address two customers may well ask the same words
            return None
        since = (datetime.now(timezone.utc) - timedelta(minutes=repeat_minutes)).strftime("%Y-%m-%dT%H:%MZ")
        rows = self.query("SELECT ref FROM contact_requests WHERE email = ? AND question = ? AND status = 'open' "
                          "AND at >= ? ORDER BY id DESC LIMIT 1", (email, masked, since))
        return rows[0]["ref"] if rows else None

    def set_request_status(self, request_id: int, status: str, by: str | None = None,
                           shown: tuple[str, int] | None = None) -> bool:
        """Set a request's status as ``by`` (an agent's user name), now; False when it had that
        status already (or there is no such request): the first agent's decision stands.

        ``shown``: the status and ``status_version`` the agent's page showed; False, changing
        nothing, unless the request still has both. Each change here counts the version up, so
        a page from before a colleague reopened and answered again is refused, although the
        status is the one it showed. kb/ops/learning.py's "answered with" sets the status to
        answered the same way (counting, and refused from a stale page)."""
        if status not in ("open", "answered"):
            raise ValueError(f"unknown status {status!r}")
        sql = ("UPDATE contact_requests SET status = ?, status_by = ?, status_at = ?, "
               "status_version = status_version + 1 WHERE id = ? AND status <> ?")
        params: tuple = (status, by, _now(), request_id, status)
        if shown is not None:
            sql += " AND status = ? AND status_version = ?"
            params += tuple(shown)
        with self.transaction() as db:  # only a change: another agent's same decision a moment ago stands
            return db.execute(sql, params).rowcount == 1

    # -- reads the portal and the agents need ---------------------------------------------
    def contact_requests(self, status: str | None = "open", limit: int = 100) -> list:
        if status is None:
            return self.query("SELECT * FROM contact_requests ORDER BY at DESC, id DESC LIMIT ?", (limit,))
        return self.query("SELECT * FROM contact_requests WHERE status = ? ORDER BY at DESC, id DESC LIMIT ?",
                          (status, limit))

    def contact_request(self, request_id: int):
        rows = self.query("SELECT * FROM contact_requests WHERE id = ?", (request_id,))
        return rows[0] if rows else None
