"""The store's schema, versioned: numbered migrations, applied in order, recorded.

``schema_migrations`` holds one row per applied migration. :func:`upgrade` runs
on every start (``Store(...)``) and by ``kb db upgrade``; it applies what is
missing, each migration in its own transaction under the schema lock, so two
replicas starting together apply each migration once. Migrations are SQLite DDL
(rewritten for PostgreSQL by the backend) and only ever appended: a database
is at version N when migrations 1..N are applied.

Modules that own their tables (accounts and others) keep creating them with
``Store.ensure_schema`` on start; this list holds the tables of the store itself.

A database migrated by a newer release than this one (a version above
:func:`latest_version`) is never changed here: :func:`upgrade` raises
:class:`SchemaTooNew`. A process that opens the store to serve logs that as a
warning and keeps running, since a rolling upgrade has replicas of the old
release serving beside a database the first new replica migrated, on purpose.
That works because migrations only add (tables, nullable columns or columns
with a default, indexes); a migration that removes or renames what an older
release reads must wait until no replica of that release runs.
"""

from __future__ import annotations

import os
import socket
from datetime import datetime, timezone
from typing import NamedTuple

from kb.ops.sql_dialect import split_statements

# migration 1: the tables the portal started with
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


class Migration(NamedTuple):
    version: int
    name: str
    sql: str


def _migrations() -> list[Migration]:
    return [
        Migration(1, "searches, article views, feedback, contact requests", SCHEMA),
        Migration(2, "heartbeat: readiness writes one row per replica", """
            CREATE TABLE IF NOT EXISTS store_heartbeat (
                replica TEXT PRIMARY KEY,       -- host name and process id
                at TEXT NOT NULL,               -- UTC, seconds
                beats INTEGER NOT NULL
            );"""),
        Migration(3, "searches: hedged, answered with the first articles as a choice", """
            ALTER TABLE searches ADD COLUMN hedged INTEGER NOT NULL DEFAULT 0;"""),
        Migration(4, "contact requests: who set the status, and when", """
            ALTER TABLE contact_requests ADD COLUMN status_by TEXT;
            ALTER TABLE contact_requests ADD COLUMN status_at TEXT;"""),
        Migration(5, "contact requests and votes: one per form sent (a double click, a reload, a retry)", """
            ALTER TABLE contact_requests ADD COLUMN submission TEXT;
            CREATE UNIQUE INDEX IF NOT EXISTS contact_submission ON contact_requests(submission);
            ALTER TABLE feedback ADD COLUMN ballot TEXT;
            CREATE INDEX IF NOT EXISTS feedback_ballot ON feedback(ballot);"""),
        Migration(6, "search counts per hour: what insights keep of searches removed after the retention period", """
            CREATE TABLE IF NOT EXISTS search_counts (
                hour TEXT PRIMARY KEY,          -- UTC, as searches.at at the hour's start: 2026-03-01T09:00Z
                searches INTEGER NOT NULL,
                helpful INTEGER NOT NULL        -- of them, searches a "helpful" vote came after
            );"""),
        Migration(7, "contact requests: why the reply address is gone (retention period or erasure)", """
            -- NULL while the address is there or the customer gave none; 'retention' once
            -- kb privacy purge removed it, 'erasure' once kb privacy erase did: the inbox says which
            ALTER TABLE contact_requests ADD COLUMN email_removed TEXT;"""),
        Migration(8, "purge runs: when kb privacy purge ran, and its period, for the privacy page", """
            CREATE TABLE IF NOT EXISTS purge_runs (
                at TEXT PRIMARY KEY,            -- UTC, seconds: when the purge ran
                days INTEGER NOT NULL           -- its period: what was older was removed
            );"""),
        Migration(9, "contact requests: a version of the status, so a change made on a stale page is refused", """
            -- one more on each change through Store.set_request_status; the inbox's status form sends
            -- the status and version it showed, and a change from a page older than the row is refused
            ALTER TABLE contact_requests ADD COLUMN status_version INTEGER NOT NULL DEFAULT 0;"""),
        Migration(10, "request viewers: which agent has had a contact request open, and since when", """
            -- agents' user names and times only, nothing of the customer; rows older than
            -- kb.ops.request_viewers.VIEWER_MINUTES are deleted at the next view of any request
            CREATE TABLE IF NOT EXISTS request_viewers (
                request_id BIGINT NOT NULL,     -- contact_requests.id
                agent TEXT NOT NULL,            -- the agent's user name
                since TEXT NOT NULL,            -- UTC, seconds: when this agent opened it, this time
                seen TEXT NOT NULL,             -- UTC, seconds: when this agent last opened it
                PRIMARY KEY (request_id, agent)
            );
            CREATE INDEX IF NOT EXISTS request_viewers_seen ON request_viewers(seen);"""),
    ]


VERSION_TABLE = """
CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
);
"""


def latest_version() -> int:
    return _migrations()[-1].version


def _stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_version(store) -> int:
    """The highest applied migration; 0 for a new database."""
    store.ensure_schema(VERSION_TABLE)
    rows = store.query("SELECT MAX(version) AS v FROM schema_migrations")
    return int(rows[0]["v"] or 0)


def applied(store) -> list[tuple[int, str, str]]:
    store.ensure_schema(VERSION_TABLE)
    return [(r["version"], r["name"], r["applied_at"])
            for r in store.query("SELECT version, name, applied_at FROM schema_migrations ORDER BY version")]


class SchemaTooNew(RuntimeError):
    """The database was migrated by a newer release of kb than this one; nothing was changed."""


def newer_schema_message(version: int) -> str:
    """What an operator reads when this kb is older than the schema it met (``version``)."""
    return (f"the database's schema ({version}) is newer than this kb knows ({latest_version()}): "
            "this is an older release than the one that migrated it; upgrade kb")


def upgrade(store) -> list[Migration]:
    """Apply the missing migrations; returns those applied now (empty when up to date).

    Raises SchemaTooNew, having changed nothing, for a database a newer release migrated:
    "up to date" would hide that this kb is the older one."""
    store.ensure_schema(VERSION_TABLE)
    found = current_version(store)
    if found > latest_version():
        raise SchemaTooNew(newer_schema_message(found))
    done = []
    for migration in _migrations():
        if migration.version <= current_version(store):
            continue
        with store.transaction() as db:
            store.backend.lock_schema(db)
            # another replica may have applied it while we waited for the lock
            if db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)).fetchall():
                continue
            for statement in split_statements(migration.sql):
                db.execute(store.backend.ddl(statement))
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                       (migration.version, migration.name, _stamp()))
        done.append(migration)
    return done


def replica_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def probe_write(store) -> None:
    """Commit one small write (this replica's heartbeat); StoreUnavailable when it cannot."""
    with store.transaction() as db:
        db.execute("INSERT INTO store_heartbeat (replica, at, beats) VALUES (?, ?, 1) "
                   "ON CONFLICT(replica) DO UPDATE SET at = excluded.at, beats = store_heartbeat.beats + 1",
                   (replica_name(), _stamp()))
