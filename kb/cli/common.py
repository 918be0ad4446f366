"""What every `kb` command needs: the settings, a clear failure, an opened search engine."""

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
