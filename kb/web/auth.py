"""Signing in agents and editors: sessions for people, bearer tokens for tools.

Customers are never asked to sign in. ``g.user`` is the signed-in account or
None; :func:`staff` is what every visibility decision asks (internal articles
exist only for staff).
"""

from __future__ import annotations

import re
import time
from datetime import timedelta
from functools import wraps
from urllib.parse import urlsplit

from flask_wtf.csrf import CSRFError
from flask import (Blueprint, abort, current_app, g, jsonify, make_response, redirect, render_template,
                   request, session, url_for)
from kb.ops.accounts import Accounts, User
from kb.ops.database import StoreUnavailable
from kb.web import limits
from kb.web.errors import RETRY_AFTER, TOO_MANY_REQUESTS, expired_form, too_many_requests, wants_json
from kb.web.i18n import _, pick_language
from kb.web.verified_staff import VerifiedStaff
from kb.web.resume import MAX_KEPT_FIELDS, kept_fields, resumable, resume_page, safe_action, session_ended_page

bp = Blueprint("auth", __name__, url_prefix="/agent")
SESSION_HOURS = 8  # instance/config.py may set SESSION_HOURS to change it
# a redirect target with these would break the Location header or be read as another host
_UNSAFE_IN_NEXT = re.compile(r"[\x00-\x1f\x7f\\]")
KEPT = "kept."  # the sign-in form's fields that carry a kept form (kb/web/resume.py)
USERNAME_CHARS = 100  # of the user name a sign-in sends, read alike by the password check and its limit


def accounts() -> Accounts:
    return current_app.extensions["kb.accounts"]


def staff() -> bool:
    return g.get("user") is not None


def load_user() -> None:
    """Bearer token (tools) or session (browser); a bad token is a 401, never a silent downgrade.

    Other schemes are not kb's: a proxy's password prompt (nginx's basic auth in front of a
    staging shop) makes the browser send ``Basic`` with every request, and those readers are
    customers or staff signed in by session like everyone else."""
    g.user = None
    secret = bearer_secret()
    if secret is not None:
        user = token_user(secret)
        if user is None:
            response = jsonify(error="invalid or revoked API token", status=401)
            response.status_code = 401
            response.headers["WWW-Authenticate"] = 'Bearer realm="kb"'
            abort(response)
        g.user = user
        g.via_token = True
        return
    uid = session.get("uid")
    if uid is not None:
        key = session.get("key")
        user = _checked(lambda: accounts().session_user(uid, key), "session", uid, key)
        if user is None or session.get("role") != user.role or not _session_young():
            session.clear()  # signed out elsewhere, new password, removed or changed account, too old
        else:
            g.user = user


def bearer_secret() -> str | None:
    """The secret of the request's ``Authorization: Bearer`` header ('' when it names none);
    None without that scheme (no header, or a proxy's ``Basic``)."""
    scheme, _sep, secret = request.headers.get("Authorization", "").strip().partition(" ")
    return secret.strip() if scheme.lower() == "bearer" else None


def token_user(secret: str) -> User | None:
    """The account a tool's token belongs to, None for a wrong or revoked one; checked as every
    staff request is (_checked: StoreUnavailable while the database cannot tell)."""
    return _checked(lambda: accounts().user_for_token(secret), "token", secret)


def _checked(check, *identity) -> User | None:
    """The database's answer, remembered; while it cannot answer, the one it gave within the
    last minutes (kb/web/verified_staff.py), else the outage's 503."""
    memory = current_app.extensions["kb.verified_staff"]
    key = memory.key(*identity)
    try:
        user = check()
    except StoreUnavailable:
        user = memory.recent(key)
        if user is None:
            raise
        return user
    memory.verified(key, user)
    return user


def _session_young() -> bool:
    """Sessions end a fixed time after sign-in, however busy: the cookie is re-signed on every
    request, so its own age alone would let an active session live for ever."""
    since = session.get("since")
    lifetime = current_app.permanent_session_lifetime.total_seconds()
    return isinstance(since, int) and 0 <= time.time() - since <= lifetime


def login_required(role: str | None = None):
    """Staff only; ``role='editor'`` for editor tools. Anonymous: sign-in page (or 401 JSON)."""
    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            user: User | None = g.get("user")
            if user is None:
                if request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json":
                    return jsonify(error="sign in or send an API token", status=401), 401
                if resumable():  # a form sent after the session ended: kept, sent again after signing in
                    return session_ended_page()
                after = request.full_path.rstrip("?") if request.method in ("GET", "HEAD") else ""
                return redirect(url_for("auth.login", next=after) if after else url_for("auth.login"))
            if role == "editor" and not user.is_editor:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _safe_next(target: str | None) -> str:
    """A path on this site to go on to after signing in; anything else goes to the workspace."""
    if target and not _UNSAFE_IN_NEXT.search(target):
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("agent.workspace")


def _sign_in_username() -> str:
    """The user name a sign-in sent, as the password check receives it."""
    return request.form.get("username", "")[:USERNAME_CHARS]


