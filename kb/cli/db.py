"""`kb db`: the store's schema and moving a shop's data between databases.

Registered on the main click group by kb/cli.py. Every command takes the
database from ``--url`` or ``KB_DATABASE_URL`` (default: the SQLite file in
the instance folder), the same one `kb serve` uses.
"""

from __future__ import annotations

import itertools
from pathlib import Path

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
@click.option("--to", "target", required=True,
              help="A new or empty database, e.g. postgresql://kb@db/kb or sqlite:////backup/kb.sqlite3.")
def copy(source, target) -> None:
    """Copy every table into a new or empty database (all or nothing): SQLite to PostgreSQL,
    or a PostgreSQL to a SQLite file as a portable backup.

    The target gets the full current schema first (as `kb serve` would create it);
    a source of another schema version, a target with rows, or a source with no
    rows is refused before anything is written. A SQLite file the copy created is
    removed again when the copy fails. The source is read as one snapshot, so servers
    may keep running: what they write after the copy began is not in it.
    """
    from kb.ops.db_copy import COPY_TIMEOUT, CopyError, CopyUnverified, copy_store
    if _same_database(source, target):
        raise click.ClickException("--from and --to are the same database")
    src = open_store(source, must_exist=True, timeout=COPY_TIMEOUT)
    created = _created_by_opening(target)
    dst = open_store(target, timeout=COPY_TIMEOUT)
    try:
        copied = copy_store(src, dst)
    except BaseException as exc:
        removed = _remove_created(dst, created)
        if isinstance(exc, CopyUnverified):
            raise click.ClickException(_unverified_message(exc, dst, removed)) from exc
        if not isinstance(exc, (CopyError, StoreUnavailable)):
            raise
        raise click.ClickException(f"nothing was copied: {exc}" + removed) from exc
    for c in copied:
        click.echo(f"{c.table:<24} {c.rows:>8} rows")
    click.echo(f"Copied {sum(c.rows for c in copied)} rows in {len(copied)} tables from {src.label} to {dst.label}.")


def _unverified_message(exc: Exception, dst, removed: str) -> str:
    """What a copy whose check failed after the commit left behind: a file removed again,
    or rows in the target database that must not pass for a copy."""
    if removed:
        return f"the copy failed its check: {exc}{removed}"
    return (f"the copy failed its check: {exc}. The rows stay in {dst.label}: do not use it as "
            "a copy; empty it (or make a new database) before copying again")


def _same_database(one: str, other: str) -> bool:
    """Both URLs name one database (a SQLite file however its path is written)."""
    from kb.ops.backends import parse_url
    try:
        (engine, a), (other_engine, b) = parse_url(one), parse_url(other)
    except ValueError:
        return one == other  # open_store says what is wrong with the URL
    if engine != other_engine:
        return False
    return Path(a).resolve() == Path(b).resolve() if engine == "sqlite" else a == b


def _created_by_opening(url: str) -> list[Path]:
    """What opening ``url`` creates: a SQLite file that does not exist yet, then each folder
    above it that does not exist either (innermost first); nothing for PostgreSQL."""
    from kb.ops.backends import parse_url
    try:
        engine, target = parse_url(url)
    except ValueError:
        return []  # open_store says what is wrong with the URL
    if engine != "sqlite":
        return []
    path = Path(target).absolute()
    return list(itertools.takewhile(lambda p: not p.exists(), [path, *path.parents]))


def _remove_created(store, created: list[Path]) -> str:
    """Remove the SQLite file (and folders) a failed copy created: a half-made file would pass
    for a backup later. Says what was removed, for the error message."""
    from kb.ops.backends import SQLITE_SIDE_FILES
    if not created:
        return ""
    store.release_connection()
    file = created[0]
    for path in [file, *(file.with_name(file.name + suffix) for suffix in SQLITE_SIDE_FILES)]:
        path.unlink(missing_ok=True)
    for folder in created[1:]:
        try:
            folder.rmdir()
        except OSError:  # something else was put there meanwhile: it stays
            break
    return f" (the new file {file} was removed)"
