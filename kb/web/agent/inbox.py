"""The inbox: customers' contact requests, one request with suggested articles, its status.

The list's state (status, language, text, order and page) lives in the URL, and every link
from the list passes it on: a request opened from page 3 of the open requests oldest first
leads back there, and on to the next request in that same list.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from kb.ops.database import StoreUnavailable
from kb.ops.inbox import PAGE_ROWS, SORTS, InboxFilter, count_requests, default_sort, find_page, neighbours
from kb.ops.request_viewers import record_view, viewers
from kb.search.message_request import customer_preview
from kb.search.message_search import search_message
from kb.search.engine import QueryError
from kb.web.agent.blueprint import bp, shop_local_time
from kb.web.auth import login_required
from kb.web.i18n import _, translated_message
from kb.web.inputs import MAX_ID
from kb.web.present import highlighted
from kb.web.services import live as _live, store as _store

INBOX_ROWS = PAGE_ROWS
STATUS_FILTERS = ("open", "answered", "all")
MAX_FILTER_CHARS = 200


@dataclass(frozen=True)
class ListState:
    """Where in the inbox an agent is: the filters, the order and the page (a request's id the
    page starts after or ends before)."""

    status: str = "open"
    language: str = ""
    q: str = ""
    sort: str = ""               #: "" for the status's own default (see kb.ops.inbox.default_sort)
    after: int | None = None
    before: int | None = None

    @property
    def order(self) -> str:
        return self.sort or default_sort(self.where.status)

    @property
    def where(self) -> InboxFilter:
        return InboxFilter(None if self.status == "all" else self.status, self.language or None, self.q)

    def args(self, **changes) -> dict:
        """URL parameters for this state (or with ``changes``), only those that differ from the
        defaults: the first page of the open requests stays a plain /agent/inbox."""
        state = replace(self, **changes)
        values = {"status": state.status if state.status != "open" else None, "language": state.language or None,
                  "q": state.q or None, "sort": state.sort or None, "after": state.after, "before": state.before}
        return {name: value for name, value in values.items() if value is not None}


def _number(value: str | None) -> int | None:
    """A whole number from 0 to MAX_ID as a form or URL gives it, else None ("²" is a digit, but no number)."""
    if not value or not (value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        return None
    return int(value)


def _page_id(value: str | None) -> int | None:
    """A request id in ?after= / ?before=; a 400 for anything else."""
    if value is None or value == "":
        return None
    if _number(value) is None:
        abort(400, _("Unknown page: after and before name a request by its number."))
    return _number(value)


def list_state(args) -> ListState:
    """The inbox state in ``args``; a 400 that names the choices for a filter it does not know."""
    status, language, sort = args.get("status", "open"), args.get("language", ""), args.get("sort", "")
    languages = _live().engine.index.languages  # ?lang= is the page's language, as everywhere
    if status not in STATUS_FILTERS or (language and language not in languages) or (sort and sort not in SORTS):
        abort(400, _(
            "Unknown filter: the status is open, answered or all, the language one of {langs}, the order oldest or newest.",
            langs=", ".join(languages)))
    if sort == default_sort(None if status == "all" else status):
        sort = ""  # the default is not repeated in links: another status tab keeps its own default
    return ListState(status, language, args.get("q", "")[:MAX_FILTER_CHARS], sort,
                     _page_id(args.get("after")), _page_id(args.get("before")))


def _others(request_ids: list[int]) -> dict:
    """The other agents who have these requests open; none when the database cannot say (the
    mark helps, the inbox works without it)."""
    try:
        return viewers(_store(), request_ids, but=g.user.username)
    except StoreUnavailable as exc:
        current_app.logger.warning("who has requests open is unknown: %s", exc)
        return {}


@bp.get("/inbox")
@login_required()
def inbox():
    """One page of the requests, with who else has one open: the agent picks what nobody works on."""
    state = list_state(request.args)
    page = find_page(_store(), state.where, state.order, after=state.after, before=state.before, size=INBOX_ROWS)
    refs = [r["ref"] for r in page.rows]
    return render_template("agent/inbox.html", page=page, rows=page.rows, state=state, status=state.status,
                           lang_filter=state.language, q=state.where.text, sorts=SORTS,
                           languages=_live().engine.index.languages, counts=count_requests(_store(), state.where),
                           previews={r["id"]: customer_preview(r["question"]) for r in page.rows},
                           others=_others([r["id"] for r in page.rows]),
                           delivery=current_app.extensions["kb.outbox"].states(refs),
                           details=current_app.extensions["kb.contact_details"].of(refs))


def _opened(request_id: int) -> None:
    """Mark the request as open by this agent (kb/ops/request_viewers.py); the page shows
    whether or not the mark could be written."""
    try:
        record_view(_store(), request_id, g.user.username)
    except StoreUnavailable as exc:
        current_app.logger.warning("request %s: who has it open not recorded: %s", request_id, exc)


def _suggestions(row) -> tuple[list, str]:
    """Articles for the request's text, and what to say when there are none."""
    try:
        # what the customer wrote into the form: a note above a forwarded e-mail in it is theirs
        _parts, hits = search_message(_live().engine, row["question"], lang=row["lang"], limit=6, by_customer=True)
    except QueryError as exc:  # nothing to search for, or only thanks ("Danke, hat sich erledigt!")
        return [], translated_message(str(exc))
    return hits, _("No suggestions.")


