"""Editors write articles in the browser: list, view, new, edit, preview, save, review.

Thin: reading and writing files, `kb check`, history and conflicts are
:class:`kb.ops.article_editing.ArticleEditor`'s; this module turns forms into
calls and results into pages. Agents may look (list, view, history); only
editors change anything.
"""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from markupsafe import Markup

from kb.content.article_edit import (ArticleForm, EditError, file_text, form_from_text, tags_field,
                                     tags_from_field, text_from_form, touched, version_of)
from kb.content.article_ids import id_problem, suggested_id
from kb.content.articles import AUDIENCES, Article
from kb.content.markdown import raw_html_tags, render_html
from kb.content.visible_text import clean_text, one_line, without_controls
from kb.content.media import MAX_IMAGE_BYTES, ImageError, markdown_for
from kb.content.text_diff import diff_lines, merge_clean
from kb.ops.article_editing import ArticleEditor, Blocked, Conflict, EditingBusy, EditingUnavailable, Exists, Gone
from kb.ops.article_history import ON_DISK
from kb.ops.article_removal import Removal, removal_of
from kb.ops.article_review import ReviewError, Reviews
from kb.ops.database import StoreUnavailable
from kb.web.auth import bearer_secret, login_required, token_user
from kb.web.editor_list import article_rows, list_filters, published_articles
from kb.web.i18n import UI_LANGS, _, translated_message
from kb.web.local_time import local_time, site_time_zone, site_today
from kb.web.present import format_count
from kb.web.server import MAX_APP_BODY_BYTES
from kb.web.services import live, store

bp = Blueprint("editor", __name__, url_prefix="/agent/articles")
MAX_FIELD = 500          # characters of one front matter field
MAX_TITLE = 200          # a title is a line on a card and a page heading, not a paragraph
MAX_LIST_ITEMS = 50      # questions or tags
MAX_BODY = 200_000       # characters of Markdown (far above any help article)
MERGED_MESSAGE = "Someone changed this article after you opened it. Nothing was saved: their change and yours are merged below (they do not overlap); check the text and save again."
CONFLICT_MESSAGE = "Someone changed this article after you opened it. Nothing was saved: merge their change below into your text and save again."


FOUR_EYES = ("four-eyes review is switched on: save it as a draft, mark it ready for review, "
             "and another editor publishes it")
MAX_POST_BYTES = 1_000_000  # an article form: the app's MAX_REQUEST_BYTES is for customers' forms
IMAGE_ROUTE = "/image"  # the article form with an image to add (multipart)
# an image post from staff is read whole up to MAX_APP_BODY_BYTES (kb/web/server.py): an image too large to
# take is then refused by the page itself, with the text typed kept; a body larger still, which waitress lets
# through with room to spare, gets the framework's 413 as a page naming the image's limit (kb/web/errors.py)
MAX_IMAGE_POST_BYTES = MAX_APP_BODY_BYTES
MAX_ALT_CHARS = 200
MAX_TAGS_NAMED = 6  # HTML tags named in the preview's warning
LOGIN_PATH = "/agent/login"
# where nginx sends an editor's upload it refuses for its size (deploy/nginx.conf, error_page 413): no
# article's address, and a page of the app's own, since any replica answers it (kb/web/__init__.py)
IMAGE_TOO_LARGE_PATH = "/agent/image-too-large"
# what staff may still open on a server without an articles folder it may write
READ_ONLY_PAGES = ("editor.index", "editor.view")


def allow_article_sized_posts() -> None:
    """Registered on the app before CSRFProtect, which reads the form first.

    An article form may be read from anyone: a form sent after its session ended is
    kept (kb/web/resume.py), and the sign-in carries it on. An image is read only from a
    browser whose session names a staff account, or a tool with a token (an image
    cannot be kept anyway): anyone else would make the server read megabytes for
    nothing."""
    if request.path == LOGIN_PATH:  # a sign-in may carry an article's text kept from before (kb/web/resume.py)
        request.max_content_length = MAX_POST_BYTES
    elif request.path == bp.url_prefix + IMAGE_ROUTE and _staff_may_be_sending():
        # room for an image too large to take, so the page says so with the text kept; a body larger
        # still gets a page that names the image's limit (kb/web/errors.py)
        request.max_content_length = g.image_post_limit = MAX_IMAGE_POST_BYTES
    elif request.path.startswith(bp.url_prefix + "/"):
        request.max_content_length = MAX_POST_BYTES


