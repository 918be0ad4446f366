"""The two engines under :class:`kb.ops.database.Store`: SQLite and PostgreSQL.

Why psycopg 3 with this thin adapter rather than SQLAlchemy Core: every module
of the project (and those being written next to this one) talks to the store in
plain SQLite SQL with ``?`` placeholders and reads rows by column name. An
adapter keeps all of that SQL as it is — it only rewrites placeholders and a
few DDL words (:mod:`kb.ops.sql_dialect`) — while SQLAlchemy Core would mean
rewriting every query into its expression language or passing it through
``text()`` with ``:name`` parameters, plus a connection pool we do not need
(each server thread keeps one connection, as it does with SQLite).

A backend opens connections, says how to begin a write and maps the engine's
errors onto the two the callers know: :class:`IntegrityError` (a constraint,
the caller explains it) and "unavailable" (anything else: retry later).
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from pathlib import Path
from urllib.parse import unquote, urlsplit

from kb.config import shown_address
from kb.ops.sql_dialect import postgres_ddl, postgres_query, split_statements
from kb.content.sqlite_wal import use_wal

# The file holds password hashes, token digests and customer e-mails: owner only.
DATABASE_FILE_MODE = 0o600
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
# Replicas creating tables at the same moment queue on this PostgreSQL advisory lock.
SCHEMA_LOCK_KEY = 0x6B625F736368  # "kb_sch"
# A reachable PostgreSQL accepts in milliseconds; an unreachable host must not hold
# a search (whose logging waits for it) for the whole statement timeout.
CONNECT_TIMEOUT = 3
# A frozen server (a stopped process, a lost network) accepts a query and never answers:
# its own statement_timeout cannot fire, so every wait on it ends this long after the
# statement timeout, and the connection is dropped (the next call opens a new one).
WAIT_MARGIN = 2.0
# the server-side cursor of Store.read_in_batches; one at a time per connection
BATCH_CURSOR = "kb_batches"
_wait_budget = threading.local()  # a shorter limit for this thread's next waits (waits_at_most)


@contextmanager
def waits_at_most(seconds: float) -> Iterator[None]:
    """This thread's database waits end after ``seconds`` (a search does not wait long to be logged)."""
    before = getattr(_wait_budget, "seconds", None)
    _wait_budget.seconds = seconds
    try:
        yield
    finally:
        _wait_budget.seconds = before


class IntegrityError(sqlite3.IntegrityError):
    """A constraint refused the write (on either engine).

    A subclass of sqlite3's, so code that catches ``sqlite3.IntegrityError``
    keeps working on PostgreSQL.
    """


def parse_url(url: str | os.PathLike) -> tuple[str, str]:
    """``(engine, target)`` from ``sqlite:///path``, ``postgresql://…`` or a bare file path."""
    text = os.fspath(url)
    if text.startswith(("postgresql://", "postgres://")):
        return "postgresql", text
    if text.startswith("sqlite:"):
        parts = urlsplit(text)
        # "sqlite:/x" and "sqlite:x" have no "//": read as sqlite:///, they opened another file
        if not text.startswith("sqlite://") or parts.netloc not in ("", "localhost") or len(parts.path) < 2:
            raise ValueError(f"not a SQLite URL: {shown_address(text)!r} "
                             "(use sqlite:///relative/path or sqlite:////absolute/path)")
        return "sqlite", unquote(parts.path[1:])
    if "://" in text:
        # the address a message shows never carries its password (a mistyped scheme is common)
        raise ValueError(f"unsupported database URL {shown_address(text)!r}: use sqlite:///… or postgresql://…")
    return "sqlite", text


def restrict_file(path: Path) -> None:
    """Make the database file and its WAL side files readable by the owner only."""
    for candidate in [path] + [path.with_name(path.name + s) for s in SQLITE_SIDE_FILES]:
        try:
            if stat.S_IMODE(candidate.stat().st_mode) != DATABASE_FILE_MODE:
                candidate.chmod(DATABASE_FILE_MODE)
        except FileNotFoundError:
            continue


