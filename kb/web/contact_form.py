"""The contact form: a customer's question for the team, stored and handed off once however
often the form is sent, and given back filled in when it cannot be taken just now.

Its pages are the portal's (kb/web/portal.py adds them to its blueprint, as ``portal.contact``
and ``portal.contact_sent``, and gives this form back from its error handlers).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets

from flask import current_app, g, redirect, render_template, request, session, url_for

from kb.content.privacy import mask_pii
from kb.ops.contact_details import request_order_numbers
from kb.ops.database import SubmissionReused
from kb.search.engine import MAX_QUERY_CHARS, QueryError, clean_query
from kb.web import limits
from kb.web.auth import staff
from kb.web.handoff import hand_off
from kb.web.i18n import _
from kb.web.inputs import MAX_TOKEN_CHARS, checked_contact, submission_id
from kb.web.searched import SEEN_ON_PAGE
from kb.web.services import live as _live, store as _store, try_store as _try_store

CONTACT_MESSAGES = {  # the API's messages, in words for customers (and translated)
    "question": "Please describe your question (at most 4000 characters).",
    "email": "The email address does not look right (example: name@example.com).",
    "consent": "Please agree that we store your request, so that we can answer it.",
    "reply": "Please give an email address for our reply, or tick “I do not need a reply”.",
    "both": "You gave an email address and ticked “I do not need a reply”: please remove the address, "
            "or untick the box to get our reply.",
    "order_number": "The order number does not look right: letters, digits, single spaces and - / . only, "
                    "with at least one digit (example: 100-2345).",
}
SUBMISSION_BYTES = 12  # a contact form's own random id (kb/ops/database.py, add_contact_request_once)
# the same open question from the same address within this time is one request: the form sent
# again after the browser's Back button (the page comes back with a new form id)
REPEAT_MINUTES = 30
# /contact/sent shows a reference only with the check its link got when this browser sent the
# request: an HMAC of the reference under a random key kept in this browser's session. The
# cookie so holds nothing about the customer (no reference), and a link works nowhere else.
SENT_KEY = "sent_key"
SENT_KEY_BYTES = 16
SENT_CHECK = "check"  # the link's parameter


def _search_context(token: str | None) -> tuple[str | None, list[dict]]:
    """The search a contact request comes from, and the articles the customer saw on its page."""
    if not token:
        return None, []
    row = _try_store(_store().search_by_token, token)
    if row is None:
        return None, []
    catalog = _live().catalog
    shown = [catalog.get(i, staff()) for i in json.loads(row["results"])[:SEEN_ON_PAGE]]
    return row["query"], [a for a in shown if a]


def _shown_back(query: str | None, claimed: str) -> bool:
    """Whether the page may show the stored search: only to whoever knows its wording.

    A search token travels in article links (``?s=``) that get shared; the
    token alone must not reveal what someone else searched for. The search
    page's link carries the query itself, so the customer still sees it.
    """
    try:
        return bool(query) and mask_pii(clean_query(claimed)) == query
    except QueryError:
        return False


def _contact_form(data) -> dict:
    """The form's fields; ``submission`` identifies this one form however often it is sent."""
    return {"question": data.get("question", ""), "email": data.get("email", ""),
            "order_number": data.get("order_number", ""), "no_reply": bool(data.get("no_reply")),
            "consent": bool(data.get("consent")),
            "submission": submission_id(data.get("submission")) or new_submission_id()}


def new_submission_id() -> str:
    """A contact form's own random id: however often that form is sent, it is one request."""
    return secrets.token_urlsafe(SUBMISSION_BYTES)


def _form_errors(data: dict, form: dict, field_errors: dict) -> dict[str, str]:
    """Every mistake in the form at once (``field_errors``, inputs.checked_contact's, and the
    reply choice), field -> the message for the customer: one round trip shows them all. A
    reply address is needed unless the customer chose none."""
    errors = {field: _(CONTACT_MESSAGES[field]) if field in CONTACT_MESSAGES else str(exc)
              for field, exc in field_errors.items()}
    typed = bool((data.get("email") or "").strip())
    if "email" not in errors and typed == form["no_reply"]:  # neither way to reply chosen, or both
        errors["email"] = _(CONTACT_MESSAGES["both" if typed else "reply"])
    order = ("question", "email", "order_number", "consent")  # the fields' order on the page
    return dict(sorted(errors.items(), key=lambda item: order.index(item[0]) if item[0] in order else len(order)))


