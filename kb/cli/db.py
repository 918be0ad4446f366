"""`kb db`: the store's schema and moving a shop's data between databases.

Registered on the main click group by kb/cli.py. Every command takes the
database from ``--url`` or ``KB_DATABASE_URL`` (default: the SQLite file in
the instance folder), the same one `kb serve` uses.
"""

from __future__ import annotations

import click

from kb.cli.common import URL_HELP, open_store
from kb.ops.database import StoreUnavailable


@click.group()
def db() -> None:
    """The portal's database: schema version, upgrades, moving to PostgreSQL."""


@db.command()
@click.option("--url", help=URL_HELP)
def upgrade(url) -> None:
    """Apply the schema migrations that are missing (`kb serve` does this on start too)."""
    from kb.ops.migrations import SchemaTooNew, current_version, upgrade as apply
    store = open_store(url)
    try:
        done = apply(store)
        version = current_version(store)
    except SchemaTooNew as exc:  # nothing was changed: this kb is the older release
        raise click.ClickException(f"{store.label}: {exc}") from exc
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    for m in done:
        click.echo(f"applied {m.version}: {m.name}")
    click.echo(f"{store.label}: schema version {version}" + ("" if done else " (up to date)"))


@db.command()
@click.option("--url", help=URL_HELP)
def status(url) -> None:
    """Engine, schema version and the migrations applied.

    Exits 1 when a newer release of kb migrated the database: this kb is the older one.
    """
    from kb.ops.migrations import applied, latest_version, newer_schema_message
    store = open_store(url, must_exist=True)
    try:
        rows = applied(store)
    except StoreUnavailable as exc:
        raise click.ClickException(str(exc)) from exc
    version = rows[-1][0] if rows else 0
    known = latest_version()
    of = f"of {known}" if version <= known else f"(this kb knows {known})"
    click.echo(f"{store.label} ({store.engine}): schema version {version} {of}")
    for number, name, at in rows:
        click.echo(f"  {number:>3}  {at}  {name}")
    if version > known:
        raise click.ClickException(newer_schema_message(version))
    if version < known:
        click.echo("Run `kb db upgrade` (or start `kb serve`) to apply the rest.")


@db.command()
@click.option("--from", "source", required=True, help="The database to read, e.g. sqlite:///instance/kb.sqlite3.")
@click.option("--to", "target", required=True, help="The new, empty database, e.g. postgresql://kb@db/kb.")
def copy(source, target) -> None:
    """Copy every table into an empty database (all or nothing), e.g. SQLite to PostgreSQL.

    Stop the server (or let it only read) while copying: writes made during
    the copy would stay behind in the source.
    """
    from kb.ops.db_copy import CopyError, copy_store
    if source == target:
        raise click.ClickException("--from and --to are the same database")
    src = open_store(source, must_exist=True)
    dst = open_store(target, migrate=True)
    try:
        copied = copy_store(src, dst)
    except (CopyError, StoreUnavailable) as exc:
        raise click.ClickException(f"{exc} (nothing was copied)") from exc
    for c in copied:
        click.echo(f"{c.table:<24} {c.rows:>8} rows")
    click.echo(f"Copied {sum(c.rows for c in copied)} rows in {len(copied)} tables from {src.label} to {dst.label}.")
