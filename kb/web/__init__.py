"""The Flask app: help portal (HTML), JSON API and health checks.

Thin on purpose: every route calls the same :class:`kb.search.engine.SearchEngine`
the CLI uses, through the :class:`kb.web.live_index.LiveIndex` that switches to a
freshly built index without a restart.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask, g, has_request_context, request
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFProtect

from kb.config import Settings
from kb.web.live_index import LiveIndex
from kb.ops.accounts import Accounts
from kb.ops.retention import RETENTION_SETTING
from kb.web.deployment import checked_secret_key, open_store, require_shared_secret
from kb.web.i18n import LANG_COOKIE, LANG_COOKIE_SECONDS, UI_LANGS, _, pick_language, translate, translated_message
from kb.web.local_time import site_time_zone
from kb.web import privacy_page
from kb.web.site import SiteConfigError, checked_base_url, load_site, text_in

PACKAGE = Path(__file__).resolve().parent.parent
# a customer's form or JSON body; staff's article forms get more (kb/web/editor.py, MAX_POST_BYTES)
MAX_REQUEST_BYTES = 64 * 1024
HSTS_SECONDS = 365 * 24 * 3600  # HTTPS only, for a year, once the site was reached over HTTPS
csrf = CSRFProtect()

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
       "base-uri 'none'; object-src 'none'")


def _secret_key(instance: Path) -> str:
    """KB_SECRET_KEY, else a key generated once into instance/secret_key (mode 600)."""
    if os.environ.get("KB_SECRET_KEY"):
        return checked_secret_key(os.environ["KB_SECRET_KEY"])
    path = instance / "secret_key"
    if not path.is_file():
        instance.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process created it first: use theirs
            pass
        else:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_hex(32))
    return path.read_text().strip()


def _init_editor(app: Flask, default_lang: str | None) -> None:
    """Editing articles in the browser: files under KB_ARTICLES, re-indexed in this process after a save."""
    from kb.ops.article_editing import ArticleEditor
    from kb.ops.article_review import Reviews
    from kb.web.editor_reindex import Reindexer
    store = app.extensions["kb.store"]
    articles = Path(app.config["KB_ARTICLES"])
    reindexer = Reindexer(articles, app.extensions["kb.live"], default_lang)
    app.extensions["kb.reindexer"] = reindexer
    app.extensions["kb.editor"] = ArticleEditor(articles, store, default_lang, on_change=reindexer.request)
    app.extensions["kb.reviews"] = Reviews(store)
    from kb.ops.article_moves import ArticleMoves
    app.extensions["kb.moves"] = ArticleMoves(store)
    from kb.web.editor import IMAGE_TOO_LARGE_PATH, allow_article_sized_posts, image_too_large
    app.before_request(allow_article_sized_posts)
    app.add_url_rule(IMAGE_TOO_LARGE_PATH, "image_too_large", image_too_large)


def create_app(config: dict | None = None) -> Flask:
    """App factory. ``config`` overrides settings (tests pass KB_INDEX, DATABASE, ...).

    Raises :class:`kb.index.loaded.IndexUnavailable` when there is no usable
    index: a portal without an index would only answer with errors.
    """
    settings = Settings.from_env()
    instance = Path((config or {}).get("INSTANCE") or settings.instance_dir).resolve()
    app = Flask("kb", instance_path=str(instance), template_folder=str(PACKAGE / "templates"),
                static_folder=str(PACKAGE / "static"))
    _configure(app, settings, instance, config)
    privacy_page.warn_unusable_retention(app.config)
    _open_services(app)
    _init_editor(app, settings.default_lang)
    _register_blueprints(app)
    _add_request_hooks(app)
    return app


def _configure(app: Flask, settings: Settings, instance: Path, config: dict | None) -> None:
    """Defaults, then instance/config.py, then the caller's overrides; a secret key in the end."""
    app.config.from_mapping(
        KB_INDEX=str(settings.index_dir), KB_ARTICLES=str(settings.articles_dir), KB_MODELS=settings.models,
        KB_SITE=str(settings.site_file),
        DATABASE=os.environ.get("KB_DATABASE_URL") or str(instance / settings.database.name), DATABASE_TIMEOUT=10.0,
        MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES,
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=os.environ.get("KB_HTTPS") == "1",
        KB_BASE_URL=os.environ.get("KB_BASE_URL"),  # public address for absolute links (site.yml: base_url)
        # the default period of `kb privacy purge`: checked at the start (privacy_page.warn_unusable_retention);
        # the privacy page states the period of the last purge that ran (kb/ops/purge_runs.py)
        KB_RETENTION_DAYS=os.environ.get(RETENTION_SETTING),
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session: a tab left open still works
        JSON_SORT_KEYS=False,
    )
    app.config.from_pyfile(str(instance / "config.py"), silent=True)
    if config:
        app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        require_shared_secret(app.config["DATABASE"])
        app.config["SECRET_KEY"] = _secret_key(instance)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.session_interface = _SessionCookies()


