"""`kb questions suggest|accept|reject`: the editors' decisions on learned questions.

The same functions as /agent/questions (kb.ops.suggestions). `accept --all
--min-evidence N` is a standing decision an editor may run from cron; it only
writes article files: `kb index` (or a running `kb index --watch`) makes the
search use them.
"""

from __future__ import annotations

import getpass
import json
import sys
from pathlib import Path

import click


# kb.ops.suggestions' kinds of evidence, as the listing names them
EVIDENCE_KINDS = (("vote", "search", "searches"), ("inbox", "request", "requests"),
                  ("copy", "copied answer", "copied answers"))


def counted(n: int, noun: str) -> str:
    """"1 question", "2 questions": the CLI's counts read as sentences."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _kinds(suggestion) -> str:
    """"2 searches, 1 request": what a suggestion's evidence is, so a count of copies and
    requests does not read as customers' searches."""
    kinds = suggestion.kinds
    return ", ".join(f"{kinds[kind]} {one if kinds[kind] == 1 else many}" for kind, one, many in EVIDENCE_KINDS
                     if kinds[kind])


def _fail(message: str, code: int = 1) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _context(articles_dir: Path | None):
    """The database, the articles, their folder and the articles whose files cannot be read."""
    from kb.config import Settings
    from kb.content.articles import load_articles
    from kb.ops.database import Store, StoreUnavailable

    settings = Settings.from_env()
    root = Path(articles_dir or settings.articles_dir)
    if not root.is_dir():
        _fail(f"articles folder not found: {root}", 2)
    try:
        store = Store(settings.database_url)  # KB_DATABASE_URL where replicas share PostgreSQL
    except StoreUnavailable as exc:
        _fail(str(exc))
    articles, problems = load_articles(root, settings.default_lang)
    return store, articles, root, _unreadable(root, articles, problems)


def _unreadable(root: Path, articles, problems) -> dict:
    """The ids of the article files that could not be read or parsed, each with its first error:
    they have no suggestions, and a command naming one says why."""
    from kb.content.articles import article_id

    loaded = {a.id for a in articles}
    broken = {}
    for problem in problems:
        if problem.severity == "error" and Path(problem.path).is_relative_to(root):
            ident = article_id(Path(problem.path), root)
            if ident not in loaded:
                broken.setdefault(ident, problem)
    return broken


def _broken_file(article_id: str, problem) -> str:
    return (f"the file of article '{article_id}' cannot be read: {problem.path}:{problem.line}: {problem.message} "
            "(fix it, `kb check` lists every problem, then run this again)")


def _chosen(store, found, ids, broken) -> list:
    """The suggestions of ``ids``; an id that is not among them ends with exit code 2, saying
    why: its article's file is broken, or it was decided already or its evidence changed."""
    from kb.ops.suggestions import SuggestionError, find, suggestion_ids

    unreadable = suggestion_ids(store, set(broken)) if broken else {}
    chosen = []
    for suggestion_id in ids:
        try:
            chosen.append(find(found, suggestion_id))
        except SuggestionError as exc:
            article_id = unreadable.get(suggestion_id)
            _fail(_broken_file(article_id, broken[article_id]) if article_id else str(exc), 2)
    return chosen


def _editor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


_ARTICLES = click.option("--articles", "articles_dir", type=click.Path(path_type=Path),
                         help="Articles folder (default KB_ARTICLES).")
_MIN = click.option("--min-evidence", default=1, show_default=True, type=click.IntRange(1),
                    help="Only phrasings with at least this much evidence: searches voted helpful, requests "
                         "answered with the article and answers copied by agents, each counted once "
                         "(a request's copied answer is that request), minus searches voted not helpful.")
_PER_ARTICLE = click.option("--per-article", type=click.IntRange(1),
                            help="At most this many per article (default KB_SUGGESTIONS_PER_ARTICLE or 10).")


@click.group()
def questions() -> None:
    """Questions learned from customers' searches, for editors to accept or reject."""


_LANG = click.option("--lang", help="Only suggestions for articles in this language (e.g. de).")
_ARTICLE = click.option("--article", "article_id", help="Only suggestions for this article id.")


def _found(store, articles, broken, min_evidence, per_article, lang, article_id):
    """The suggestions, narrowed; an unknown language or article, or one whose file cannot be
    read, ends with exit code 2."""
    from kb.ops.suggestions import SuggestionError, narrowed, suggestions

    if article_id in broken:
        _fail(_broken_file(article_id, broken[article_id]), 2)
    try:
        return narrowed(suggestions(store, articles, min_evidence, per_article), articles, lang, article_id)
    except SuggestionError as exc:
        _fail(str(exc), 2)


