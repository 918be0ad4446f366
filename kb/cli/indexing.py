"""`kb check` and `kb index` (also `--watch`): validating articles and building the index."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import click

from kb.cli.common import fail, load_settings


@click.command()
@click.argument("articles_dir", required=False, type=click.Path(path_type=Path))
@click.option("--default-lang", help="Language for articles without a 'lang' key.")
def check(articles_dir: Path | None, default_lang: str | None) -> None:
    """Validate every article; one line per problem as path:line: message."""
    from kb.content.check import check_articles, summary

    settings = load_settings()
    articles_dir = articles_dir or settings.articles_dir
    if articles_dir.is_file():
        fail(f"{articles_dir} is a file: kb check takes the articles folder (it checks the links between "
             "articles too)", 2)
    if not articles_dir.is_dir():
        fail(f"articles folder not found: {articles_dir}", 2)
    articles, problems = check_articles(articles_dir, default_lang or settings.default_lang)
    for p in problems:
        click.echo(str(p))
    click.echo(summary(articles, problems))
    if not articles and not problems:
        fail(f"no article files (*.md) in {articles_dir}: the help centre would be empty", 1)
    sys.exit(1 if any(p.severity == "error" for p in problems) else 0)


@click.command()
@click.option("--articles", "articles_dir", type=click.Path(path_type=Path), help="Articles folder.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index location.")
@click.option("--models", help="Encoders, e.g. 'use-multilingual-v3,all-MiniLM-L6-v2@en'.")
@click.option("--strict", is_flag=True, help="Refuse to build when any article has an error.")
@click.option("--force", is_flag=True,
              help="Rebuild even when no article changed, with the keyword index, sections, stems "
                   "and any HNSW graph made from scratch (embeddings of unchanged texts are still "
                   "reused).")
@click.option("--quiet", "-q", is_flag=True, help="No progress output.")
@click.option("--watch", is_flag=True,
              help="Keep running and re-index whenever an article file changes (models stay "
                   "loaded, so a saved article is searchable within seconds).")
def index(articles_dir, index_dir, models, strict, force, quiet, watch) -> None:
    """Build the search index and publish it atomically.

    Articles with errors are skipped and listed (or, with --strict, nothing is
    built). Embeddings of unchanged passages are reused from the current index.
    """
    from kb.encoders import ModelLoadError, load_encoders
    from kb.index.build import IndexBuildError, build_index

    settings = load_settings()
    articles_dir = articles_dir or settings.articles_dir
    index_dir = index_dir or settings.index_dir
    models = models or settings.models
    if not articles_dir.is_dir():
        fail(f"articles folder not found: {articles_dir}", 2)
    if index_dir.exists() and not index_dir.is_dir():
        fail(f"{index_dir} is a file: --index takes the folder the index is built in (kb index creates it)", 2)

    def build(force: bool, steps: bool) -> None:
        report = build_index(articles_dir, index_dir, lambda: load_encoders(models), models,
                             settings.default_lang, strict=strict, force=force,
                             progress=steps and sys.stderr.isatty(),
                             on_step=(lambda m: click.echo(f"… {m}", err=True)) if steps else None)
        _print_report(report, articles_dir)

    if not quiet:  # e.g. "model 'all-MiniLM-L6-v2' exported for ONNX Runtime to ~/.cache/..."
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("… %(message)s"))
        logging.getLogger("kb.encoders").addHandler(handler)
        logging.getLogger("kb.encoders").setLevel(logging.INFO)
    try:
        build(force, not quiet)
    except ModelLoadError as exc:
        fail(str(exc))
    except OSError as exc:  # e.g. a file on the index folder's path, no permission to write there
        fail(f"the index at {index_dir} could not be built: {_os_error(exc)}")
    except IndexBuildError as exc:
        if not watch:
            fail(str(exc))
        click.echo(f"Error: {exc}", err=True)  # the watch goes on: the next save may fix it
    if watch:
        try:
            load_encoders(models)  # now, so that the first saved change is as quick as the next ones
        except ModelLoadError as exc:
            fail(str(exc))
        _watch(articles_dir, build)


def _os_error(exc: OSError) -> str:
    """"path: reason" of a failed file operation, without Python's error number."""
    return f"{exc.filename}: {exc.strerror}" if exc.filename and exc.strerror else str(exc)


def _watch(articles_dir: Path, build) -> None:
    import signal
    import threading
    import time

    from kb.encoders import ModelLoadError
    from kb.index.build import IndexBuildError, IndexBusy
    from kb.index.watch import watch

    def rebuild() -> None:
        try:
            while True:
                try:
                    return build(False, False)
                except IndexBusy:  # another `kb index` may have read the articles before the save
                    time.sleep(1)
        except (IndexBuildError, OSError) as exc:  # e.g. --strict and a broken article, the folder
            click.echo(f"Error: {exc}", err=True)   # moved away: the served index stays
        except ModelLoadError as exc:
            fail(str(exc))

    # Ctrl+C and SIGTERM (a service manager stopping it) end the watch once the build that
    # may be running is published; SIGINT stays ignored where the shell ignores it (`cmd &`)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            signal.signal(sig, lambda *_: stop.set())
    watch(articles_dir, rebuild, stop,
          on_ready=lambda: click.echo(f"Watching {articles_dir} for changes (Ctrl+C to stop)"))
    click.echo("Stopped watching.")


def _print_report(report, articles_dir: Path) -> None:
    for p in report.skipped:
        click.echo(f"skipped: {p}", err=True)
    for p in report.published_anyway:
        click.echo(f"published anyway: {p}", err=True)
    if report.published_anyway:
        click.echo(f"{len({p.path for p in report.published_anyway})} published file(s) have errors "
                   "that do not take them off the help centre (see each message; "
                   f"run 'kb check {articles_dir}')", err=True)
    if report.skipped:
        click.echo(f"{len({p.path for p in report.skipped})} file(s) with errors were skipped "
                   f"(run 'kb check {articles_dir}')", err=True)
    if report.up_to_date:
        click.echo(f"Index is up to date ({report.articles} articles, no changes) -> {report.path}")
        return
    reused = ", ".join(f"{name}: {report.encoded[name]} encoded, {report.reused[name]} reused"
                       for name in report.encoded)
    click.echo(f"Indexed {report.articles} articles ({report.drafts} drafts not published), "
               f"{report.sections} sections, {report.passages} passages in {report.seconds:.1f} s "
               f"[{reused}] -> {report.path}")
