"""Learned questions: editors decide on suggestions; agents give the evidence.

* ``/agent/questions`` (editors): suggestions per article with accept, reject,
  edit-then-accept and accept-all-shown for one article, narrowed to a language or
  an article (a help centre that learns has hundreds), and how often customers
  found an article by a phrasing accepted before. The same functions as
  `kb questions` (kb.ops.suggestions).
* ``/agent/inbox/<id>/answered-with`` (agents): a contact request answered with
  articles, any article of the help centre (internal ones too: the learning rules keep a
  customer's words off them, kb.ops.suggestions); ``…/answered-with/remove`` takes one off
  again and withdraws its evidence; ``/agent/copied``: an agent copied an answer after a search.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import (Blueprint, abort, current_app, flash, g, jsonify, redirect, render_template, request,
                   url_for)

from kb.content.articles import load_articles
from kb.content.article_edit import EditError
from kb.content.front_matter_questions import FrontMatterEditError
from kb.content.phrasing import fold
from kb.ops import learning
from kb.ops.article_editing import EditingUnavailable
from kb.ops.database import StoreUnavailable
from kb.ops.insights.learned import learned_effect
from kb.ops.suggestions import (EVERY_ONE, SuggestionError, accept as accept_one, find, narrowed, per_article_limit,
                                reject as reject_one, suggestions)
from kb.search.engine import MAX_QUERY_CHARS
from kb.web.agent.inbox import already_set, list_state, refusal, shown_status
from kb.web.auth import login_required
from kb.web.errors import wants_json
from kb.web.editor import editor
from kb.web.i18n import _, translated_message
from kb.web.inputs import MAX_ID
from kb.web.local_time import site_time_zone
from kb.web.services import live as _live, store as _store

bp = Blueprint("questions", __name__, url_prefix="/agent")
EFFECT_DAYS = 30
MAX_ANSWERED_WITH = 10
MAX_ARTICLE_ID_CHARS = 200
MAX_FIND_CHARS = 100  # the answered-with list's find field: a few words of a title
MAX_ACCEPTED_AT_ONCE = 100  # one article's shown suggestions; the per-article limit is far lower


def _articles():
    root = current_app.config.get("KB_ARTICLES")
    try:
        return load_articles(root)[0]
    except (FileNotFoundError, TypeError):
        return []


def _shown(articles, min_evidence: int):
    """The suggestions the page lists (the per-article limit applied), all languages."""
    return suggestions(_store(), articles, min_evidence,
                       current_app.config.get("SUGGESTIONS_PER_ARTICLE") or per_article_limit())


def _narrowing() -> dict[str, str]:
    """The page's filters, as given: ``language`` (not ``lang``, which picks the UI's
    language) and ``article``; empty means all."""
    return {"language": request.values.get("language", "")[:20], "article": request.values.get("article", "")[:200]}


def _page(min_evidence: int, message: str | None = None, error: str | None = None,
          edited: dict | None = None, status: int = 200):
    articles = _articles()
    found = _shown(articles, min_evidence)
    narrow = _narrowing()
    choices = {s.article_id: s for s in found}  # the articles with suggestions, for the filter
    try:
        found = narrowed(found, articles, narrow["language"], narrow["article"])
    except SuggestionError as exc:
        error, status = translated_message(str(exc)), 400
    groups: dict[str, list] = {}
    for s in found:
        groups.setdefault(s.article_id, []).append(s)
    return render_template("agent/questions.html", groups=groups, min_evidence=min_evidence,
                           message=message, error=error, edited=edited or {}, narrow=narrow,
                           languages=sorted({a.lang for a in articles}),
                           choices=sorted(choices.values(), key=lambda s: (s.lang, s.title)),
                           n_shown=len(found),
                           effect=learned_effect(_store(), EFFECT_DAYS, zone=site_time_zone(current_app.config.get("KB_SITE"))), effect_days=EFFECT_DAYS,
                           no_articles=not articles), status


def _min_evidence() -> int:
    try:
        value = int(request.values.get("min", 1))
    except ValueError:
        value = 0
    if value < 1:
        abort(400, _("The least evidence is a whole number from 1."))
    return value


@bp.get("/questions")
@login_required("editor")
def index():
    done = {"accepted": _("The question was added to the article. The search uses it once this server has rebuilt the index, within seconds."),
            "rejected": _("The suggestion was rejected and will not be suggested again."),
            "unchanged": _("The article already had this question."),
            "accepted-all": _("Questions added to the article: {n}. The search uses them once this server has rebuilt the index, within seconds.",
                              n=request.args.get("n", type=int) or 0)}
    return _page(_min_evidence(), message=done.get(request.args.get("done", "")))


def _back(done: str, min_evidence: int, **extra):
    """After a decision: the page again, as the editor had narrowed it."""
    narrow = {k: v for k, v in _narrowing().items() if v}
    return redirect(url_for("questions.index", done=done, min=min_evidence, **narrow, **extra), 303)


@bp.post("/questions")
@login_required("editor")
def decide():
    suggestion_id, action = request.form.get("id", "")[:40], request.form.get("action", "")
    if action != "reject" and not editor().editable():  # accepting writes into an article file
        raise EditingUnavailable()
    if action == "accept-shown":
        return _accept_shown(request.form.getlist("id")[:MAX_ACCEPTED_AT_ONCE])
    if action not in ("accept", "reject"):
        return _page(_min_evidence(), error=_("Choose accept or reject."), status=400)
    min_evidence = _min_evidence()
    articles = _articles()
    edited = request.form.get("phrasing")
    try:
        s = find(suggestions(_store(), articles, min_evidence, EVERY_ONE), suggestion_id)
        if action == "reject":
            reject_one(_store(), s, g.user.username)
            done = "rejected"
        else:
            done = "accepted" if accept_one(_store(), articles, s, g.user.username, edited,
                                            write=_versioned) else "unchanged"
    except (SuggestionError, FrontMatterEditError, EditError, OSError) as exc:
        # the page again, with the editor's wording kept in its field
        return _page(min_evidence, error=translated_message(str(exc)), edited={suggestion_id: edited or ""}, status=400)
    return _back(done, min_evidence)


def _versioned(path, question: str) -> bool:
    """Add the question through the article editor: a version by the signed-in editor."""
    return editor().add_question(path, question, g.user.username)


def _accept_shown(ids: list[str]):
    """Accept the suggestions the editor saw listed for one article (their ids), as they are.
    One decided on meanwhile is not listed any more: the rest are still accepted."""
    min_evidence = _min_evidence()
    articles = _articles()
    listed = {s.id: s for s in _shown(articles, min_evidence)}
    chosen = [listed[i] for i in dict.fromkeys(ids) if i in listed]
    if not chosen:
        return _page(min_evidence, error=_("None of these suggestions is open any more: list them again."),
                     status=400)
    if len({s.article_id for s in chosen}) > 1:
        return _page(min_evidence, error=_("Accept all works for one article at a time."), status=400)
    written = 0
    for s in chosen:
        try:
            written += accept_one(_store(), articles, s, g.user.username, write=_versioned)
        except (SuggestionError, FrontMatterEditError, EditError, OSError) as exc:
            failed = _("Questions added: {n}; then this failed: {error}", n=written, error=translated_message(str(exc)))
            return _page(min_evidence, error=failed, status=400)
    return _back("accepted-all", min_evidence, n=written)


@bp.post(f"/inbox/<int(max={MAX_ID}):request_id>/answered-with")
@login_required()
def answered_with(request_id: int):
    """Any article of the help centre: the customer's, the suggested and every other one. The
    articles are always recorded; the request becomes answered only when it still has the status
    and version the agent's page showed (a stale page's change is refused, as the status form's)."""
    catalog = _live().catalog
    state = list_state(request.args)  # the list the request was opened from: kept for the way back
    back = url_for("agent.inbox_item", request_id=request_id, **state.args())
    chosen = [a for a in dict.fromkeys(request.form.getlist("article")) if a and catalog.get(a, internal=True)]
    chosen = chosen[:MAX_ANSWERED_WITH]
    if not chosen:  # back to the request, in the workspace, with the message above its form
        flash(_("Choose at least one article the request was answered with."), "error")
        return redirect(back, 303)
    shown = shown_status(request.form)
    if shown is None:  # a page from before it sent what it showed: told of a colleague's answer only
        row = _store().contact_request(request_id)
        if row is not None and row["status"] == "answered" and row["status_by"] not in (None, g.user.username):
            flash(already_set(row) + " " + _("The articles you chose are added to the ones recorded."), "warning")
    outcome = learning.record_answered_with(_store(), request_id, chosen, g.user.username, shown=shown)
    if outcome is None:
        abort(404)
    if outcome == learning.REFUSED:
        row = _store().contact_request(request_id)
        refused = refusal(row, "answered") if row is not None else None
        if refused:
            flash(refused + " " + _("The articles you chose are added to the ones recorded."), "warning")
    flash(_recorded(catalog, chosen), "success")
    return redirect(back, 303)