@bp.route("/login", methods=["GET", "POST"])
@limits.login_post
@limits.failed_sign_ins(_sign_in_username)
def login():
    username, kept, action = _sign_in_form()
    if request.method == "POST":
        try:
            user = accounts().authenticate(username, request.form.get("password", "")[:1024])
        except StoreUnavailable:  # the password cannot be checked: say so, keep what was typed
            return _sign_in_refused(503, _("Signing in needs the database, which cannot be reached right now. Please try again in a few seconds."))
        if user is not None:
            session.clear()  # no session fixation: a fresh session for the signed-in user
            session.permanent = True
            session["uid"], session["role"] = user.id, user.role
            session["key"] = accounts().session_key(user.id)
            session["since"] = int(time.time())
            if action:  # signed in again to send a kept form (kb/web/resume.py)
                g.user = user
                return resume_page(kept[:MAX_KEPT_FIELDS], action)
            return redirect(_safe_next(request.form.get("next")), 303)
        return _sign_in_refused(401, _("Wrong user name or password."))
    return render_template("agent/login.html", error=None, next=request.values.get("next", ""), username=username)


def _sign_in_form() -> tuple[str, list[tuple[str, str]], str | None]:
    """What a sign-in sent: the user name, the fields of a form kept from before the session
    ended, and where that form goes (kb/web/resume.py)."""
    kept = [(k.removeprefix(KEPT), v) for k, v in request.form.items(multi=True) if k.startswith(KEPT)]
    return _sign_in_username(), kept, safe_action(request.form.get("resume_action", ""))


def _sign_in_refused(status: int, error: str):
    """The sign-in page again with the reason, the user name and any kept form (401 for a
    wrong password; 429 for too many tries; 503 while the database cannot be reached)."""
    username, kept, action = _sign_in_form()
    if action:
        page, _status = session_ended_page(error, username, kept[:MAX_KEPT_FIELDS], action)
    else:
        page = render_template("agent/login.html", error=error, next=request.values.get("next", ""),
                               username=username)
    response = make_response(page, status)
    if status == 503:
        response.headers["Retry-After"] = RETRY_AFTER
    return response


@bp.errorhandler(429)
def _too_many_sign_ins(exc):
    """Too many sign-ins from this address, or too many wrong passwords for this user name
    (from this network, or from all networks):
    the sign-in page again, with the user name and a form kept from before the session ended
    (kb/web/resume.py), not a bare error page."""
    if request.endpoint != "auth.login" or request.method != "POST" or wants_json():
        return too_many_requests()
    return _sign_in_refused(429, _(TOO_MANY_REQUESTS))


@bp.post("/logout")
def logout():
    """Signing out ends this user's sessions everywhere, copied cookies included. This
    browser is signed out even while the database cannot record it (its cookie is cleared,
    and this server forgets that it verified the session); the other sessions cannot be
    ended then, so the page says to sign in and out again once the database is back."""
    memory = current_app.extensions["kb.verified_staff"]
    memory.verified(memory.key("session", session.get("uid"), session.get("key")), None)
    recorded = True
    if g.get("user") is not None and not g.get("via_token"):
        try:
            accounts().end_sessions(g.user.id)
        except StoreUnavailable:
            recorded = False
    session.clear()
    if not recorded:
        return render_template("agent/login.html", error=_("You are signed out in this browser. Your sessions on other devices could not be ended just now, because the database cannot be reached: sign in and out again once it is back."),
                               next="", username=""), 503
    return redirect(url_for("portal.home"), 303)


def no_store(response):
    """Staff pages and answers for staff are never kept by browsers or proxies."""
    if request.blueprint in ("agent", "auth") or g.get("user") is not None:
        response.headers["Cache-Control"] = "no-store"
        response.vary.add("Cookie")
    return response


def init_app(app) -> None:
    # The cookie is written only when the session changes. A signed-in session is
    # permanent, and Flask would otherwise re-sign it on every response: a background
    # request (the editor's live preview) started before a save and answered after it
    # would put back the cookie from before the save and lose its "Saved." notice. The
    # session's age is checked from its sign-in time (_session_young), so a refresh
    # would extend nothing.
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    # Flask sets a default of 31 days, so the setting is assigned, not defaulted
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(hours=app.config.get("SESSION_HOURS", SESSION_HOURS))
    limits.init_app(app)
    app.extensions["kb.verified_staff"] = VerifiedStaff()
    app.before_request(load_user)
    app.after_request(no_store)
    app.register_error_handler(CSRFError, form_token_failed)


def form_token_failed(exc: CSRFError):
    """A staff form from one of our own pages whose session ended is kept (kb/web/resume.py);
    any other form whose token does not hold has expired."""
    if not resumable():
        return expired_form()
    g.lang = g.get("lang") or pick_language()  # the token is checked before the request's own hooks
    load_user()
    if g.get("user") is not None:  # signed in again meanwhile (another tab): the token is new
        action = safe_action(request.full_path.rstrip("?"))
        return (resume_page(kept_fields(), action), 400) if action else expired_form()
    return session_ended_page()
