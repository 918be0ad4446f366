"""A staff form sent after the session ended is kept: sign in again, then send it again.

Sessions end a fixed time after sign-in (kb/web/auth.py) or when the user signs out
elsewhere. A form sent after that (an article's text, an answer to a customer) would
otherwise fail with "the form has expired" and lose its text; so the sign-in page comes back
with what was typed: shown, so the person sees what will be sent, and carried along as
hidden fields. After signing in, one button sends it again, with the new session's token,
to the address it was meant for. Only forms sent from this site's own pages are kept
(Origin, else Referer): a form another site made a browser send gets the plain error.
A file chosen in the form (an image) cannot be carried and has to be chosen again.
"""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import current_app, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RoutingException

from kb.web.i18n import _
from kb.web.services import live

STAFF_PREFIX = "/agent/"
NOT_RESUMED = ("/agent/login", "/agent/logout")
MAX_KEPT_FIELDS = 200
# the staff forms' fields as their pages label them
FIELD_LABELS = {"id": "Article id (file below articles/)", "title": "Title", "lang": "Language",
                "category": "Topic", "summary": "Summary (one sentence)", "tags": "Tags (separated by commas)",
                "questions": "Questions customers ask (one per line)",
                "translation": "Translation key (shared with the other language's version)",
                "audience": "Audience", "body": "Text (Markdown; '## ' starts a section)",
                "message": "Change note (for the history)", "phrasing": "Edit, then accept",
                "image_alt": "What the image shows (read to customers who cannot see it)",
                "draft": "Draft (not published)", "status": "Status", "q": "Search", "language": "Language"}
TECHNICAL_FIELDS = {"csrf_token", "base", "original", "ref", "source", "action", "next", "keep",
                    "unpublish", "shown_status", "shown_version"}  # carried, not shown
# A field name means something else in another form (endpoint): ``message`` is the editor's
# change note above, the customer's pasted text in the workspace; ``article`` holds an
# article's id, shown by its title. None: carried, not shown (nobody typed it).
FORM_LABELS = {
    "agent.message": {"message": "Paste the customer's email or chat"},
    "questions.answered_with": {"article": "Answered with"},
    "questions.answered_with_removed": {"article": "Remove from “Answered with”"},
    "questions.decide": {"id": None, "language": None, "article": None},
    "agent.add_missing_word": {"word": "Word", "article": "Article"},
}
ARTICLE_FIELDS = {"article", "article_id"}  # their values are article ids


def resumable() -> bool:
    """True for a staff form (POST below /agent/) sent from one of this site's own pages."""
    return (request.method == "POST" and request.path.startswith(STAFF_PREFIX)
            and request.path not in NOT_RESUMED and _from_this_site())


def _from_this_site() -> bool:
    """The sender is this site as the request reached it, or its public address (KB_BASE_URL:
    behind a proxy the request may name another host, port or scheme)."""
    sender = urlsplit(request.headers.get("Origin") or request.headers.get("Referer") or "")
    own = {urlsplit(u)[:2] for u in (request.host_url, current_app.config.get("KB_BASE_URL") or "") if u}
    return bool(sender.netloc) and (sender.scheme, sender.netloc) in own


def kept_fields() -> list[tuple[str, str]]:
    """The form's fields as sent (every value of a repeated field), without its old token."""
    fields = [(k, v) for k, v in request.form.items(multi=True) if k != "csrf_token"]
    return fields[:MAX_KEPT_FIELDS]


def shown_fields(fields: list[tuple[str, str]], action: str | None = None) -> list[tuple[str, str]]:
    """What the page shows of the kept form: the fields a person typed or chose, each under the
    label its form (the endpoint of ``action``) gives it, in the reader's language, a field of
    no known form by its name; an article by its title, not its id."""
    labels = {**FIELD_LABELS, **FORM_LABELS.get(_endpoint(action), {})}
    return [(_(labels[k]) if k in labels else k, _article_title(v) if k in ARTICLE_FIELDS else v)
            for k, v in fields if k not in TECHNICAL_FIELDS and labels.get(k, k) is not None and v.strip()]


def _endpoint(action: str | None) -> str | None:
    """The view a kept form is sent to (``/agent/inbox/7/answered-with`` → questions.answered_with)."""
    if not action:
        return None
    try:
        endpoint, _args = current_app.url_map.bind_to_environ(request.environ).match(
            urlsplit(action).path, method="POST")
    except (HTTPException, RoutingException):
        return None
    return endpoint


def _article_title(article_id: str) -> str:
    """The article's title as the staff see it; its id when the index does not know it."""
    found = live().catalog.get(article_id, internal=True)
    return found["title"] if found else article_id


def safe_action(target: str) -> str | None:
    """The address to send a kept form to, with its query ("?days=30"): a staff path of this
    site, never the sign-in itself, no dot segments (the browser would resolve "/agent/../x"
    outside the staff pages)."""
    parts = urlsplit(target or "")
    segments = unquote(parts.path).split("/")
    if parts.scheme or parts.netloc or not parts.path.startswith(STAFF_PREFIX) or parts.path in NOT_RESUMED \
            or any(s in (".", "..") for s in segments) or any(c in target for c in "\\\r\n\x00"):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def session_ended_page(error: str | None = None, username: str = "",
                       fields: list[tuple[str, str]] | None = None, action: str | None = None):
    """The sign-in page carrying the form that could not be sent (status 401)."""
    fields = kept_fields() if fields is None else fields
    action = safe_action(action if action is not None else request.full_path.rstrip("?"))
    return render_template("agent/login.html", error=error, next="", username=username, kept=fields,
                           kept_shown=shown_fields(fields, action), resume_action=action, session_ended=True), 401


def resume_page(fields: list[tuple[str, str]], action: str, notice: str | None = None):
    """After signing in again, or after a server could not take the form (``notice`` says
    why): the kept form with a new token, sent again by one button."""
    return render_template("agent/resume.html", kept=fields, kept_shown=shown_fields(fields, action), action=action,
                           notice=notice)


def kept_form_page(notice: str):
    """A signed-in staff member's form this server could not take (no articles here, no
    database just now): what was typed is shown and sent again by one button, never lost.
    None where the form is not one of ours to keep."""
    action = safe_action(request.full_path.rstrip("?")) if resumable() else None
    if action is None:
        return None
    return resume_page(kept_fields(), action, notice)
