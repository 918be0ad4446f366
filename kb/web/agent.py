"""The agent workspace: search with internal articles, pasted messages, the inbox.

Editors get the editor tools on top (insights, drafts preview, reload).
"""

from __future__ import annotations

import json
from functools import partial

from flask import (Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for)

from kb.content.articles import load_articles
from kb.ops.inbox import InboxFilter, count_requests, find_requests
from kb.content.markdown import render_html
from kb.search.message_search import MAX_MESSAGE_CHARS, search_message
from kb.search.engine import INTERNAL_ONLY, QueryError
from kb.web.auth import login_required
from kb.web.editor import articles_here
from kb.web.i18n import _, translated_message
from kb.web.inputs import MAX_ID, InputError, search_params
from kb.web import insights_view
from kb.web.insights_period import FIRST_DAY, PERIODS, PeriodError, ReportPeriod, report_period
from kb.web.local_time import local_time, site_time_zone, site_today
from kb.web.copy_text import CopyText, copy_text
from kb.web.present import (article_url, format_date, highlighted, input_error_message, section_label,
                            wrap_sections)
from kb.web.services import live as _live, store as _store

bp = Blueprint("agent", __name__, url_prefix="/agent")
AGENT_RESULTS = 20
AUDIENCES = ("all", "public", "internal")
# the workspace's audience filter as the search takes it: an agent sees every article
ENGINE_AUDIENCE = {"all": "internal", "public": "public", "internal": INTERNAL_ONLY}
# ids beyond the database's 64-bit integers are unknown addresses (404), not a failed query


@bp.app_template_filter("local_time")
def _local_time(value) -> str:
    """UTC from the database as the shop's local time, for agents and editors."""
    return local_time(value, site_time_zone(current_app.config.get("KB_SITE")), g.get("lang", "de"))


@bp.app_context_processor
def _agent_globals() -> dict:
    return {"copy_text_for": _copy_text_for}


def _copy_text_for(hit) -> CopyText | None:
    """The whole section of a hit as reply text (None when the article is gone since the search)."""
    art = _live().catalog.get(hit.id, internal=True)
    if art is None:
        return None
    url = article_url(hit.id, hit.anchor or None, external=True)
    return copy_text(art, hit.anchor or None, section_label(hit) or None, url)


def _filters() -> dict:
    live = _live()
    return {"languages": live.engine.index.languages, "categories": live.catalog.categories(None, internal=True),
            "audiences": AUDIENCES}


def _search(q_args) -> tuple:
    """(params, audience, result) for the workspace search form; InputError on bad input."""
    live = _live()
    params = search_params(q_args, live.catalog, live.engine.index.languages, default_limit=AGENT_RESULTS,
                           internal=True)
    audience = q_args.get("audience") or "all"
    if audience not in AUDIENCES:
        raise InputError(f"unknown audience '{audience[:20]}'", "audience")
    result = live.engine.search(params.q, lang=params.lang, limit=params.limit, audience=ENGINE_AUDIENCE[audience],
                                category=params.category,
                                languages=[params.lang] if params.lang else None)
    return params, audience, result


@bp.get("/")
@login_required()
def workspace():
    params = audience = result = error = None
    if request.args.get("q", "").strip():
        try:
            # the filter is ?language=; ?lang= is the page's language, as everywhere
            params, audience, result = _search({**request.args.to_dict(), "lang": request.args.get("language", "")})
        except InputError as exc:
            error = input_error_message(exc)
    return render_template("agent/workspace.html", params=params, audience=audience or "all", result=result,
                           error=error, highlighted=highlighted, q=request.args.get("q", ""),
                           sel_lang=request.args.get("language", ""), sel_category=request.args.get("category", ""),
                           **_filters())


@bp.route("/message", methods=["GET", "POST"])
@login_required()
def message():
    text = request.form.get("message", "") if request.method == "POST" else ""
    parts, hits, error = [], [], None
    if request.method == "POST":
        if len(text) > MAX_MESSAGE_CHARS:
            error = _("The message is too long (at most {n} characters).", n=MAX_MESSAGE_CHARS)
        else:
            try:
                parts, hits = search_message(_live().engine, text)
            except QueryError as exc:
                error = (_("The message has no text to search for: paste the customer's e-mail or chat.")
                         if "no text" in str(exc) else translated_message(str(exc)))
    return render_template("agent/message.html", text=text, parts=parts, hits=hits, error=error,
                           highlighted=highlighted)


INBOX_ROWS = 200