def _staff_may_be_sending() -> bool:
    """A signed session naming an account (checked in full later: it may have ended) or a
    valid token: a stranger has neither. This runs before the request's user is loaded
    (kb/web/auth.py load_user), so the token is checked here the way load_user checks it."""
    if session.get("uid") is not None:
        return True
    secret = bearer_secret()
    if not secret:
        return False
    try:
        return token_user(secret) is not None
    except StoreUnavailable:
        return False


def editor() -> ArticleEditor:
    return current_app.extensions["kb.editor"]


@bp.before_request
def articles_here() -> None:
    """Staff on a server that holds no articles folder it may write (a replica serving only
    the published index) get one clear page instead of an empty list or a failed save;
    signing in comes first (the view's own check). Where this server's last build after a
    save failed, the pages say so: the save is on disk, the portal shows the text before it."""
    if g.get("user") is None:
        return
    if not editor().editable():
        if request.method == "GET" and request.endpoint in READ_ONLY_PAGES:
            return None  # the published articles, from the index this server serves
        raise EditingUnavailable()
    if request.method == "GET" and current_app.extensions["kb.reindexer"].last_error:
        flash(_("The last change is saved, but this server could not publish it to the portal (the server log says why). An indexer, if one watches the articles, may publish it instead."), "warning")


def reviews() -> Reviews:
    return current_app.extensions["kb.reviews"]


def review_on() -> bool:
    return current_app.extensions["kb.site"].four_eyes_review


def html_named(body: str) -> str:
    """The HTML tags of the text that customers would see as text (the portal renders Markdown
    only, kb/content/markdown.py), for the preview's warning: the first few, the sentence is
    read aloud whole; '' when there are none."""
    tags = raw_html_tags(body)
    return ", ".join(tags[:MAX_TAGS_NAMED]) + (", …" if len(tags) > MAX_TAGS_NAMED else "")


def preview_html(form: ArticleForm, article_id: str) -> str:
    catalog = current_app.extensions["kb.live"].current.catalog
    return Markup(render_html(form.body, lambda t: url_for("portal.article", article_id=t)
                       if catalog.get(t, internal=True) else None, article_id))


def _lines(name: str, sep: str) -> tuple[str, ...]:
    raw = without_controls(request.values.get(name, ""))
    items = [part.strip()[:MAX_FIELD] for part in raw.split(sep)]
    return tuple(i for i in items if i)[:MAX_LIST_ITEMS]


def _field(name: str, max_chars: int = MAX_FIELD) -> str:
    """One line of the form as people can read it (no control or invisible characters)."""
    return one_line(request.values.get(name, ""))[:max_chars]


def form_from_request() -> ArticleForm:
    """The edit form's fields; GET parameters pre-fill a new article (see README, "For editors")."""
    v = request.values
    return ArticleForm(
        title=_field("title", MAX_BODY), lang=_field("lang", 10), category=_field("category"),
        tags=tuple(t[:MAX_FIELD] for t in tags_from_field(clean_text(v.get("tags", ""))))[:MAX_LIST_ITEMS],
        summary=clean_text(v.get("summary", ""))[:MAX_FIELD],  # a textarea: lines kept
        audience=v.get("audience", "public") if v.get("audience") in AUDIENCES else "public",
        questions=_lines("questions", "\n"), translation=_field("translation"),
        draft=request.method == "GET" or v.get("draft") == "on", body=without_controls(v.get("body", "")))