@questions.command("suggest")
@_MIN
@_PER_ARTICLE
@_LANG
@_ARTICLE
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@_ARTICLES
def suggest(min_evidence, per_article, lang, article_id, as_json, articles_dir) -> None:
    """List suggested questions per article, with evidence counts and last date."""
    from kb.ops.suggestions import suggestion_ids

    store, articles, _root, broken = _context(articles_dir)
    found = _found(store, articles, broken, min_evidence, per_article, lang, article_id)
    for unlisted in sorted(set(suggestion_ids(store, set(broken)).values()) if broken else ()):
        click.echo(f"warning: suggestions not listed: {_broken_file(unlisted, broken[unlisted])}", err=True)
    if as_json:
        click.echo(json.dumps([s.as_dict() for s in found], ensure_ascii=False, indent=2))
        return
    current = None
    for s in found:
        if s.article_id != current:
            current = s.article_id
            click.echo(f"{s.article_id}  ({s.title})")
        against = f", {s.against} not helpful" if s.against else ""
        merged = f"  [+{len(s.variants)} variants]" if s.variants else ""
        click.echo(f"  {s.id}  {s.evidence:>3}x ({_kinds(s)}{against})  last {s.last[:10]}  {s.phrasing}{merged}")
    click.echo(f"{len(found)} suggestions for {len({s.article_id for s in found})} articles")


@questions.command("accept")
@click.argument("ids", nargs=-1)
@click.option("--all", "accept_all", is_flag=True,
              help="Accept every suggestion (with --min-evidence, --lang, --article).")
@_MIN
@_PER_ARTICLE
@_LANG
@_ARTICLE
@_ARTICLES
def accept(ids, accept_all, min_evidence, per_article, lang, article_id, articles_dir) -> None:
    """Write suggestions into their articles' front matter `questions`, each a version in the
    articles' history (a git commit when the folder is in a git work tree, as the browser's
    accepts); then run `kb index`."""
    from kb.content.article_edit import EditError
    from kb.content.front_matter_questions import FrontMatterEditError
    from kb.ops.article_editing import ArticleEditor, EditingUnavailable
    from kb.ops.suggestions import SuggestionError, accept as accept_one

    if accept_all == bool(ids):
        _fail("give suggestion ids or --all", 2)
    store, articles, root, broken = _context(articles_dir)
    editor = ArticleEditor(root, store)
    if not editor.editable():
        _fail(f"{root}: this user may not write the articles folder", 1)
    author = _editor()
    found = _found(store, articles, broken, min_evidence, per_article, lang, article_id)
    chosen = found if accept_all else _chosen(store, found, ids, broken)
    written, failed = 0, 0
    for s in chosen:
        try:
            written += accept_one(store, articles, s, author,
                                  write=lambda path, question: editor.add_question(path, question, author))
        except (SuggestionError, FrontMatterEditError, EditError, EditingUnavailable, OSError) as exc:
            failed += 1  # EditError: another process kept the articles' turn too long
            click.echo(f"{s.id}  {s.article_id}: not written: {exc}", err=True)
    articles = len({s.article_id for s in chosen})
    click.echo(f"{counted(written, 'question')} added to {counted(articles, 'article')}"
               + (f", {failed} failed" if failed else "") + "; run `kb index` to search with them")
    if editor.history_error:  # the questions are written; only their versions are missing
        click.echo(f"warning: the history did not record them: {editor.history_error}", err=True)
    sys.exit(1 if failed else 0)


@questions.command("reject")
@click.argument("ids", nargs=-1, required=True)
@_ARTICLES
def reject(ids, articles_dir) -> None:
    """Never suggest these phrasings for their articles again."""
    from kb.ops.suggestions import EVERY_ONE, SuggestionError, reject as reject_one, suggestions

    store, articles, _root, broken = _context(articles_dir)
    chosen = _chosen(store, suggestions(store, articles, 1, EVERY_ONE), ids, broken)
    rejected = 0
    for s in chosen:
        try:
            reject_one(store, s, _editor())
            rejected += 1
        except SuggestionError as exc:  # decided meanwhile
            click.echo(f"{s.id}  {s.article_id}: {exc}", err=True)
    click.echo(f"{counted(rejected, 'suggestion')} rejected")
    sys.exit(0 if rejected == len(chosen) else 1)
