"""Copy every table of one store into another: a move from SQLite to PostgreSQL, a backup.

The target must be empty: a new database (a SQLite file that does not exist yet, an
empty PostgreSQL database) or one a server started on once. The copy first creates the
full current schema there itself (:func:`kb.ops.all_tables.create_all_tables`: the
migrations, then every module's tables), as a server's first start would; tables of
the source that no module knows are created from the source's own DDL when the source
is SQLite. The source must be at the schema version of this kb; the target at it or
older (creating the schema upgrades an older one, as a server's start would): a row of
an older or newer schema could land in columns that mean something else, so a source of
another version, or a target of a newer one, is refused before anything is written. The
source is read in one read-only transaction (:meth:`Store.read_snapshot`), so a copy of
a database that servers keep writing is the database at one moment, consistent across
tables; each table is read BATCH_ROWS at a time, so a large table never sits in memory
whole. Rows are copied in foreign-key order inside one target transaction (all of it or
nothing), and identity counters are moved past the copied ids, so the next row gets a
new id and old ids are never reused. A copy opens its stores with COPY_TIMEOUT: reading
and writing a large table takes longer than a server's statement timeout allows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.ops.all_tables import create_all_tables
from kb.ops.database import Store, StoreUnavailable
from kb.ops.migrations import SchemaTooNew, latest_version, newer_schema_message

BATCH_ROWS = 1000
# seconds a copy's statements may wait (statement and lock timeout, SQLite's busy wait): a
# table of millions of searches takes minutes, where a server's store gives up after seconds
COPY_TIMEOUT = 600.0
_CREATE = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)\s+(?!IF\s+NOT\s+EXISTS)", re.I)
VERSION_TABLE = "schema_migrations"
# bookkeeping of each store itself, not data to move: the schema version, the write check, and
# which agent has a request open for the next quarter hour (no history of who read what in a backup)
SKIPPED_TABLES = {VERSION_TABLE, "store_heartbeat", "request_viewers"}


class CopyError(RuntimeError):
    """The copy cannot be done; nothing was written to the target."""


class CopyUnverified(RuntimeError):
    """The rows were written and committed, but the target's check afterwards failed (its row
    counts differ from those read, or it could not be counted): a copy not to be trusted."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def _all_tables(store: Store) -> set[str]:
    """Every table of ``store``, bookkeeping included; read only."""
    if store.engine == "sqlite":
        rows = store.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return {r["name"] for r in rows}
    rows = store.query("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    return {r["table_name"] for r in rows}


def _data_tables(store: Store) -> list[str]:
    return sorted(_all_tables(store) - SKIPPED_TABLES)


def stored_version(store: Store) -> int:
    """The schema version recorded in ``store``, without creating anything there (0: none)."""
    if VERSION_TABLE not in _all_tables(store):
        return 0
    return int(store.query(f"SELECT MAX(version) AS v FROM {VERSION_TABLE}")[0]["v"] or 0)


def _if_not_exists(ddl: str) -> str:
    return _CREATE.sub(lambda m: m.group(0) + "IF NOT EXISTS ", ddl, count=1)


def _sqlite_ddl(store: Store) -> list[str]:
    """The source's own CREATE statements, tables before indexes, each made idempotent."""
    rows = store.query("SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                       "AND sql IS NOT NULL AND name NOT LIKE 'sqlite_%' ORDER BY type DESC")
    return [_if_not_exists(r["sql"]) for r in rows if r["name"] not in SKIPPED_TABLES]


def _columns(store: Store, table: str) -> list[str]:
    if store.engine == "sqlite":
        return [r["name"] for r in store.query(f'PRAGMA table_info("{table}")')]
    return [r["column_name"] for r in store.query(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() "
        "AND table_name = ? ORDER BY ordinal_position", (table,))]


def _references(store: Store, table: str) -> set[str]:
    if store.engine == "sqlite":
        return {r["table"] for r in store.query(f'PRAGMA foreign_key_list("{table}")')}
    return {r["ref"] for r in store.query(
        "SELECT ccu.table_name AS ref FROM information_schema.table_constraints tc "
        "JOIN information_schema.constraint_column_usage ccu ON ccu.constraint_name = tc.constraint_name "
        "WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = ?", (table,))}


def _in_dependency_order(store: Store, tables: list[str]) -> list[str]:
    """Referenced tables first, so the target's foreign keys hold at every insert."""
    needs = {t: _references(store, t) & set(tables) - {t} for t in tables}
    ordered: list[str] = []
    while needs:
        ready = sorted(t for t, refs in needs.items() if refs <= set(ordered))
        if not ready:
            raise CopyError(f"tables reference each other in a circle: {', '.join(sorted(needs))}")
        ordered.extend(ready)
        for t in ready:
            del needs[t]
    return ordered


def _row_count(store: Store, table: str) -> int:
    return int(store.query(f'SELECT COUNT(*) AS n FROM "{table}"')[0]["n"])


def _check_source(source: Store, tables: list[str]) -> None:
    """Refuse a source of another schema version, or one with nothing to copy."""
    if not tables:
        raise CopyError(f"the source {source.label} has no tables (is it the database you meant?)")
    version, known = stored_version(source), latest_version()
    if version > known:
        raise CopyError(f"the source: {newer_schema_message(version)}")
    if version < known:
        raise CopyError(f"the source's schema is version {version}, this kb's is {known}: run "
                        f"`kb db upgrade --url {source.label}` on it first (or copy with the kb it was made by)")
    if not any(_row_count(source, t) for t in tables):
        raise CopyError(f"the source {source.label} has no rows in any of its {len(tables)} tables "
                        "(is it the database you meant?)")


def _check_target_empty(target: Store) -> None:
    """Refuse a target with rows (or of a newer schema) before anything is created in it."""
    version = stored_version(target)
    if version > latest_version():
        raise CopyError(f"the target: {newer_schema_message(version)}")
    for table in _data_tables(target):
        if _row_count(target, table):
            raise CopyError(f"the target is not empty (table {table} has rows): copy into a new database")


def _prepare_target(source: Store, target: Store, tables: list[str]) -> None:
    """The full current schema in the target, plus the source's own tables that no module knows."""
    try:
        create_all_tables(target)
    except SchemaTooNew as exc:  # migrated by another process since the check
        raise CopyError(f"the target: {exc}") from exc
    if source.engine == "sqlite":
        for ddl in _sqlite_ddl(source):
            target.ensure_schema(ddl)
    missing = sorted(set(tables) - set(_data_tables(target)))
    if missing:
        raise CopyError(f"the source has tables this kb does not know: {', '.join(missing)} "
                        "(copy with the kb release that made them, or to SQLite from SQLite)")
    for table in tables:
        lost = [c for c in _columns(source, table) if c not in set(_columns(target, table))]
        if lost:
            raise CopyError(f"table {table}: the target has no column {', '.join(lost)}")


def _copy_rows(source: Store, target: Store, tables: list[str]) -> list[Copied]:
    """Every row, in one target transaction; ids kept and identity counters moved past them."""
    copied = []
    with target.transaction() as db:
        for table in _in_dependency_order(source, tables):
            columns = _columns(source, table)
            names = ", ".join(f'"{c}"' for c in columns)
            insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
            rows = 0
            for batch in source.read_in_batches(f'SELECT {names} FROM "{table}"', rows=BATCH_ROWS):
                db.executemany(insert, [tuple(r) for r in batch])
                rows += len(batch)
            if "id" in columns:
                target.backend.move_id_counter(db, table)
            copied.append(Copied(table, rows))
    return copied


def _verify(target: Store, copied: list[Copied]) -> None:
    """Each table of the target holds as many rows as were read (checked after the commit)."""
    try:
        counts = [(c, _row_count(target, c.table)) for c in copied]
    except StoreUnavailable as exc:
        raise CopyUnverified(f"the rows were committed, but the target could not be counted: {exc}") from exc
    for c, got in counts:
        if got != c.rows:
            raise CopyUnverified(f"the rows were committed, but table {c.table} has {got} rows in the target "
                                 f"where {c.rows} were read (did something else write to it?)")


def copy_store(source: Store, target: Store) -> list[Copied]:
    """Copy all rows of ``source`` into the empty ``target``; the counts per table.

    Every refusal (CopyError) comes before a row is written; those about the source and
    a target with rows come before anything is created in the target. CopyUnverified:
    the rows were committed, but the target's counts afterwards do not match."""
    with source.read_snapshot():  # one moment of the source, while its servers may go on writing
        tables = _data_tables(source)
        _check_source(source, tables)
        _check_target_empty(target)
        _prepare_target(source, target, tables)
        copied = _copy_rows(source, target, tables)
    _verify(target, copied)
    return copied
