"""`kb search` and `kb eval`: asking the index from the command line and measuring it."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kb.cli.common import fail, load_settings, open_engine


def _print_result(result, as_json: bool) -> None:
    from kb.search.snippets import mark

    if as_json:
        click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
        return
    if result.original:
        click.echo(f"Results for: {result.query} (typed: {result.original})")
    if result.did_you_mean:
        click.echo(f"Did you mean: {result.did_you_mean}")
    status = ("answered, hedged (the first articles fit about equally: let the customer choose)" if result.hedged
              else "answered" if result.answered else "NOT answered (no article fits well: offer a person)")
    click.echo(f"{status}; language: {result.lang or 'unknown'}")
    for i, hit in enumerate(result.results, 1):
        audience = " [internal]" if hit.audience == "internal" else ""
        click.echo(f"{i}. {hit.title}{audience}  ({hit.id}, {hit.lang}, score {hit.score:.2f})")
        click.echo(f"   § {hit.section}")
        click.echo(f"   {mark(hit.snippet, hit.highlights)}")


@click.command()
@click.argument("query", required=False)
@click.option("--lang", help="The customer's language (used when the query's is unclear).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 100))
@click.option("--audience", type=click.Choice(["public", "internal"]), default="public",
              show_default=True, help="'internal' includes agent-only articles.")
@click.option("--category", help="Only articles of this category (name or slug).")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--batch", type=click.File("rb"),
              help="Read one query per line, UTF-8 ('-' for stdin); write JSON lines.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
def search(query, lang, limit, audience, category, as_json, batch, index_dir) -> None:
    """Search the help centre."""
    from kb.search.engine import QueryError

    if (query is None) == (batch is None):
        fail("give either a QUERY or --batch FILE", 2)
    lines = _batch_lines(batch) if batch is not None else []
    settings = load_settings()
    engine = open_engine(index_dir or settings.index_dir, settings.models, settings.site_file)
    _check_filters(engine.index, lang, category)
    if batch is None:
        try:
            result = engine.search(query, lang=lang, limit=limit, audience=audience, category=category)
        except QueryError as exc:
            fail(str(exc), 2)
        _print_result(result, as_json)
        return
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


def _batch_lines(batch) -> list[str]:
    """The batch file's lines, read before any model loads: a file that is not UTF-8 is
    refused with the line of its first bad byte."""
    from kb.content.text_files import NotUtf8Error, utf8_lines

    try:
        return utf8_lines(batch.read(), batch.name)
    except NotUtf8Error as exc:
        fail(str(exc), 2)
    except OSError as exc:
        fail(f"{batch.name}: cannot read the file: {exc.strerror or exc}", 2)


def _check_filters(index, lang: str | None, category: str | None) -> None:
    """A language or category no article has is a typo: refused as the API refuses it, not
    searched into "NOT answered"."""
    from kb.content.articles import slugify

    if lang is not None and lang not in index.languages:
        fail(f"unknown language '{lang}': the articles are in {', '.join(index.languages)}", 2)
    if category is not None and slugify(category) not in set(index.article_category):
        known = sorted(set(index.article_category))
        fail(f"unknown category '{category}': use one of {', '.join(known)} (or its name)", 2)


MAX_SHOWN_IDS = 10  # unknown expected ids named in the error; the rest are counted


@click.command(name="eval")
@click.argument("file", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--from-articles", is_flag=True, help="Use the front matter 'questions' of the articles.")
@click.option("--index", "index_dir", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True)
@click.option("--audience", type=click.Choice(["auto", "public", "internal"]), default="auto", show_default=True,
              help="Whose search to measure: 'auto' searches as a customer when every expected "
                   "article is public, as an agent otherwise.")
def eval_(file, from_articles, index_dir, as_json, audience) -> None:
    """Measure top-1, top-3, MRR@10 and 'answered' on known questions.

    Lines with "expected": null are off-topic questions: they count as right when
    the search says no article fits ('answered' false). Answers with a wrong first
    article are also counted by whether they were hedged (the first articles offered
    as a choice because the first barely leads).
    """
    from kb.search.evaluate import CaseError, cases_from_index, evaluate, read_cases, set_audience

    if (file is None) == (not from_articles):
        fail("give either FILE.jsonl or --from-articles", 2)
    try:
        cases = [] if from_articles else read_cases(file)  # before the models load: a bad line fails at once
    except CaseError as exc:
        fail(str(exc), 2)
    settings = load_settings()
    engine = open_engine(index_dir or settings.index_dir, settings.models, settings.site_file)
    refused = []
    if from_articles:
        cases, refused = cases_from_index(engine)
    for article_id, question in refused:  # kb check warns of them too
        click.echo(f"warning: {article_id}: question not measured, the search box refuses it: {question[:60]}…",
                   err=True)
    if not cases:
        fail("no questions to evaluate", 2)
    unknown = sorted({c.expected for c in cases if c.expected and c.expected not in engine.index.by_id})
    if unknown:  # a typo or a renamed article: counted as misses, it would only lower the figures
        shown = ", ".join(unknown[:MAX_SHOWN_IDS]) + (" …" if len(unknown) > MAX_SHOWN_IDS else "")
        fail(f"{len(unknown)} expected article id(s) the index does not hold: {shown}. "
             "Correct those lines (or run kb index after changing the articles)", 2)
    if audience == "auto":
        audience = set_audience(engine, cases)
    report = evaluate(engine, cases, audience)
    figures = report.as_dict()
    if as_json:
        click.echo(json.dumps({**figures, "misses": [m.__dict__ for m in report.misses]},
                              ensure_ascii=False, indent=2))
        return
    for m in report.misses:
        click.echo(_miss_line(m))
    click.echo(f"searched as: {'a customer (public articles)' if audience == 'public' else 'an agent'}")
    if report.n:
        click.echo(f"{figures['questions']} questions: top-1 {figures['top1']:.3f}, top-3 {figures['top3']:.3f}, "
                   f"MRR@10 {figures['mrr@10']:.3f}, answered {figures['answered']:.3f}, "
                   f"answered when top-1 right {figures['answered_when_top1_right']:.3f}, "
                   f"answered with a wrong first article {report.answered_wrong_first} "
                   f"({report.hedged_wrong_first} of them hedged; right first articles hedged "
                   f"{report.hedged_when_right})")
    if report.offtopic:
        click.echo(f"{report.offtopic} off-topic questions: not answered "
                   f"{figures['offtopic_not_answered']:.3f} ({report.offtopic_answered} answered)")


def _miss_line(m) -> str:
    if m.expected is None:
        return f"OFF-TOPIC ANSWERED: {m.query!r} -> got {', '.join(m.got) or '-'}"
    where = f"rank {m.rank}" if m.rank else "not in top 10"
    flag = ", answered, hedged" if m.hedged else ", answered" if m.answered else ""
    return f"MISS ({where}{flag}): {m.query!r} -> expected {m.expected}, got {', '.join(m.got) or '-'}"
