"""Learned questions: editors decide on suggestions; agents give the evidence.

* ``/agent/questions`` (editors): suggestions per article with accept, reject
  and edit-then-accept, and how often customers found an article by a phrasing
  accepted before. The same functions as `kb questions` (kb.ops.suggestions).
* ``/agent/inbox/<id>/answered-with`` (agents): a contact request answered with
  articles; ``/agent/copied``: an agent copied an answer after a search.
"""

from __future__ import annotations

from flask import (Blueprint, abort, current_app, g, jsonify, redirect, render_template, request,
                   url_for)

from kb.content.articles import load_articles
from kb.content.front_matter_questions import FrontMatterEditError
from kb.ops import learning
from kb.ops.database import StoreUnavailable
from kb.ops.suggestions import (SuggestionError, accept as accept_one, find, per_article_limit,
                                reject as reject_one, suggestions)
from kb.web.auth import login_required
from kb.web.errors import wants_json
from kb.web.i18n import _

bp = Blueprint("questions", __name__, url_prefix="/agent")
EFFECT_DAYS = 30
MAX_ANSWERED_WITH = 10


def _store():
    return current_app.extensions["kb.store"]


def _articles():
    root = current_app.config.get("KB_ARTICLES")
    try:
        return load_articles(root)[0]
    except (FileNotFoundError, TypeError):
        return []


def _page(min_evidence: int, message: str | None = None, error: str | None = None,
          edited: dict | None = None, status: int = 200):
    articles = _articles()
    found = suggestions(_store(), articles, min_evidence,
                        current_app.config.get("SUGGESTIONS_PER_ARTICLE") or per_article_limit())
    groups: dict[str, list] = {}
    for s in found:
        groups.setdefault(s.article_id, []).append(s)
    return render_template("agent/questions.html", groups=groups, min_evidence=min_evidence,
                           message=message, error=error, edited=edited or {},
                           effect=learning.learned_effect(_store(), EFFECT_DAYS), effect_days=EFFECT_DAYS,
                           no_articles=not articles), status


def _min_evidence() -> int:
    try:
        value = int(request.values.get("min", 1))
    except ValueError:
        abort(400)
    if value < 1:
        abort(400)
    return value


@bp.get("/questions")
@login_required("editor")
def index():
    done = {"accepted": _("The question was added to the article. The search uses it after the next index build."),
            "rejected": _("The suggestion was rejected and will not be suggested again."),
            "unchanged": _("The article already had this question.")}
    return _page(_min_evidence(), message=done.get(request.args.get("done", "")))


@bp.post("/questions")
@login_required("editor")
def decide():
    suggestion_id, action = request.form.get("id", "")[:40], request.form.get("action", "")
    if action not in ("accept", "reject"):
        return _page(_min_evidence(), error=_("Choose accept or reject."), status=400)
    min_evidence = _min_evidence()
    articles = _articles()
    edited = request.form.get("phrasing")
    try:
        s = find(suggestions(_store(), articles, min_evidence, 10**6), suggestion_id)
        if action == "reject":
            reject_one(_store(), s, g.user.username)
            done = "rejected"
        else:
            done = "accepted" if accept_one(_store(), articles, s, g.user.username, edited) else "unchanged"
    except (SuggestionError, FrontMatterEditError, OSError) as exc:
        # the page again, with the editor's wording kept in its field
        return _page(min_evidence, error=str(exc), edited={suggestion_id: edited or ""}, status=400)
    return redirect(url_for("questions.index", done=done, min=min_evidence), 303)


@bp.post("/inbox/<int:request_id>/answered-with")
@login_required()
def answered_with(request_id: int):
    catalog = current_app.extensions["kb.live"].current.catalog
    chosen = [a for a in request.form.getlist("article")[:MAX_ANSWERED_WITH] if catalog.get(a, internal=True)]
    if not chosen:
        return render_template("error.html", status=400, message=_(
            "Choose at least one article the request was answered with.")), 400
    if not learning.record_answered_with(_store(), request_id, chosen, g.user.username):
        abort(404)
    return redirect(url_for("agent.inbox_item", request_id=request_id), 303)


@bp.post("/copied")
@login_required()
def copied():
    """Evidence only: the copy itself happens in the browser (kb/static/app.js)."""
    catalog = current_app.extensions["kb.live"].current.catalog
    query = request.form.get("q", "").strip()[:500]
    article_id = request.form.get("article_id", "")
    if not query or catalog.get(article_id, internal=True) is None:
        message = _("Unknown article or empty search.")
        return (jsonify(error=message), 400) if wants_json() else (
            render_template("error.html", status=400, message=message), 400)
    lang = request.form.get("lang") or None
    if lang not in current_app.extensions["kb.live"].current.engine.index.languages:
        lang = None  # unknown: the phrasing teaches the copied article's own version
    try:
        learning.record_copy(_store(), query, lang, article_id, g.user.username)
    except StoreUnavailable as exc:
        current_app.logger.warning("copy not recorded: %s", exc)
    return (jsonify(ok=True), 201) if wants_json() else ("", 204)


@bp.app_context_processor
def _inbox_choices() -> dict:
    """For agent/inbox_item.html: the articles a request was answered with, and the choices."""
    def choices(request_id: int, shown: list, hits: list) -> tuple[list[dict], list[dict]]:
        catalog = current_app.extensions["kb.live"].current.catalog
        try:
            done = learning.answered_with(_store(), request_id)
        except StoreUnavailable:
            done = []
        ids = [a["id"] for a in shown] + [m.hit.id for m in hits]
        articles = [catalog.get(i, internal=True) for i in dict.fromkeys(done + ids)]
        articles = [a for a in articles if a]
        return [a for a in articles if a["id"] in done], [a for a in articles if a["id"] not in done]
    return {"answered_with_choices": choices}