@limits.write_post
def contact():
    live = _live()
    token = (request.values.get("s") or "")[:MAX_TOKEN_CHARS] or None
    query, shown = _search_context(token)
    claimed = request.values.get("q", "")
    errors = {}
    form = _contact_form({"question": request.args.get("q", "")[:MAX_QUERY_CHARS]})
    if request.method == "POST":
        data = request.form.to_dict()
        data["search_id"] = token
        data["lang"] = g.lang
        form = _contact_form(data)
        req, field_errors = checked_contact(data, live.engine.index.languages)
        errors = _form_errors(data, form, field_errors)
        if not errors:  # every order number of the request, also those in its masked text
            order_number = request_order_numbers(req.order_number, req.question)
            ref, new = _store_request(req, query, shown, form["submission"])
            if new:  # sent twice (a double click, a reload): one request, handed off once
                _try_store(current_app.extensions["kb.contact_details"].save, ref, order_number, req.email is None)
                _try_store(hand_off, ref, lang=req.lang, reply_to=req.email,
                           order_number=order_number, search=query, seen=shown)
            return redirect(url_for("portal.contact_sent", ref=ref, **{SENT_CHECK: _sent_check(ref, _browser_key())},
                                    **({"noreply": 1} if req.email is None else {})), 303)
    return _contact_page(form, errors, token, query, shown, claimed), 400 if errors else 200


def _store_request(req, query: str | None, shown: list[dict], submission: str | None) -> tuple[str, bool]:
    """(reference, new); the form sent again after going back and changing the question is
    a new request, not the first one's (the browser restored the form with its id)."""
    args = (req.question, req.email, req.lang, query, [a["id"] for a in shown], req.search_token)
    try:
        return _store().add_contact_request_once(*args, submission, REPEAT_MINUTES)
    except SubmissionReused:
        return _store().add_contact_request_once(*args, None, REPEAT_MINUTES)


def contact_refused(message: str) -> str:
    """The contact form again with everything typed in it and ``message`` (too many requests
    just now, or nothing could be stored): the customer sends it again a moment later
    instead of typing it again."""
    token = (request.values.get("s") or "")[:MAX_TOKEN_CHARS] or None
    query, shown = _search_context(token)
    return _contact_page(_contact_form(request.form), {"": message}, token, query, shown,
                         request.values.get("q", ""))


def _contact_page(form: dict, errors: dict[str, str], token: str | None, query, shown, claimed: str) -> str:
    """The form with ``errors`` (field -> message; "" for one about the whole form)."""
    visible = _shown_back(query, claimed)
    return render_template("contact.html", form=form, errors=errors, token=token,
                           query=query if visible else None, shown=shown if visible else [],
                           search_q=claimed if visible else "")


def _browser_key() -> str:
    """This browser's random key for /contact/sent links, made when it first sends a request."""
    if not session.get(SENT_KEY):
        session[SENT_KEY] = secrets.token_urlsafe(SENT_KEY_BYTES)
    return session[SENT_KEY]


def _sent_check(ref: str, key: str) -> str:
    """The check a /contact/sent link carries beside ``ref``; the app's secret is keyed in too, so
    only this server makes checks (the session cookie is signed, not encrypted: its key is readable)."""
    secret = current_app.secret_key
    secret = secret if isinstance(secret, bytes) else str(secret).encode()
    message = f"contact-sent\x00{key}\x00{ref}".encode()
    return hmac.new(secret, message, hashlib.sha256).hexdigest()


def contact_sent():
    """The confirmation with the reference, for the browser that sent the request. Anyone else
    (a shared or crafted link: "we received your request K-123") gets a page without one, the
    same whether that reference exists or not: the database is not asked."""
    ref = request.args.get("ref", "")
    key = session.get(SENT_KEY)
    given = request.args.get(SENT_CHECK, "").encode()  # bytes: a crafted check may hold any letter
    if not (key and hmac.compare_digest(given, _sent_check(ref, key).encode())):
        return render_template("contact_sent.html", ref=None, no_reply=False)
    return render_template("contact_sent.html", ref=ref, no_reply=bool(request.args.get("noreply")))