def _recorded(catalog, chosen: list[str]) -> str:
    """The agent's confirmation, saying when a customer's words teach none of the articles."""
    found = [catalog.get(a, internal=True) for a in chosen]
    notice = _("Recorded: the request was answered with {titles}.", titles=", ".join(a["title"] for a in found))
    if any(a["audience"] != "public" for a in found):
        notice += " " + _("The customer's words are not learned for internal articles: customers cannot find them.")
    return notice


@bp.post(f"/inbox/<int(max={MAX_ID}):request_id>/answered-with/remove")
@login_required()
def answered_with_removed(request_id: int):
    """One article off the list (chosen by mistake, or it did not answer), its evidence withdrawn."""
    article_id = request.form.get("article", "")[:MAX_ARTICLE_ID_CHARS]
    if _store().contact_request(request_id) is None:
        abort(404)
    found = _live().catalog.get(article_id, internal=True)
    title = found["title"] if found else article_id
    if learning.remove_answered_with(_store(), request_id, article_id):
        flash(_("Removed from the articles this request was answered with: {title}. Its evidence for learned questions is withdrawn.",
                title=title), "success")
    else:  # another agent removed it a moment ago, or a stale page
        flash(_("{title} is not among the articles this request was answered with.", title=title), "warning")
    return redirect(url_for("agent.inbox_item", request_id=request_id, **list_state(request.args).args()), 303)


