"""Copy every table of one store into another: a shop moving from SQLite to PostgreSQL.

The target must be empty (its schema may exist: a replica that started once
is fine). Tables are created in the target from the source's own DDL when the
source is SQLite (so tables of every module come along, not only those this
module knows), copied in foreign-key order inside one target transaction —
all of it or nothing — and identity counters are moved past the copied ids,
so the next row gets a new id and old ids are never reused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.ops.database import Store

BATCH_ROWS = 1000
_CREATE = re.compile(r"^\s*CREATE\s+(?:UNIQUE\s+)?(?:TABLE|INDEX)\s+(?!IF\s+NOT\s+EXISTS)", re.I)
# bookkeeping of each store itself, not data to move
SKIPPED_TABLES = {"schema_migrations", "store_heartbeat"}


class CopyError(RuntimeError):
    """The copy cannot be done; nothing was written to the target."""


@dataclass(frozen=True)
class Copied:
    table: str
    rows: int


def _sqlite_tables(store: Store) -> dict[str, str]:
    rows = store.query("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    return {r["name"]: r["sql"] for r in rows if r["name"] not in SKIPPED_TABLES}


def _if_not_exists(ddl: str) -> str:
    return _CREATE.sub(lambda m: m.group(0) + "IF NOT EXISTS ", ddl, count=1)


def _sqlite_indexes(store: Store) -> list[str]:
    rows = store.query("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    return [_if_not_exists(r["sql"]) for r in rows]


def _postgres_tables(store: Store) -> dict[str, None]:
    rows = store.query("SELECT table_name FROM information_schema.tables "
                       "WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'")
    return {r["table_name"]: None for r in rows if r["table_name"] not in SKIPPED_TABLES}


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


def copy_store(source: Store, target: Store) -> list[Copied]:
    """Copy all rows of ``source`` into the empty ``target``; the counts per table."""
    tables = _sqlite_tables(source) if source.engine == "sqlite" else _postgres_tables(source)
    if source.engine == "sqlite":
        for ddl in tables.values():
            target.ensure_schema(_if_not_exists(ddl))
        for ddl in _sqlite_indexes(source):
            target.ensure_schema(ddl)
    target_tables = set(_sqlite_tables(target) if target.engine == "sqlite" else _postgres_tables(target))
    missing = sorted(set(tables) - target_tables)
    if missing:
        raise CopyError(f"the target has no table {', '.join(missing)}: start `kb serve` on it once, then copy")
    for table in tables:
        if target.query(f'SELECT COUNT(*) AS n FROM "{table}"')[0]["n"]:
            raise CopyError(f"the target is not empty (table {table} has rows): copy into a new database")
    order = _in_dependency_order(source, list(tables))
    copied = []
    with target.transaction() as db:
        for table in order:
            columns = [c for c in _columns(source, table) if c in set(_columns(target, table))]
            names = ", ".join(f'"{c}"' for c in columns)
            insert = f'INSERT INTO "{table}" ({names}) VALUES ({", ".join("?" * len(columns))})'
            rows = source.query(f'SELECT {names} FROM "{table}"')
            for start in range(0, len(rows), BATCH_ROWS):
                db.executemany(insert, [tuple(r) for r in rows[start:start + BATCH_ROWS]])
            if "id" in columns:
                target.backend.move_id_counter(db, table)
            copied.append(Copied(table, len(rows)))
    for c in copied:
        got = target.query(f'SELECT COUNT(*) AS n FROM "{c.table}"')[0]["n"]
        if got != c.rows:
            raise CopyError(f"table {c.table}: {c.rows} rows read but {got} in the target")
    return copied
