"""The `kb` command line: one click group, ``main``, with the commands of the modules below.

``indexing`` (check, index), ``searching`` (search, eval), ``serving`` (serve),
``users`` (users, tokens). A new command module imports ``main`` from here and
is imported at the end of this file.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kb.config import Settings


def _settings() -> Settings:
    return Settings.from_env()


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def open_engine(index_dir: Path, models: str):
    """Load the index and the encoders it was built with; clear errors otherwise."""
    from kb.encoders import ModelLoadError, load_encoders
    from kb.index.loaded import IndexUnavailable, LoadedIndex
    from kb.search.engine import SearchEngine

    try:
        index = LoadedIndex(index_dir, models)
        encoders = load_encoders(models)
    except (IndexUnavailable, ModelLoadError) as exc:
        _fail(str(exc))
    return SearchEngine(index, encoders)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kb")
def main() -> None:
    """Help centre with hybrid semantic + keyword search (German and English).

    Settings come from environment variables (KB_ARTICLES, KB_INDEX, KB_MODELS,
    KB_DEFAULT_LANG, KB_INSTANCE, KB_SITE, KB_SECRET_KEY, KB_HTTPS, KB_RATE_LIMITS);
    options override them. See README.md.
    """


# the commands register themselves on ``main`` when their modules are imported
from kb.cli import indexing, searching, serving, users  # noqa: E402,F401
