"""What every `kb` command needs: the settings, a clear failure, an opened store or search engine."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.config import Settings


def load_settings() -> Settings:
    return Settings.from_env()


def fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


URL_HELP = "sqlite:///path or postgresql://user@host/db (default: KB_DATABASE_URL, else the instance's SQLite file)."


def open_store(url: str | None, migrate: bool = False, must_exist: bool = False, timeout: float | None = None):
    """The store at ``url`` (default: the one `kb serve` uses); a bad URL, a missing SQLite
    file (with ``must_exist``) or a database that cannot be opened ends with a clear error.
    ``timeout``: how long its statements may wait, for a command that needs longer than the
    store's default (a copy of large tables)."""
    from kb.ops.backends import parse_url
    from kb.ops.database import Store, StoreUnavailable

    url = url or Settings.from_env().database_url
    try:
        engine, target = parse_url(url)
    except ValueError as exc:
        fail(str(exc))
    if must_exist and engine == "sqlite" and not Path(target).is_file():
        fail(f"no SQLite database at {target}")
    try:
        if timeout is None:
            return Store(url, migrate=migrate)
        return Store(url, timeout, migrate=migrate)
    except StoreUnavailable as exc:
        fail(str(exc))


def open_engine(index_dir: Path, models: str, site_file: Path | None = None):
    """Load the index and the encoders it was built with, the shop's name from
    ``site_file`` (site.yml: searched as the portal searches); clear errors otherwise."""
    from kb.encoders import ModelLoadError, load_encoders
    from kb.index.loaded import IndexUnavailable, LoadedIndex
    from kb.search.engine import SearchEngine
    from kb.web.site import SiteConfigError, load_site

    try:
        own_names = load_site(site_file).own_names
        index = LoadedIndex(index_dir, models)
        encoders = load_encoders(models)
    except (IndexUnavailable, ModelLoadError, SiteConfigError) as exc:
        fail(str(exc))
    return SearchEngine(index, encoders, own_names)