@bp.post("/copied")
@login_required()
def copied():
    """Evidence only: the copy itself happens in the browser (kb/static/app.js)."""
    catalog = _live().catalog
    query = request.form.get("q", "").strip()[:MAX_QUERY_CHARS]
    article_id = request.form.get("article_id", "")
    if not query or catalog.get(article_id, internal=True) is None:
        message = _("Unknown article or empty search.")
        return (jsonify(error=message), 400) if wants_json() else (
            render_template("error.html", status=400, message=message), 400)
    lang = request.form.get("lang") or None
    if lang not in _live().engine.index.languages:
        lang = None  # unknown: the phrasing teaches the copied article's own version
    try:
        learning.record_copy(_store(), query, lang, article_id, g.user.username)
    except StoreUnavailable as exc:
        current_app.logger.warning("copy not recorded: %s", exc)
    return (jsonify(ok=True), 201) if wants_json() else ("", 204)


@dataclass(frozen=True)
class AnsweredWith:
    """What a request's page shows of its "answered with" (agent/_answered_with.html)."""
    done: list[dict]     # article_id, agent, at, and article (None: gone from the help centre)
    choices: list[dict]  # the articles the customer saw and the suggested ones, not chosen yet
    others: list[dict]   # every article not chosen yet, internal ones too, narrowed by ``find``
    find: str


def _title_key(article: dict) -> str:
    """What the find field matches: the title and the id, folded (umlauts written out or not)."""
    return fold(f"{article['title']} {article['id']}")


def _answered_with_view(request_id: int, shown: list, hits: list) -> AnsweredWith:
    """The page's "answered with": every article of the help centre can be chosen, since the
    one an agent used (an internal one, the fifth result) is often neither seen nor suggested.
    ``?aw=`` narrows the full list to titles with all its words, for a browser without
    JavaScript; app.js narrows the same list as one types."""
    catalog = _live().catalog
    try:
        done = learning.answered_with_rows(_store(), request_id)
    except StoreUnavailable:
        done = []
    taken = {d["article_id"] for d in done}
    seen = [catalog.get(i, internal=True) for i in dict.fromkeys([a["id"] for a in shown] + [m.hit.id for m in hits])]
    find = request.args.get("aw", "")[:MAX_FIND_CHARS].strip()
    words = fold(find).split()
    others = [a for a in catalog.articles if a["id"] not in taken and all(w in _title_key(a) for w in words)]
    return AnsweredWith([{**d, "article": catalog.get(d["article_id"], internal=True)} for d in done],
                        [a for a in seen if a and a["id"] not in taken],
                        sorted(others, key=lambda a: (a["lang"], fold(a["title"]))), find)


@bp.app_context_processor
def _inbox_choices() -> dict:
    """For agent/inbox_item.html: the articles a request was answered with, and the choices."""
    return {"answered_with_choices": _answered_with_view, "answered_with_key": _title_key}