@bp.get("/inbox")
@login_required()
def inbox():
    status = request.args.get("status", "open")
    lang = request.args.get("language", "")  # ?lang= is the page's language, as everywhere
    languages = _live().engine.index.languages
    if status not in ("open", "answered", "all") or (lang and lang not in languages):
        abort(400, _("Unknown filter: the status is open, answered or all, the language one of {langs}.",
                     langs=", ".join(languages)))
    where = InboxFilter(None if status == "all" else status, lang or None, request.args.get("q", "")[:200])
    rows = find_requests(_store(), where, limit=INBOX_ROWS)
    refs = [r["ref"] for r in rows]
    return render_template("agent/inbox.html", rows=rows, status=status, lang_filter=lang, q=where.text,
                           languages=languages, counts=count_requests(_store(), where), limit=INBOX_ROWS,
                           delivery=current_app.extensions["kb.outbox"].states(refs),
                           details=current_app.extensions["kb.contact_details"].of(refs))


@bp.get(f"/inbox/<int(max={MAX_ID}):request_id>")
@login_required()
def inbox_item(request_id: int):
    row = _store().contact_request(request_id)
    if row is None:
        abort(404)
    catalog = _live().catalog
    shown = [a for a in (catalog.get(i, internal=True) for i in json.loads(row["shown"])) if a]
    no_suggestions = _("No suggestions.")
    try:
        _parts, hits = search_message(_live().engine, row["question"], lang=row["lang"], limit=6)
    except QueryError as exc:  # nothing to search for, or only thanks ("Danke, hat sich erledigt!")
        hits, no_suggestions = [], translated_message(str(exc))
    return render_template("agent/inbox_item.html", row=row, shown=shown, hits=hits, highlighted=highlighted,
                           no_suggestions=no_suggestions,
                           delivery=current_app.extensions["kb.outbox"].states([row["ref"]]).get(row["ref"], []),
                           details=current_app.extensions["kb.contact_details"].of([row["ref"]]).get(row["ref"], {}))


@bp.post(f"/inbox/<int(max={MAX_ID}):request_id>/status")
@login_required()
def inbox_status(request_id: int):
    status = request.form.get("status", "")
    if status not in ("open", "answered"):
        abort(400)
    if not _store().set_request_status(request_id, status, g.user.username):
        row = _store().contact_request(request_id)
        if row is None:
            abort(404)
        if row["status_by"] != g.user.username:  # another agent was first: theirs stands, this one is told
            flash(already_set(row), "warning")
    return redirect(url_for("agent.inbox_item", request_id=request_id), 303)


def already_set(row) -> str:
    """What an agent is told who acts on a request another agent changed meanwhile."""
    return _("{who} set this request to '{status}' meanwhile ({when}).", who=row["status_by"] or _("Someone"),
             status=_(row["status"]), when=_local_time(row["status_at"]) if row["status_at"] else "—")


@bp.get("/drafts")
@login_required("editor")
def drafts():
    articles_here()  # drafts exist only in the articles folder: the editor's own check
    articles, problems = _articles_on_disk()
    return render_template("agent/drafts.html", drafts=[a for a in articles if a.draft], problems=problems)


@bp.get("/drafts/<path:article_id>")
@login_required("editor")
def draft(article_id: str):
    articles_here()  # drafts exist only in the articles folder: the editor's own check
    articles, _problems = _articles_on_disk()
    found = next((a for a in articles if a.id == article_id and a.draft), None)
    if found is None:
        abort(404)
    catalog = _live().catalog
    html = render_html(found.body, lambda t: url_for("portal.article", article_id=t)
                       if catalog.get(t, internal=True) else None, found.id)
    return render_template("agent/draft.html", article=found, body=wrap_sections(html, None))


@bp.post("/reload")
@login_required("editor")
def reload():
    live = current_app.extensions["kb.live"]
    switched = live.reload()
    message = (_("Switched to the newest index.") if switched else
               _("Already serving the newest index.") if not live.error else live.error)
    return render_template("agent/reloaded.html", message=message, build=live.current.build.name)


def _articles_on_disk():
    root = current_app.config.get("KB_ARTICLES")
    try:
        return load_articles(root)
    except (FileNotFoundError, TypeError):
        return [], []


# -- editor insights -------------------------------------------------------------------
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
        from kb.search.unused_words import unused_word_test
        return func(_store(), days=days, limit=50, now=now, zone=zone,
                    unknown=unused_word_test(_live().engine.index))
    return func(_store(), days=days, limit=50, now=now, zone=zone)


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
                       "columns": insights_view.columns(name, shown)})
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
    article = next((a for a in _articles_on_disk()[0] if a.id == article_id), None)
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
    from kb.ops.insights import to_csv
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
    body = "\ufeff" + to_csv(_table(name, period), row_types[name], sheet, header)  # BOM: spreadsheets read UTF-8
    return current_app.response_class(
        body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="kb-{name}-{period.file_part()}.csv"',
            "Cache-Control": "no-store"})

