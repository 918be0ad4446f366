"""Errors as pages for people and as JSON for programs; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify, make_response, render_template, request
from werkzeug.exceptions import HTTPException

from kb.content.media import MAX_IMAGE_BYTES
from kb.ops.article_editing import EditingUnavailable
from kb.ops.database import StoreUnavailable
from kb.web.i18n import _ as translated
from kb.web.i18n import pick_language
from kb.web.resume import STAFF_PREFIX, kept_form_page

log = logging.getLogger(__name__)
RETRY_AFTER = "5"
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After")  # what an HTTP error's own headers say
TOO_MANY_REQUESTS = "Too many requests; please wait a moment and try again."


def _(text: str) -> str:
    """API messages stay English (they are read by developers); pages speak the reader's language,
    also for errors raised before the request's own hooks chose it (an expired form's token is
    checked first)."""
    if request.path.startswith("/api/"):
        return text
    if "lang" not in g:
        g.lang = pick_language()
    return translated(text)


def wants_json() -> bool:
    return request.path.startswith("/api/") or (
        request.accept_mimetypes.best == "application/json")


def _response(status: int, message: str, headers: dict | None = None):
    if wants_json():
        resp = jsonify(error=message, field=None, status=status)  # the API's one error shape
    else:
        # signed-in staff stay in their workspace (its menu, no customers' contact footer)
        staff = g.get("user") is not None and request.path.startswith(STAFF_PREFIX)
        template = "agent/error.html" if staff else "404.html" if status == 404 else "error.html"
        resp = make_response(render_template(template, status=status, message=message), status)
    resp.status_code = status
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def expired_form():
    """A form whose token no longer holds (its session ended, or it is another site's)."""
    return _response(400, _("The form has expired. Please go back, reload the page and try again."))


def too_many_requests():
    return _response(429, _(TOO_MANY_REQUESTS))


NOT_STORED = "We could not save this right now. Nothing was stored; please try again in a few seconds."


def store_unavailable(exc: StoreUnavailable):
    log.error("database unavailable: %s", exc)
    if request.method in ("GET", "HEAD"):  # a page that only reads: nothing was to be stored
        return _response(503, _("This page needs the database, which cannot be reached right now. Please try again in a few seconds."), {"Retry-After": RETRY_AFTER})
    return _kept_or(503, _(NOT_STORED), {"Retry-After": RETRY_AFTER})


def _kept_or(status: int, message: str, headers: dict | None = None):
    """A signed-in staff member's form comes back with what was typed (kb/web/resume.py);
    anything else gets the plain error."""
    if g.get("user") is not None and not wants_json():
        page = kept_form_page(message)
        if page is not None:
            resp = make_response(page, status)
            resp.headers.update(headers or {})
            return resp
    return _response(status, message, headers)


def register(app: Flask) -> None:
    # a form whose token does not hold (CSRFError): kb/web/auth.py keeps a staff form, else expired_form
    app.register_error_handler(StoreUnavailable, store_unavailable)

    @app.errorhandler(EditingUnavailable)
    def _not_here(exc: EditingUnavailable):
        return _kept_or(503, _("Articles cannot be edited on this server: it does not hold the articles, or may only read them. Where several servers answer, articles are edited on the one that holds them: ask whoever runs the help centre."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = {
            400: _("The address or the form was not understood. Please check it and try again."),
            403: _("You do not have access to this page. Sign in with an account that may see it."),
            404: _("This page does not exist."),
            405: _("This address does not accept this kind of request."),
            413: _("The request is too large."),
            429: _(TOO_MANY_REQUESTS),
        }
        if exc.code == 429:  # the limiter's text is English; its headers (Retry-After) come after this
            return too_many_requests()
        if exc.code == 413 and g.get("image_post_limit"):  # an editor's image (kb/web/editor.py): its limit
            messages[413] = _("The image is too large to be read (at most {n} MB): nothing was saved. Go back (your browser still shows what you typed) and choose a smaller image.").format(
                n=MAX_IMAGE_BYTES // 1_000_000)
        elif exc.code == 413 and request.path.startswith(STAFF_PREFIX):  # read nothing: say how to keep the text
            messages[413] = _("The form is too large to be read: nothing was saved. Go back (your browser still shows what you typed), sign in again in another tab if your session has ended, and send it again.")
        custom = exc.description != type(exc).description   # the framework's English default is replaced
        message = (exc.description if custom else None) or messages.get(exc.code) or exc.description or exc.name
        kept = {k: v for k, v in exc.get_headers() if k in KEPT_HEADERS}  # a 405's Allow, a 401's challenge
        return _response(exc.code or 500, message, kept)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unexpected error on %s", request.path)
        return _response(500, _("Something went wrong on our side. Please try again."))