class SqliteBackend:
    engine = "sqlite"
    serialise_writes = True  # one writer at a time in SQLite: queue in-process, not in its busy handler

    def __init__(self, path: str, timeout: float) -> None:
        self.path = Path(path)
        self.timeout = timeout
        self.label = str(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            # created with the owner-only mode from the first byte, never world-readable
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, DATABASE_FILE_MODE))
        restrict_file(self.path)

    def connect(self):
        # SQLite creates the -wal and -shm files with the database file's mode: owner only too
        db = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            use_wal(db, self.timeout)  # replicas may open a new file together
        except sqlite3.Error:
            db.close()
            raise
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable on app crash, one fsync per checkpoint
        return db

    errors = (sqlite3.Error,)
    integrity_errors = (sqlite3.IntegrityError,)

    def begin(self, db) -> None:
        db.execute("BEGIN IMMEDIATE")

    def begin_snapshot(self, db) -> None:
        """A read transaction: WAL keeps the first read's view for all later ones, writers go on."""
        db.execute("BEGIN DEFERRED")

    def in_transaction(self, db) -> bool:
        return db.in_transaction

    def batches(self, db, sql: str, params: tuple, rows: int) -> Iterator[list]:
        """The query's rows, ``rows`` at a time: sqlite3 steps through the result as it is fetched."""
        cursor = db.execute(sql, params)
        while batch := cursor.fetchmany(rows):
            yield batch

    def lost(self, db) -> bool:
        """A file has no connection to lose."""
        return False

    def lock_schema(self, db) -> None:
        """BEGIN IMMEDIATE already holds the only write lock."""

    def ddl(self, statement: str) -> str:
        return statement

    def move_id_counter(self, db, table: str) -> None:
        """SQLite continues after the highest id (AUTOINCREMENT tables: after the highest ever)."""

    def has_column(self, db, table: str, column: str) -> bool:
        return any(r["name"] == column for r in db.execute(f'PRAGMA table_info("{table}")').fetchall())


class Row:
    """A result row readable by position and by column name, like ``sqlite3.Row``."""

    __slots__ = ("_names", "_values")

    def __init__(self, names: tuple[str, ...], values) -> None:
        self._names = names
        # SUM over big integers comes back as Decimal; callers do float arithmetic with it
        self._values = tuple(_plain(v) for v in values)

    def __getitem__(self, key):
        if isinstance(key, str):
            if key in self._names:
                return self._values[self._names.index(key)]
            folded = [n.lower() for n in self._names]  # sqlite3.Row ignores case too
            if key.lower() in folded:
                return self._values[folded.index(key.lower())]
            raise IndexError(f"no such column: {key}")
        return self._values[key]

    def keys(self) -> list[str]:
        return list(self._names)

    def __iter__(self):
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def __eq__(self, other) -> bool:
        return isinstance(other, Row) and (self._names, self._values) == (other._names, other._values)

    def __hash__(self) -> int:
        return hash((self._names, self._values))

    def __repr__(self) -> str:
        return f"Row({dict(zip(self._names, self._values))!r})"


def _plain(value):
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _row_factory(cursor):
    names = tuple(c.name for c in cursor.description or ())
    return lambda values: Row(names, values)


class PgCursor:
    """The part of sqlite3's cursor the callers use, including ``lastrowid`` after an INSERT."""

    def __init__(self, cursor, added_returning: bool) -> None:
        self._cursor = cursor
        self.rowcount = cursor.rowcount
        self.lastrowid = None
        self._rows = None
        if added_returning:
            self._rows = cursor.fetchall()
            if self._rows and "id" in self._rows[-1].keys():
                self.lastrowid = self._rows[-1]["id"]

    def fetchone(self):
        if self._rows is not None:
            return self._rows.pop(0) if self._rows else None
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self):
        if self._rows is not None:
            rows, self._rows = self._rows, []
            return rows
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self):
        return iter(self.fetchall())


class PgConnection:
    """A psycopg connection that takes SQLite SQL: ``execute(sql, params)`` with ``?``."""

    def __init__(self, raw) -> None:
        self.raw = raw

    def execute(self, sql: str, params=()) -> PgCursor:
        text, added_returning = postgres_query(sql)
        cursor = self.raw.cursor()
        cursor.execute(text, tuple(params))
        return PgCursor(cursor, added_returning)

    def executemany(self, sql: str, seq_of_params) -> PgCursor:
        text, _ = postgres_query(sql, row_id=False)
        cursor = self.raw.cursor()
        cursor.executemany(text, [tuple(p) for p in seq_of_params])
        return PgCursor(cursor, False)

    def executescript(self, script: str) -> None:
        for statement in split_statements(script):
            self.raw.execute(postgres_ddl(statement))

    def close(self) -> None:
        self.raw.close()


