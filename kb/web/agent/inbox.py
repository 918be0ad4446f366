"""The inbox: customers' contact requests, one request with suggested articles, its status."""

from __future__ import annotations

import json

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for

from kb.ops.inbox import InboxFilter, count_requests, find_requests
from kb.search.message_search import search_message
from kb.search.engine import QueryError
from kb.web.agent.blueprint import bp, shop_local_time
from kb.web.auth import login_required
from kb.web.i18n import _, translated_message
from kb.web.inputs import MAX_ID
from kb.web.present import highlighted
from kb.web.services import live as _live, store as _store

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


# ids beyond the database's 64-bit integers are unknown addresses (404), not a failed query
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
        # what the customer wrote into the form: a note above a forwarded e-mail in it is theirs
        _parts, hits = search_message(_live().engine, row["question"], lang=row["lang"], limit=6, by_customer=True)
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
    else:
        flash(_("Marked as answered.") if status == "answered" else _("Reopened."), "success")
    return redirect(url_for("agent.inbox_item", request_id=request_id), 303)


def already_set(row) -> str:
    """What an agent is told who acts on a request another agent changed meanwhile."""
    return _("{who} set this request to '{status}' meanwhile ({when}).", who=row["status_by"] or _("Someone"),
             status=_(row["status"]), when=shop_local_time(row["status_at"]) if row["status_at"] else "—")