def too_long(form: ArticleForm) -> str | None:
    """The message for a title over ``MAX_TITLE`` or a body over ``MAX_BODY``: refused whole,
    never cut (the text stays in the form)."""
    if len(form.title) > MAX_TITLE:
        return _("The title is too long ({n} characters, at most {max}): nothing was saved.",
                 n=format_count(len(form.title), g.lang), max=format_count(MAX_TITLE, g.lang))
    if len(form.body) <= MAX_BODY:
        return None
    return (_("The text is too long ({n} characters, at most {max}): nothing was saved.",
              n=format_count(len(form.body), g.lang), max=format_count(MAX_BODY, g.lang))
            + " " + _("Split it into several articles."))


def _choices(articles: list[Article]) -> dict:
    return {"languages": sorted(set(UI_LANGS) | {a.lang for a in articles}),
            "categories": sorted({a.category for a in articles}), "audiences": AUDIENCES}


def edit_page(article_id: str, form: ArticleForm, base: str, *, original: str = "", status: int = 200,
              preview: bool = False, error: str | None = None, problems=None, conflict: Conflict | None = None,
              source: Article | None = None, message: str = "", unpublish_asked: bool = False,
              notice: str | None = None, gone: Removal | None = None, error_field: str | None = None):
    articles = editor().articles()
    if problems is None and preview:
        problems = editor().problems(article_id, text_from_form(form)) if article_id else []
    diff = None
    if conflict is not None:
        theirs = conflict.current_text or ""
        diff = {"theirs": diff_lines(conflict.base_text, theirs) if conflict.base_text is not None else None,
                "yours": diff_lines(theirs, text_from_form(form)), "text": theirs}
    return render_template(
        "agent/articles/edit.html", article_id=article_id, form=form, base=base, original=original,
        preview=preview_html(form, article_id) if preview else None, error=error, problems=problems or [],
        raw_html=html_named(form.body) if preview else "",
        diff=diff, source=source, source_html=preview_html(form_from_text(editor().current(source.id)[1] or ""),
                                                            source.id) if source else None,
        message=message, review_on=review_on(), published=bool(original) and _published(original),
        unpublish_asked=unpublish_asked, notice=notice, max_image_mb=MAX_IMAGE_BYTES // 1_000_000,
        gone=gone, error_field=error_field, shown_author=shown_author,
        tags_text=tags_field(form.tags),
        **_choices(articles)), status


@bp.get("/")
@login_required()
def index():
    filters = list_filters(request.args)
    engine = live().engine
    editable = editor().editable()
    articles = editor().articles() if editable else published_articles(engine.index.articles)
    rows = article_rows(articles, filters, store(), engine,
                        _ready_for_review() if editable else {},
                        site_time_zone(current_app.config.get("KB_SITE")))
    return render_template("agent/articles/list.html", rows=rows, f=filters,
                           broken=editor().broken() if editable else {}, editable=editable,
                           id_problem=id_problem, suggested_id=suggested_id, **_choices(articles))


@bp.get("/new")
@login_required("editor")
def new():
    form = form_from_request()
    form.lang = request.args.get("language", "").strip()[:10]  # ?lang= is the UI's language
    source = None
    if request.args.get("from"):
        source = _article(request.args["from"])
        other = [lang for lang in UI_LANGS if lang != source.lang]
        form.lang = form.lang or (other[0] if other else "")
        form.translation = form.translation or source.translation or source.id.rsplit("/", 1)[-1]
        form.audience = source.audience  # the tags are the source language's words: shown beside, not copied
    form.lang = form.lang or g.get("lang", "de")
    return edit_page(request.args.get("id", "")[:200], form, "", source=source)[0]


@bp.get("/<path:article_id>/edit")
@login_required("editor")
def edit(article_id: str):
    path, text = current_or_moved(article_id, "editor.edit")
    form = form_from_text(text)
    if not form.repaired:
        return edit_page(article_id, form, version_of(text), original=article_id)[0]
    return edit_page(article_id, form, version_of(text), original=article_id, error=repair_notice(form),
                     problems=editor().problems(article_id, text))[0]


