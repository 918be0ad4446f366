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


def open_engine(index_dir: Path, models: str):
    """Load the index and the encoders it was built with; clear errors otherwise."""
    from kb.encoders import ModelLoadError, load_encoders
    from kb.index.loaded import IndexUnavailable, LoadedIndex
    from kb.search.engine import SearchEngine

    try:
        index = LoadedIndex(index_dir, models)
        encoders = load_encoders(models)
    except (IndexUnavailable, ModelLoadError) as exc:
        fail(str(exc))
    return SearchEngine(index, encoders)