class _SessionCookies(SecureCookieSessionInterface):
    """The session cookie is ``Secure`` on every HTTPS request (the scheme a trusted proxy
    reports counts), not only with ``KB_HTTPS=1``: a deployment that forgets the setting
    still never sends a signed-in session over plain HTTP once it was set over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return super().get_cookie_secure(app) or (has_request_context() and request.is_secure)


def _open_services(app: Flask) -> None:
    """The served index, the database, the site settings and the accounts."""
    site = load_site(Path(app.config["KB_SITE"]))
    try:  # checked once here: every article view counts by the shop's date
        site_time_zone(app.config["KB_SITE"])
    except ValueError as exc:
        raise SiteConfigError(str(exc)) from None
    app.extensions["kb.live"] = LiveIndex(Path(app.config["KB_INDEX"]), app.config["KB_MODELS"], site.own_names)
    app.extensions["kb.store"] = open_store(app.config["DATABASE"], app.config["DATABASE_TIMEOUT"])
    app.extensions["kb.site"] = site
    app.config["KB_BASE_URL"] = (checked_base_url(app.config.get("KB_BASE_URL"), "KB_BASE_URL")
                                 or app.extensions["kb.site"].base_url)
    app.extensions["kb.accounts"] = Accounts(app.extensions["kb.store"])


def _register_blueprints(app: Flask) -> None:
    csrf.init_app(app)
    from kb.web import agent, api, auth, cors, editor, editor_history, errors, handoff, media, ops, portal, questions
    auth.init_app(app)
    cors.init_app(app)
    handoff.init_app(app)
    for blueprint in (portal.bp, auth.bp, agent.bp, editor.bp, editor_history.bp, questions.bp, api.bp, ops.bp,
                      media.bp):
        app.register_blueprint(blueprint)
    csrf.exempt(api.bp)  # JSON API: no cookies, no session to ride on
    csrf.exempt(ops.bp)
    errors.register(app)


def _add_request_hooks(app: Flask) -> None:
    """The UI language, the security headers and the template globals of every request."""

    @app.before_request
    def _language() -> None:
        g.lang = pick_language()

    @app.after_request
    def _headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "interest-cohort=(), geolocation=(), camera=(), microphone=()"
        if request.is_secure:  # browsers keep to HTTPS for this host from now on
            response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
        if (request.blueprint != "api" and request.args.get("lang") in UI_LANGS  # a page's language is remembered
                and request.cookies.get(LANG_COOKIE) != request.args["lang"]):
            response.set_cookie(LANG_COOKIE, request.args["lang"], max_age=LANG_COOKIE_SECONDS,
                                samesite="Lax", httponly=True,
                                secure=app.session_interface.get_cookie_secure(app))
        return response

    @app.context_processor
    def _template_globals() -> dict:
        site = app.extensions["kb.site"]
        return {"_": _, "lang": g.get("lang", "de"), "user": g.get("user"), "ui_langs": UI_LANGS, "site": site,
                "text_in": text_in, "translate": translate, "translated_message": translated_message}