def repair_notice(form: ArticleForm) -> str:
    """What the page says about a file whose front matter did not parse (form_from_text)."""
    notice = _("This file's front matter could not be read (see the check results), so customers do not see it. The fields hold what could be read: check them, then save. It stays a draft until you untick 'Draft'.")
    if form.unreadable:
        notice += " " + _("These lines could not be read and are left out when you save:") + " " + " · ".join(
            line.strip() for line in form.unreadable)
    return notice


@bp.post("/preview")
@login_required("editor")
def preview():
    """The live preview (editor.js): the draft rendered by the portal's renderer, and its problems."""
    form = form_from_request()
    ident = request.form.get("id", "").strip()
    try:
        problems = editor().problems(ident, text_from_form(form)) if ident else []
    except EditError as exc:
        problems, error = [], translated_message(str(exc))
    else:
        error = None
    return render_template("agent/articles/_preview.html", preview=preview_html(form, ident),
                           problems=problems, preview_error=error, raw_html=html_named(form.body))


@bp.post("/save")
@login_required("editor")
def save():
    ident = request.form.get("id", "").strip()[:200]
    original, base = request.form.get("original", ""), request.form.get("base", "")
    source_id = request.form.get("source", "")
    source = _article(source_id) if source_id else None
    form = form_from_request()
    message = _field("message")
    page = dict(original=original, source=source, message=message)
    if request.form.get("action") == "preview":
        try:
            return edit_page(ident, form, base, preview=True, **page)
        except EditError as exc:
            return edit_page(ident, form, base, preview=False, error=translated_message(str(exc)), status=400,
                             error_field="id", **page)
    refused = _refused(ident, form, base, page)
    if refused is not None:
        return refused
    try:
        restoring = _restoring(ident, original)
        form.extra = _kept_keys(ident)
        published = _publishing(ident, form)
        if published and review_on():
            raise ReviewError(FOUR_EYES)
        saved = editor().save(ident, text_from_form(touched(form, _today()), like=_on_disk(ident)),
                              "" if restoring else base, g.user.username,
                              message or (f"Update {ident}" if base and not restoring else f"Create {ident}"),
                              new=not original or restoring)
    except Exists as exc:
        return edit_page(ident, form, base, error=exists_message(exc), status=409, error_field="id", **page)
    except Gone:
        return gone_page(ident, form, base, page)
    except Conflict as exc:
        merged = both_changes(exc, form)
        if merged is not None:  # the changes do not overlap: propose both, saved only once checked
            form = form_from_text(merged)
        return edit_page(ident, form, exc.current_version, conflict=exc, status=409,
                         error=_(MERGED_MESSAGE if merged is not None else CONFLICT_MESSAGE), **page)
    except Blocked as exc:
        return edit_page(ident, form, base, problems=exc.problems, status=422,
                         error=_("The article has errors; nothing was saved."), **page)
    except (EditError, ReviewError) as exc:
        return edit_page(ident, form, base, error=translated_message(str(exc)), status=400, **page)
    if source is not None and not source.translation:
        _link_source(source, form.translation)
    after_save(saved, draft=form.draft)
    return redirect(url_for("editor.view", article_id=ident), 303)


def both_changes(conflict: Conflict, form: ArticleForm) -> str | None:
    """The other change and the editor's in one text, or None when they touch the same or
    adjacent lines, or the version the edit started from is not in the history.

    The editor's side is the form written against that version, the text the editor opened:
    then only what the editor changed differs from it. Written against the text on disk now,
    the form would seem to take back every line the other change wrote (its question, in the
    form's list style), and the two would always overlap. The date stays the opened version's:
    the save that follows dates the merged text, so two saves on different days still merge."""
    opened_text = conflict.base_text
    if opened_text is None:
        return None
    opened = form_from_text(opened_text)
    mine = text_from_form(replace(form, updated=opened.updated, extra=opened.extra), like=opened_text)
    return merge_clean(opened_text, conflict.current_text or "", mine)


