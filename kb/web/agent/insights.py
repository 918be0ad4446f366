"""Editors' insights: the report's tables for a period, their CSV files, and adding a word
of the missing-words report to an article's questions."""

from __future__ import annotations

import threading
import time
from functools import partial

from flask import abort, current_app, g, redirect, render_template, request, url_for

from kb.web import insights_view
from kb.web.agent.blueprint import bp
from kb.web.agent.drafts import articles_on_disk
from kb.web.auth import login_required
from kb.web.i18n import _
from kb.web.insights_period import FIRST_DAY, PERIODS, PeriodError, ReportPeriod, report_period
from kb.web.local_time import local_time, site_time_zone, site_today
from kb.web.present import format_count, format_date
from kb.web.services import live as _live, store as _store

# The missing-words report reads up to thousands of words through the speller (seconds on a
# busy period): one result serves the page, its CSV and the "Add as question" posts for this
# long, per index build and period; a new build, whose articles may use the words, asks anew.
MISSING_WORDS_SECONDS = 120
MISSING_WORDS_KEPT = 16  # periods kept at once: the page's four and a few ranges
_report_lock = threading.Lock()

INSIGHT_TABLES = {name: (title, func) for name, (title, func, _explained) in insights_view.TABLES.items()}


def _period() -> ReportPeriod:
    try:
        return report_period(request.args, _shop_zone())
    except PeriodError as exc:
        abort(400, str(exc))


def _shop_zone():
    return site_time_zone(current_app.config.get("KB_SITE"))  # the shop's days


def _table(name: str, period: ReportPeriod) -> list:
    from kb.ops import insights
    func = getattr(insights, INSIGHT_TABLES[name][1])
    days, now, zone = period.days, period.now, _shop_zone()
    if name == "deflection":
        return func(_store(), days=days, bucket="day" if days <= 30 else "week", now=now, zone=zone)
    if name == "articles":
        return func(_store(), days=days, now=now, zone=zone)
    if name == "missing-words":
        return _missing_words(func, period)
    return func(_store(), days=days, limit=50, now=now, zone=zone)


def _missing_words(func, period: ReportPeriod) -> list:
    """The report of words no article uses, reused for :data:`MISSING_WORDS_SECONDS` per index
    build and period (the page, its CSV and "Add as question" ask for the same one)."""
    from kb.search.unused_words import missing_word_reader
    engine = _live().engine
    key = (str(engine.index.build), engine.index.mtime, period.days, period.first, period.last, period.named)
    kept = current_app.extensions.setdefault("kb.missing_words", {})
    with _report_lock:
        at, rows = kept.get(key, (None, None))
    if at is not None and time.monotonic() - at < MISSING_WORDS_SECONDS:
        return rows
    rows = func(_store(), days=period.days, limit=50, now=period.now, zone=_shop_zone(),
                reads_as=missing_word_reader(engine.index, engine.read_word))
    with _report_lock:
        now = time.monotonic()
        for old in [k for k, (t, _rows) in kept.items() if now - t >= MISSING_WORDS_SECONDS]:
            del kept[old]
        while len(kept) >= MISSING_WORDS_KEPT:
            del kept[min(kept, key=lambda k: kept[k][0])]
        kept[key] = (now, rows)
    return rows


def words_checked_notice(rows) -> str | None:
    """What the page and the CSV say when the report read only the most frequent words."""
    if not getattr(rows, "cut", False):
        return None
    return _("Only the {n} most frequent of the {total} different words searched in this period were checked.",
             n=format_count(rows.words_checked, g.lang), total=format_count(rows.distinct_words, g.lang))


