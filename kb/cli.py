"""The `kb` command line: check, index, search, eval, serve, users."""

from __future__ import annotations

import json
import logging
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


@main.command()
@click.argument("articles_dir", required=False, type=click.Path(path_type=Path))
@click.option("--default-lang", help="Language for articles without a 'lang' key.")
def check(articles_dir: Path | None, default_lang: str | None) -> None:
    """Validate every article; one line per problem as path:line: message."""
    from kb.content.check import check_articles, summary

    settings = _settings()
    articles_dir = articles_dir or settings.articles_dir
    if not articles_dir.is_dir():
        _fail(f"articles folder not found: {articles_dir}", 2)
    articles, problems = check_articles(articles_dir, default_lang or settings.default_lang)
    for p in problems:
        click.echo(str(p))
    click.echo(summary(articles, problems))
    sys.exit(1 if any(p.severity == "error" for p in problems) else 0)


@main.command()
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
                   "loaded: about 1.5 s from saving an article to the new index at 10,000 sections).")
def index(articles_dir, index_dir, models, strict, force, quiet, watch) -> None:
    """Build the search index and publish it atomically.

    Articles with errors are skipped and listed (or, with --strict, nothing is
    built). Embeddings of unchanged passages are reused from the current index.
    """
    from kb.encoders import ModelLoadError, load_encoders
    from kb.index.build import IndexBuildError, build_index

    settings = _settings()
    articles_dir = articles_dir or settings.articles_dir
    index_dir = index_dir or settings.index_dir
    models = models or settings.models
    if not articles_dir.is_dir():
        _fail(f"articles folder not found: {articles_dir}", 2)

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
        _fail(str(exc))
    except IndexBuildError as exc:
        if not watch:
            _fail(str(exc))
        click.echo(f"Error: {exc}", err=True)  # the watch goes on: the next save may fix it
    if watch:
        try:
            load_encoders(models)  # now, so that the first saved change is as quick as the next ones
        except ModelLoadError as exc:
            _fail(str(exc))
        _watch(articles_dir, build)


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
            _fail(str(exc))

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


def _print_result(result, as_json: bool) -> None:
    from kb.search.snippets import mark

    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.original:
        click.echo(f"Results for: {result.query} (typed: {result.original})")
    if result.did_you_mean:
        click.echo(f"Did you mean: {result.did_you_mean}")
    status = "answered" if result.answered else "NOT answered (no article fits well: offer a person)"
    click.echo(f"{status}; language: {result.lang or 'unknown'}")
    for i, hit in enumerate(result.results, 1):
        audience = " [internal]" if hit.audience == "internal" else ""
        click.echo(f"{i}. {hit.title}{audience}  ({hit.id}, {hit.lang}, score {hit.score:.2f})")
        click.echo(f"   § {hit.section}")
        click.echo(f"   {mark(hit.snippet, hit.highlights)}")