def _refused(ident: str, form: ArticleForm, base: str, page: dict):
    """The page for a save refused before it is tried (the id, the length, taking it offline), or None."""
    original = page["original"]
    if original and original != ident:
        return edit_page(ident, form, base, error=_("Use 'Rename' to change an article's id."), status=400,
                         error_field="id", **page)
    if (wrong_id := id_problem(ident)) is not None:
        return edit_page(ident, form, base, error=translated_message(wrong_id), status=400, error_field="id", **page)
    if too_long(form):
        return edit_page(ident, form, base, error=too_long(form), status=413, **page)
    if form.draft and original and _published(ident) and request.form.get("unpublish") != "yes":
        unpublish = _("This article is published: saved as a draft, customers no longer find it. Confirm below to take it offline, or untick 'Draft'. Nothing was saved.")
        return edit_page(ident, form, base, error=unpublish, unpublish_asked=True, status=409, **page)
    return None


def _restoring(ident: str, original: str) -> bool:
    """True when the editor chose to bring back, with the text typed, an article deleted after the
    edit started (gone_page offers it): it is saved as a new article, never over one that exists."""
    return bool(original) and request.form.get("restore") == "yes" and editor().current(ident)[1] is None


def gone_page(ident: str, form: ArticleForm, base: str, page: dict):
    """The article was renamed or deleted after the edit started: nothing is saved, the text typed
    stays in the form. Renamed: the form now edits the article under its new id (a save there
    still checks the version the edit started from). Deleted: it stays deleted unless the editor
    ticks 'restore'; saving again as it was is refused again."""
    removal = removal_of(editor(), current_app.extensions["kb.moves"], ident)
    if removal.renamed_to:
        ident = removal.renamed_to
        page = {**page, "original": ident}
    return edit_page(ident, form, base, gone=removal, status=409, **page)


def shown_author(author: str) -> str:
    """A version's author: a user name, or (changes nobody saved in the browser) in words."""
    return _(ON_DISK) if author == ON_DISK else author


@bp.post(IMAGE_ROUTE)
@login_required("editor")
def upload_image():
    """The article form with an image: the image is stored (kb/content/media.py) and its
    Markdown added at the end of the text, which comes back in the form, unsaved, for the
    editor to place and save (no JavaScript needed, nothing typed is lost)."""
    ident = request.form.get("id", "").strip()[:200]
    source_id = request.form.get("source", "")
    page = dict(original=request.form.get("original", ""), source=_article(source_id) if source_id else None,
                message=request.form.get("message", "").strip()[:MAX_FIELD])
    form, base = form_from_request(), request.form.get("base", "")
    upload = request.files.get("image")
    alt = " ".join(request.form.get("image_alt", "").split())[:MAX_ALT_CHARS]
    if upload is None or not upload.filename:
        return edit_page(ident, form, base, error=_("Choose an image file first."), status=400, **page)
    if not alt:
        return edit_page(ident, form, base, status=400, **page,
                         error=_("Describe what the image shows: customers who cannot see it read that instead."))
    try:
        path = editor().add_image(upload.read(MAX_IMAGE_BYTES + 1), g.user.username)
    except (ImageError, EditError) as exc:  # EditError: the folder cannot be written, or it is not our turn
        status = 503 if isinstance(exc, EditingBusy) else 400
        return edit_page(ident, form, base, error=translated_message(str(exc)), status=status, **page)
    form.body = form.body.rstrip("\n") + "\n\n" + markdown_for(path, alt) + "\n"
    notice = _("The image is added at the end of the text. Move its line to where it belongs, then save the article.")
    return edit_page(ident, form, base, preview=True, notice=notice, **page)[0]


@login_required("editor")
def image_too_large():
    """The page for an upload nginx refused for its size before kb saw it: the one the app gives
    a body over its own limit (kb/web/errors.py), naming the image's limit in the reader's
    language (nginx sends it with its 413), not nginx's bare English page."""
    g.image_post_limit = True
    abort(413)


def shown(message: str) -> str:
    """A check's finding for the editor: in the page's language, files named below the
    articles folder (the server's own paths are nobody's business)."""
    return translated_message(message.replace(f"{editor().root}/", ""))


def problem_list(problems) -> str:
    """A check's errors on one line of a notice, each with its line in the file."""
    return "; ".join(f"{_('line')} {p.line}: {shown(p.message)}" for p in problems if p.severity == "error")