@bp.get("/insights")
@login_required("editor")
def insights():
    from markupsafe import Markup

    from kb.ops.insights import deflection_svg
    try:
        period, period_error = report_period(request.args, _shop_zone()), None
    except PeriodError as exc:  # the page with the default period, and what was wrong with the one asked for
        period, period_error = report_period({}, _shop_zone()), str(exc)
    catalog = _live().catalog
    titles = {a["id"]: a["title"] for a in catalog.articles}
    zone = _shop_zone()
    render_cell = partial(insights_view.cell, titles=titles, time=lambda v: local_time(v, zone, g.lang),
                          date=lambda v: format_date(v, g.lang),
                          article_link=lambda i: url_for("portal.article", article_id=i))
    tables = []
    for name, (title, _func, explained) in insights_view.TABLES.items():
        rows = _table(name, period)
        shown = insights_view.visible_rows(name, rows)
        tables.append({"name": name, "title": title, "explained": explained, "rows": shown, "all_rows": rows,
                       "columns": insights_view.columns(name, shown), "notice": words_checked_notice(rows)})
    deflection_rows = next(t["all_rows"] for t in tables if t["name"] == "deflection")
    unanswered = next(t["rows"] for t in tables if t["name"] == "unanswered")
    learned_since = {r.representative: found for r in unanswered  # a wording is an article's question now
                     if (found := next(filter(None, map(_live().engine.known_phrasing, r.wordings)), None))}
    chart = Markup(deflection_svg(
        deflection_rows, title=_("Deflection rate"), no_data=_("no data"),
        description=_("Share of searches that ended on a helpful article, against contact requests"))
    ) if deflection_rows else None
    message, error = _word_notices()
    period_label = _("{first} to {last}", first=format_date(period.first.isoformat(), g.lang),
                     last=format_date(period.last.isoformat(), g.lang))
    return render_template("agent/insights.html", tables=tables, period=period, periods=PERIODS, chart=chart,
                           period_label=period_label, cell=render_cell, message=message,
                           error=period_error or error, learned_since=learned_since, titles=titles,
                           today=site_today(current_app.config.get("KB_SITE")).isoformat(),
                           first_day=FIRST_DAY.isoformat()), 400 if period_error else 200


def _word_notices() -> tuple[str | None, str | None]:
    """(message, error) after adding a word of the missing-words report to an article."""
    added, not_added = request.args.get("added", "")[:60], request.args.get("not_added", "")[:60]
    not_written = request.args.get("not_written", "")[:60]
    message = _("“{word}” was added to the article's questions. The search uses it once this server has rebuilt the index, within seconds.",
                word=added) if added else None
    error = (_("“{word}” is no longer in the report (added already, or its searches changed): nothing was written.",
               word=not_added) if not_added else
             _("“{word}” could not be written into the article just now: nothing was written. Please try again, or add it in the editor.",
               word=not_written) if not_written else None)
    return message, error


@bp.post("/insights/words")
@login_required("editor")
def add_missing_word():
    """Write a word of the report into the front-matter questions of the article customers
    voted helpful after searching with it, and remember it as an accepted question (as
    accepting a learned phrasing does): the next index build lets the word find the article."""
    from pathlib import Path

    from kb.content.article_edit import EditError
    from kb.content.front_matter_questions import FrontMatterEditError
    from kb.ops import learning
    from kb.web.editor import editor

    period = _period()
    word, article_id = request.form.get("word", "")[:60], request.form.get("article", "")[:200]
    listed = any(w.word == word and w.article_id == article_id for w in _table("missing-words", period))
    article = next((a for a in articles_on_disk()[0] if a.id == article_id), None)
    if not listed or article is None:
        return redirect(url_for("agent.insights", **period.args(), not_added=word), 303)
    try:
        editor().add_question(Path(article.path), word, g.user.username)
    except (FrontMatterEditError, EditError, OSError):  # busy, or a file this server cannot edit
        return redirect(url_for("agent.insights", **period.args(), not_written=word), 303)
    learning.decide(_store(), article.id, word, "accepted", g.user.username)
    return redirect(url_for("agent.insights", **period.args(), added=word) + "#t-missing-words", 303)


@bp.get("/insights/<name>.csv")
@login_required("editor")
def insights_csv(name: str):
    from kb.ops.insights import to_csv, to_csv_note
    if name not in INSIGHT_TABLES:
        abort(404)
    period = _period()
    from kb.ops import insights as queries
    row_types = {"top-searches": queries.TopSearch, "unanswered": queries.UnansweredGroup,
                 "competing": queries.CompetingArticles, "missing-words": queries.MissingWord,
                 "learned": queries.LearnedEffect,
                 "not-helpful": queries.NotHelpfulArticle, "articles": queries.ArticleStat,
                 "deflection": queries.DeflectionPoint}
    # the reader's spreadsheet ("de": ";" and "0,25", local times, the page's column names);
    # ?plain=1: RFC 4180, UTC and the field names, for programs
    plain = request.args.get("plain") == "1"
    sheet = queries.PLAIN if plain else queries.spreadsheet_for(g.lang, _shop_zone())
    header = None if plain else insights_view.header_names(row_types[name])
    rows = _table(name, period)
    body = "\ufeff" + to_csv(rows, row_types[name], sheet, header)  # BOM: spreadsheets read UTF-8
    notice = words_checked_notice(rows)
    if notice and not plain:  # people read it under the table; programs read the header below
        body += to_csv_note(notice, sheet)
    return current_app.response_class(
        body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="kb-{name}-{period.file_part()}.csv"',
            "Cache-Control": "no-store",
            **({"KB-Words-Checked": f"{rows.words_checked} of {rows.distinct_words}"} if notice else {})})