@cache
def _bounded_connection(psycopg):
    """psycopg's connection whose every wait for the server ends (see WAIT_MARGIN)."""
    class BoundedConnection(psycopg.Connection):
        wait_limit: float | None = None
        silent = False  # the server stopped answering this connection (not closed it)

        def wait(self, gen, interval=0.1, timeout=None):
            limit = getattr(_wait_budget, "seconds", None) or self.wait_limit
            try:
                return super().wait(gen, interval, timeout if timeout is not None else limit)
            except psycopg.errors.OperationalError:
                if not self.closed and self.pgconn.transaction_status == psycopg.pq.TransactionStatus.ACTIVE:
                    self.silent = True  # no restart: a new connection would wait for it just the same
                    self.pgconn.finish()  # a query left running on a silent server: unusable
                raise
    return BoundedConnection


class PostgresBackend:
    engine = "postgresql"
    serialise_writes = False  # PostgreSQL takes concurrent writers itself

    def __init__(self, url: str, timeout: float) -> None:
        import psycopg
        self._psycopg = psycopg
        self.url = url
        self.timeout = timeout
        parts = urlsplit(url)
        self.label = shown_address(url if parts.hostname else url.replace("://", "://localhost", 1), 5432)
        self.errors = (psycopg.Error,)
        self.integrity_errors = (psycopg.IntegrityError,)

    def connect(self) -> PgConnection:
        from psycopg.conninfo import conninfo_to_dict
        params = conninfo_to_dict(self.url)
        # a statement that waits longer than the timeout (locks, a stalled server) fails
        # instead of holding a request thread: the caller answers a retryable 503
        waits = int(self.timeout * 1000)
        params["options"] = f"{params.get('options', '')} -c statement_timeout={waits} -c lock_timeout={waits}".strip()
        params.setdefault("connect_timeout", max(1, min(int(self.timeout), CONNECT_TIMEOUT)))
        params.setdefault("application_name", "kb")
        raw = _bounded_connection(self._psycopg).connect(autocommit=True, row_factory=_row_factory, **params)
        raw.wait_limit = self.timeout + WAIT_MARGIN
        return PgConnection(raw)

    def begin(self, db: PgConnection) -> None:
        db.raw.execute("BEGIN")

    def begin_snapshot(self, db: PgConnection) -> None:
        """Every later read sees the database as at the first one; writers are not blocked."""
        db.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")

    def lost(self, db: PgConnection) -> bool:
        """The server closed this connection (restart, failover): a new one may work. One
        it stopped answering is not lost that way: trying again would wait once more."""
        return (db.raw.broken or db.raw.closed) and not db.raw.silent

    def in_transaction(self, db: PgConnection) -> bool:
        return db.raw.info.transaction_status != self._psycopg.pq.TransactionStatus.IDLE

    def batches(self, db: PgConnection, sql: str, params: tuple, rows: int) -> Iterator[list]:
        """The query's rows, ``rows`` at a time, through a server-side cursor: a client-side one
        would receive the whole result at once. Inside a transaction only (a snapshot's)."""
        text, _ = postgres_query(sql, row_id=False)
        with db.raw.cursor(name=BATCH_CURSOR) as cursor:
            cursor.execute(text, tuple(params))
            while batch := cursor.fetchmany(rows):
                yield batch

    def lock_schema(self, db: PgConnection) -> None:
        db.raw.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))

    def ddl(self, statement: str) -> str:
        return postgres_ddl(statement)

    def move_id_counter(self, db: PgConnection, table: str) -> None:
        """After rows with explicit ids: the identity continues after the highest one."""
        db.raw.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), GREATEST(MAX(id), 1), MAX(id) IS NOT NULL) "
                       f'FROM "{table}"', (table,))

    def has_column(self, db: PgConnection, table: str, column: str) -> bool:
        return bool(db.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                               "AND table_name = ? AND column_name = ?",
                               (table.strip('"').lower(), column.strip('"').lower())).fetchall())


def open_backend(url: str | os.PathLike, timeout: float):
    engine, target = parse_url(url)
    if engine == "postgresql":
        return PostgresBackend(target, timeout)
    return SqliteBackend(target, timeout)