def exists_message(exc: Exists) -> str:
    return _("'{id}' exists already: choose another id.", id=exc.article_id)


def _today():
    """The shop's date (site.yml ``time_zone``), not the server's: a save after midnight in Berlin
    is dated that day."""
    return site_today(current_app.config.get("KB_SITE"))


def _on_disk(ident: str) -> str | None:
    """The article's file exactly as it is (BOM, line ends): the keys a save leaves unchanged
    keep their lines."""
    return file_text(editor().current(ident)[0])


def _kept_keys(ident: str) -> dict:
    """Front matter keys the form does not show, as they are on disk (kept, not dropped)."""
    _path, text = editor().current(ident)
    return form_from_text(text).extra if text else {}


def _ready_for_review() -> dict:
    """The marks that still hold: a draft changed since it was marked is a draft again."""
    return {i: r for i, r in reviews().pending().items() if r.covers(version_of(editor().current(i)[1]))}


def _published(ident: str) -> bool:
    """True when customers see the article now (it is on disk and no draft)."""
    _path, text = editor().current(ident)
    return text is not None and not form_from_text(text).draft


def _publishing(ident: str, form: ArticleForm) -> bool:
    """True when this save takes a draft (or a new article) public."""
    if form.draft:
        return False
    _path, text = editor().current(ident)
    return text is None or form_from_text(text).draft


def after_save(saved, draft: bool = False) -> None:
    if draft:  # customers do not see a draft: saying the portal shows it would mislead
        flash(_("Draft saved. Customers see it once it is published."), "success")
    else:
        flash(_("Saved. The portal shows the change within seconds."), "success")
    for w in saved.warnings:
        flash(f"{_('Warning')}: {_('line')} {w.line}: {shown(w.message)}", "warning")
    if editor().history_error:
        flash(_("Saved, but the version could not be recorded in the history:") + " " + editor().history_error,
              "error")
        editor().history_error = None


def _link_source(source: Article, key: str) -> None:
    """Give the source article the translation key of its new translation, as one more version."""
    _path, text = editor().current(source.id)
    form = form_from_text(text or "")
    form.translation = key
    try:
        editor().save(source.id, text_from_form(form, like=text), version_of(text), g.user.username,
                      f"Link {source.id} to its translation '{key}'")
    except (Conflict, Blocked, EditError) as exc:
        flash(_("The source article could not get the translation key:") + f" {exc}", "warning")


@bp.get("/<path:article_id>")
@login_required()
def view(article_id: str):
    if not editor().editable():  # the published article, as the portal shows it to staff
        return redirect(url_for("portal.article", article_id=article_id), 303)
    path, text = current_or_moved(article_id, "editor.view")
    art = _article(article_id)
    form = form_from_text(text)
    missing = [lang for lang in UI_LANGS if lang != art.lang and not any(
        a.translation and a.translation == art.translation and a.lang == lang for a in editor().articles())]
    try:
        review = reviews().get(article_id, version_of(text))
    except StoreUnavailable:  # the article (just saved, maybe) is on disk: show it all the same
        review = None
        flash(_("Whether this article waits for a review cannot be shown: the database cannot be reached right now."), "warning")
    return render_template("agent/articles/view.html", article=art, body=preview_html(form, article_id),
                           base=version_of(text), review=review, review_on=review_on(),
                           missing_languages=missing)


@bp.post("/<path:article_id>/ready")
@login_required("editor")
def ready(article_id: str):
    art = _article(article_id)
    if not art.draft:
        abort(400, _("Only drafts go through review."))
    _path, text = current_or_404(article_id)
    if request.form.get("base", version_of(text)) != version_of(text):  # marks what the editor read
        flash(_("Someone changed this article after you opened it. Read it again before publishing."), "error")
        return redirect(url_for("editor.view", article_id=article_id), 303)
    reviews().request(article_id, g.user.username, version_of(text))
    flash(_("Marked as ready for review. Another editor can publish it now."), "success")
    return redirect(url_for("editor.view", article_id=article_id), 303)