@main.command()
@click.argument("query", required=False)
@click.option("--lang", help="The customer's language (used when the query's is unclear).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True, help="'internal' includes agent-only articles.")
@click.option("--category", help="Only articles of this category (name or slug).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--batch", type=click.File("r", encoding="utf-8"),
              help="Read one query per line ('-' for stdin); write JSON lines.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
def search(query, lang, limit, audience, category, as_json, batch, index_dir) -> None:
    """Search the help centre."""
    from kb.search.engine import QueryError

    if (query is None) == (batch is None):
        _fail("give either a QUERY or --batch FILE", 2)
    settings = _settings()
    engine = open_engine(index_dir or settings.index_dir, settings.models)
    if batch is None:
        try:
            result = engine.search(query, lang=lang, limit=limit, audience=audience, category=category)
        except QueryError as exc:
            _fail(str(exc), 2)
        _print_result(result, as_json)
        return
    lines = [line.rstrip("\n") for line in batch]
    engine.prime(lines)  # one model, batched encodes: no per-query reload or warm-up
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            out = engine.search(line, lang=lang, limit=limit, audience=audience,
                                category=category).to_dict()
        except QueryError as exc:
            out = {"query": line, "line": n, "error": str(exc)}
        click.echo(json.dumps(out, ensure_ascii=False))


@main.command(name="eval")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from-articles", is_flag=True, help="Use the front matter 'questions' of the articles.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
def eval_(file, from_articles, index_dir, as_json) -> None:
    """Measure top-1, top-3, MRR@10 and 'answered' on known questions."""
    from kb.search.evaluate import CaseError, cases_from_index, evaluate, read_cases

    if (file is None) == (not from_articles):
        _fail("give either FILE.jsonl or --from-articles", 2)
    settings = _settings()
    engine = open_engine(index_dir or settings.index_dir, settings.models)
    try:
        cases = cases_from_index(engine) if from_articles else read_cases(file)
    except CaseError as exc:
        _fail(str(exc), 2)
    if not cases:
        _fail("no questions to evaluate", 2)
    report = evaluate(engine, cases)
    figures = report.as_dict()
    if as_json:
        click.echo(json.dumps({**figures, "misses": [m.__dict__ for m in report.misses]},
                              ensure_ascii=False, indent=2))
        return
    for m in report.misses:
        where = f"rank {m.rank}" if m.rank else "not in top 10"
        click.echo(f"MISS ({where}): {m.query!r} -> expected {m.expected}, got {', '.join(m.got) or '-'}")
    click.echo(f"{figures['questions']} questions: top-1 {figures['top1']:.3f}, top-3 {figures['top3']:.3f}, "
               f"MRR@10 {figures['mrr@10']:.3f}, answered {figures['answered']:.3f}, "
               f"answered when top-1 right {figures['answered_when_top1_right']:.3f}")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--index", "index_dir", type=click.Path(path_type=Path), help="Index location.")
@click.option("--threads", type=click.IntRange(1, 64), show_default="cores + 1, at most 8",
              help="Requests worked on at once (more wait in line); they share one loaded "
                   "index and model.")
def serve(host, port, index_dir, threads) -> None:
    """Serve the help portal, the JSON API and health checks (waitress).

    The server follows `kb index`: a newly published index is picked up
    within a second, without a restart and without failing a request.
    """
    import logging
    import time

    from waitress import serve as waitress_serve

    from kb.encoders.threads import one_blas_thread, request_threads
    from kb.encoders import ModelLoadError
    from kb.index.loaded import IndexUnavailable
    from kb.web.memory import release_freed_memory
    from kb.web import create_app
    from kb.web.site import SiteConfigError

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = _settings()
    started = time.perf_counter()
    one_blas_thread()
    config = {"KB_INDEX": str(index_dir)} if index_dir else None
    try:
        app = create_app(config)
    except (IndexUnavailable, ModelLoadError, SiteConfigError) as exc:
        _fail(str(exc))
    engine = app.extensions["kb.live"].current.engine
    engine.search("Wo ist mein Paket?")  # first answer while starting, not for the first customer
    click.echo(f"Help centre ready in {time.perf_counter() - started:.1f} s: "
               f"{engine.index.n_articles} articles from {engine.index.build} "
               f"(models {settings.models})")
    release_freed_memory()  # for the requests only: loading allocates its large arrays once
    threads = threads or request_threads()
    click.echo(f"Serving on http://{host}:{port}/ with {threads} request threads  (Ctrl+C to stop)")
    waitress_serve(app, host=host, port=port, threads=threads, ident="kb", clear_untrusted_proxy_headers=True)


def _accounts():
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store, StoreUnavailable

    settings = _settings()
    try:
        return Accounts(Store(settings.database))
    except StoreUnavailable as exc:
        _fail(str(exc))


def _account_call(method: str, *args):
    """Run one Accounts method; its AccountError becomes a clear message and exit code 2."""
    from kb.ops.accounts import AccountError

    try:
        return getattr(_accounts(), method)(*args)
    except AccountError as exc:
        _fail(str(exc), 2)


def _password(password_stdin: bool) -> str:
    if password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


@main.group()
def users() -> None:
    """Agent and editor accounts (customers never need one)."""


@users.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(["agent", "editor"]), default="agent", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
def users_add(username, role, password_stdin) -> None:
    """Create an account; asks for the password twice."""
    user = _account_call("add", username, role, _password(password_stdin))
    click.echo(f"Added {user.role} '{user.username}'.")


@users.command("list")
def users_list() -> None:
    """All accounts with their role."""
    rows = _accounts().list()
    if not rows:
        click.echo("No accounts yet: add one with 'kb users add NAME --role editor'.")
    for user, created in rows:
        click.echo(f"{user.username:<24} {user.role:<7} created {created}")


@users.command("remove")
@click.argument("username")
@click.confirmation_option(prompt="Remove this account and its API tokens?")
def users_remove(username) -> None:
    _account_call("remove", username)
    click.echo(f"Removed '{username}' and revoked its API tokens.")


@users.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin (scripts).")
def users_passwd(username, password_stdin) -> None:
    """Set a new password."""
    _account_call("set_password", username, _password(password_stdin))
    click.echo(f"Password of '{username}' changed.")


@main.group()
def tokens() -> None:
    """API tokens for agents' tools (Authorization: Bearer ...)."""


@tokens.command("create")
@click.argument("username")
@click.option("--name", default="api", show_default=True, help="What the token is for.")
def tokens_create(username, name) -> None:
    """Create a token; it is shown once, only a hash is stored."""
    token, secret = _account_call("create_token", username, name)
    click.echo(f"Token {token.id} for '{username}' ({token.name}); copy it now, it is not shown again:")
    click.echo(secret)


@tokens.command("list")
def tokens_list() -> None:
    for t in _accounts().tokens():
        state = f"revoked {t.revoked_at}" if t.revoked_at else "active"
        click.echo(f"{t.id:>4}  {t.username:<24} {t.name:<20} created {t.created_at}  {state}")


@tokens.command("revoke")
@click.argument("token_id", type=int)
def tokens_revoke(token_id) -> None:
    _account_call("revoke_token", token_id)
    click.echo(f"Token {token_id} revoked.")


if __name__ == "__main__":
    main()
