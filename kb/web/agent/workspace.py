"""The agent's search (internal articles too) and the search of a pasted customer message."""

from __future__ import annotations

from flask import current_app, render_template, request

from kb.search.message_search import MAX_MESSAGE_CHARS, search_message
from kb.search.engine import INTERNAL_ONLY, QueryError
from kb.web.agent.blueprint import bp
from kb.web.auth import login_required
from kb.web.i18n import _, translated_message
from kb.web.inputs import InputError, search_params
from kb.web.present import highlighted, input_error_message
from kb.web.services import live as _live

AGENT_RESULTS = 20
AUDIENCES = ("all", "public", "internal")
# the workspace's audience filter as the search takes it: an agent sees every article
ENGINE_AUDIENCE = {"all": "internal", "public": "public", "internal": INTERNAL_ONLY}


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
                # a note above a forward is left out only when a colleague wrote it, from the shop's domain
                parts, hits = search_message(_live().engine, text,
                                             own_domains=current_app.extensions["kb.site"].own_domains)
            except QueryError as exc:
                error = (_("The message has no text to search for: paste the customer's e-mail or chat.")
                         if "no text" in str(exc) else translated_message(str(exc)))
    return render_template("agent/message.html", text=text, parts=parts, hits=hits, error=error,
                           highlighted=highlighted)