@bp.post("/<path:article_id>/publish")
@login_required("editor")
def publish(article_id: str):
    base = request.form.get("base", "")
    try:
        path, text = editor().current(article_id)
    except EditError:
        abort(404)
    if text is None:  # deleted or renamed since the editor read it
        return publish_gone(article_id, base, editor().base_text(path, base) if base else None)
    art = _article(article_id)
    if not art.draft:
        abort(400, _("This article is published already."))
    try:
        if review_on():
            reviews().check_publisher(article_id, g.user.username, version_of(text))
        form = touched(form_from_text(text), _today())
        form.draft = False
        saved = editor().save(article_id, text_from_form(form, like=_on_disk(article_id)),
                              base, g.user.username, f"Publish {article_id}")
    except Gone:  # deleted or renamed between reading the draft above and the save
        return publish_gone(article_id, base, text)
    except Blocked as exc:  # the draft has errors a published article may not have: which, and where
        flash(_("The article has errors; nothing was saved.") + " " + problem_list(exc.problems), "error")
        return redirect(url_for("editor.view", article_id=article_id), 303)
    except (ReviewError, EditError) as exc:
        flash(translated_message(str(exc)), "error")
        return redirect(url_for("editor.view", article_id=article_id), 303)
    except Conflict:
        flash(_("Someone changed this article after you opened it. Read it again before publishing."), "error")
        return redirect(url_for("editor.view", article_id=article_id), 303)
    reviews().clear(article_id)
    after_save(saved)
    return redirect(url_for("editor.view", article_id=article_id), 303)


def publish_gone(article_id: str, base: str, draft: str | None):
    """A publish that finds the article deleted or renamed since the editor opened it: nothing
    is published and nothing is written, as for a save (gone_page): the page says who removed
    it and when, and the edit form holds the draft the editor meant to publish (``draft``: as
    read, or version ``base`` from the history), so nothing is lost. The form keeps it a draft:
    bringing back an article someone deleted is a choice, publishing it again a second one."""
    if draft is None:  # neither on disk nor in the history: nothing to publish or to hand back
        abort(404)
    page = dict(original=article_id, source=None, message="")
    return gone_page(article_id, form_from_text(draft), base, page)


def _current(article_id: str):
    """(path, text) of the article on disk, text None when it is gone; a 404 for an id no
    article can have."""
    try:
        return editor().current(article_id)
    except EditError:
        abort(404)


def current_or_404(article_id: str):
    path, text = _current(article_id)
    if text is None:
        abort(404)
    return path, text


def current_or_moved(article_id: str, endpoint: str):
    """``current_or_404`` for a page opened by its address: links to an article's editor pages
    outlive a rename (a bookmark, a tab left open, a link in a chat), so an article renamed since
    goes on to ``endpoint`` under its new id, with a notice naming the rename (the portal sends
    customers on from the same record, kb/ops/article_moves.py); a deleted one stays a 404."""
    path, text = _current(article_id)
    if text is not None:
        return path, text
    removal = removal_of(editor(), current_app.extensions["kb.moves"], article_id)
    if removal.renamed_to is None:
        abort(404)
    flash(renamed_notice(article_id, removal), "warning")
    abort(redirect(url_for(endpoint, article_id=removal.renamed_to), 303))


def renamed_notice(old_id: str, removal: Removal) -> str:
    """Who renamed ``old_id`` to what, and when, as far as the history knows."""
    if removal.author is None:
        return _("{old_id} was renamed to {new_id}: this is the article under its new id.",
                 old_id=old_id, new_id=removal.renamed_to)
    when = local_time(removal.date, site_time_zone(current_app.config.get("KB_SITE")), g.lang)
    return _("{name} renamed {old_id} to {new_id} ({when}): this is the article under its new id.",
             name=shown_author(removal.author), old_id=old_id, new_id=removal.renamed_to, when=when)


def _article(article_id: str) -> Article:
    found = next((a for a in editor().articles() if a.id == article_id), None)
    if found is None:
        abort(404)
    return found
