"""Every table kb keeps, created at once: what a server's first start leaves in a new database.

The store's own tables come from the numbered migrations (:mod:`kb.ops.migrations`);
the modules that own tables create them when they are first used (``Accounts(store)``
and the others below). A copy or a restore into a new database needs all of them
before its first row, whether or not a server ever ran there. A module that adds a
table adds its schema here too (tests/test_db_cli.py finds every ``CREATE TABLE``
under kb/ops and checks that this creates it).
"""

from __future__ import annotations

from kb.ops import accounts, article_history, article_moves, article_review, contact_details, learning
from kb.ops.database import Store
from kb.ops.handoff import outbox
from kb.ops.migrations import upgrade


def module_schemas() -> list[str]:
    """The SQLite DDL of every module that owns tables, in the order a server creates them."""
    return [accounts.SCHEMA, accounts.SESSION_KEY_COLUMN, article_review.SCHEMA, article_moves.SCHEMA,
            article_history.SCHEMA, contact_details.SCHEMA, learning.SCHEMA, outbox.SCHEMA]


def create_all_tables(store: Store) -> None:
    """The full current schema in ``store``: the migrations, then every module's tables.

    Raises kb.ops.migrations.SchemaTooNew, changing nothing, for a database a newer
    release migrated."""
    upgrade(store)
    for sql in module_schemas():
        store.ensure_schema(sql)