# ids beyond the database's 64-bit integers are unknown addresses (404), not a failed query
@bp.get(f"/inbox/<int(max={MAX_ID}):request_id>")
@login_required()
def inbox_item(request_id: int):
    """One request; opening it marks it as this agent's for a while (kb/ops/request_viewers.py)."""
    row = _store().contact_request(request_id)
    if row is None:
        abort(404)
    state = list_state(request.args)
    _opened(request_id)
    catalog = _live().catalog
    shown = [a for a in (catalog.get(i, internal=True) for i in json.loads(row["shown"])) if a]
    hits, no_suggestions = _suggestions(row)
    previous, following = neighbours(_store(), state.where, state.order, request_id)
    return render_template("agent/inbox_item.html", row=row, shown=shown, hits=hits, highlighted=highlighted,
                           no_suggestions=no_suggestions, state=state, previous=previous, following=following,
                           others=_others([request_id]).get(request_id, []),
                           delivery=current_app.extensions["kb.outbox"].states([row["ref"]]).get(row["ref"], []),
                           details=current_app.extensions["kb.contact_details"].of([row["ref"]]).get(row["ref"], {}))


def shown_status(form) -> tuple[str, int] | None:
    """The status and version the agent's page showed; None from a form that sent neither (a
    page from before the version was sent), a 400 for a version that is no number."""
    status, version = form.get("shown_status"), form.get("shown_version")
    if status is None and version is None:
        return None
    if status not in ("open", "answered") or _number(version) is None:
        abort(400)
    return status, _number(version)


@bp.post(f"/inbox/<int(max={MAX_ID}):request_id>/status")
@login_required()
def inbox_status(request_id: int):
    """Open or answered, from a page that sends what it showed: a stale page's change is refused."""
    status = request.form.get("status", "")
    if status not in ("open", "answered"):
        abort(400)
    state = list_state(request.args)  # the list the request was opened from: kept for the way back
    if not _store().set_request_status(request_id, status, g.user.username, shown=shown_status(request.form)):
        row = _store().contact_request(request_id)
        if row is None:
            abort(404)
        refused = refusal(row, status)
        if refused:
            flash(refused, "warning")
    else:
        flash(_("Marked as answered.") if status == "answered" else _("Reopened."), "success")
    return redirect(url_for("agent.inbox_item", request_id=request_id, **state.args()), 303)


def refusal(row, wanted: str) -> str | None:
    """What an agent is told whose change was not made: someone changed the request since their
    page showed it. Nothing for their own second click (the request already has what they
    wanted, from them): that is done, not refused."""
    if row["status"] == wanted and row["status_by"] == g.user.username:
        return None
    if row["status_by"] == g.user.username:  # their own change in another tab or window
        return _("You set this request to '{status}' meanwhile, in another window ({when}).",
                 status=_(row["status"]), when=_when(row))
    return already_set(row)


def _when(row) -> str:
    return shop_local_time(row["status_at"]) if row["status_at"] else "—"


def already_set(row) -> str:
    """What an agent is told who acts on a request another agent changed meanwhile."""
    return _("{who} set this request to '{status}' meanwhile ({when}).", who=row["status_by"] or _("Someone"),
             status=_(row["status"]), when=_when(row))
