"""History, restore, rename and delete of articles in the browser.

Agents may read the history and any version; restoring, renaming and deleting
are for editors, and rename and delete are refused while other articles link
to the article (the links are listed, as `kb check` would report them).
"""

from __future__ import annotations

import re

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for

from kb.content.article_edit import (EditError, form_from_text, incoming_links, text_from_form, validate_id,
                                     version_of)
from kb.content.article_ids import id_problem
from kb.content.text_diff import diff_lines
from kb.ops.article_editing import Blocked, Conflict, Exists, Gone
from kb.ops.database import StoreUnavailable
from kb.web.auth import login_required
from kb.web.editor import (after_save, articles_here, current_or_404, editor, exists_message, preview_html,
                           problem_list, review_on, reviews, shown_author)
from kb.web.i18n import _, translated_message

bp = Blueprint("editor_history", __name__, url_prefix="/agent/articles")
# the notes the editor writes itself (never an editor's own words): shown in the reader's language
_ID = r"[a-z0-9_/-]+"
_MACHINE_NOTE = re.compile(
    rf"(?:Update|Create|Publish|Delete) {_ID}|Rename {_ID} to {_ID}|Add the question '[^'\n]*' to {_ID}"
    rf"|Link {_ID} to its translation '[^'\n]*'"
    rf"|Restore {_ID} to the version \w+(?: as a draft \(four-eyes review\)|, kept published)?"
    rf"|Version before the first edit in the browser|(?:[\w.-]+: c|C)hanges made on disk, before the browser edit")
KEEP_CHOICES = ("published", "draft")  # restoring a draft version of a published article
bp.before_request(articles_here)


@bp.get("/<path:article_id>/history")
@login_required()
def history(article_id: str):
    try:
        path, text = editor().current(article_id)
    except EditError:
        abort(404)
    versions = editor().history.versions(path)
    if text is None and not versions:
        abort(404)
    refs = [v.ref for v in versions]
    a, b = request.args.get("a", ""), request.args.get("b", "")
    diff = None
    if a or b:
        if (a and a not in refs) or (b and b not in refs):
            abort(404)
        old = editor().history.text(path, a) or "" if a else ""
        new = editor().history.text(path, b) or "" if b else (text or "")
        diff = diff_lines(old, new)
    return render_template("agent/articles/history.html", article_id=article_id, versions=versions,
                           change_note=change_note, shown_author=shown_author,
                           diff=diff, a=a, b=b, base=version_of(text), exists=text is not None,
                           kind=editor().history.kind)


def change_note(message: str) -> str:
    """A version's note: one the editor wrote itself in the reader's language, a person's as written."""
    return translated_message(message) if _MACHINE_NOTE.fullmatch(message or "") else message


@bp.get("/<path:article_id>/history/<ref>")
@login_required()
def version(article_id: str, ref: str):
    try:
        path, text = editor().current(article_id)
    except EditError:
        abort(404)
    old = editor().history.text(path, ref[:64])
    if old is None or ref not in {v.ref for v in editor().history.versions(path)}:
        abort(404)
    return render_template("agent/articles/version.html", article_id=article_id, ref=ref, text=old,
                           html=preview_html(form_from_text(old), article_id), base=version_of(text))


@bp.post("/<path:article_id>/restore")
@login_required("editor")
def restore(article_id: str):
    ref, base = request.form.get("ref", "")[:64], request.form.get("base", "")
    current, version = _texts(article_id, ref)
    offline = _takes_offline(current, version)
    if offline and request.form.get("keep") not in KEEP_CHOICES:  # the base the history was read at goes on
        return _confirm_page(article_id, "restore", 409, ref=ref, base=base)
    draft = _as_draft(current, version)
    try:
        if draft is not None:  # publishing takes a second editor, also for a restored version
            saved = editor().save(article_id, draft, base, g.user.username,
                                  f"Restore {article_id} to the version {ref[:12]} as a draft (four-eyes review)")
        elif offline and request.form.get("keep") == "published":
            saved = editor().save(article_id, offline, base, g.user.username,
                                  f"Restore {article_id} to the version {ref[:12]}, kept published")
        else:
            saved = editor().restore(article_id, ref, base, g.user.username)
    except Conflict:
        flash(_("Someone changed this article after you opened the history. Look at the newest version first."),
              "error")
        return redirect(url_for("editor_history.history", article_id=article_id), 303)
    except Blocked as exc:
        flash(_("This version has errors today and cannot be restored:") + " " + problem_list(exc.problems), "error")
        return redirect(url_for("editor_history.history", article_id=article_id), 303)
    except EditError as exc:
        flash(translated_message(str(exc)), "error")
        return redirect(url_for("editor_history.history", article_id=article_id), 303)
    after_save(saved, draft=draft is not None or (offline is not None and request.form.get("keep") == "draft"))
    return redirect(url_for("editor.view", article_id=article_id), 303)


def _texts(article_id: str, ref: str) -> tuple[str | None, str | None]:
    """(the article's text now, version ``ref``'s), read once per restore; (None, None) for
    an id that is no article's (the restore itself says so)."""
    try:
        path, current = editor().current(article_id)
    except EditError:
        return None, None
    return current, editor().history.text(path, ref)


def _takes_offline(current: str | None, version: str | None) -> str | None:
    """Where the version is a draft and customers see the article now, restoring it as it was
    would take the article offline: that version's text kept published (the editor is asked
    which of the two is meant, as the edit form asks before unpublishing); else None."""
    if version is None or current is None or form_from_text(current).draft:
        return None
    form = form_from_text(version)
    if not form.draft:
        return None
    form.draft = False
    return text_from_form(form, like=version)


def _as_draft(current: str | None, version: str | None) -> str | None:
    """The version as a draft when restoring it would take a draft (or a deleted article)
    public past four-eyes review; None when it would not (or the version is missing: restore
    reports that)."""
    if not review_on() or version is None:
        return None
    form = form_from_text(version)
    if form.draft or not (current is None or form_from_text(current).draft):
        return None
    form.draft = True
    return text_from_form(form, like=version)  # the version as it was written, marked as a draft


def _confirm_page(article_id: str, action: str, status: int = 200, error: str | None = None, links=(),
                  new_id: str = "", ref: str = "", base: str | None = None, id_invalid: bool = False):
    """``base``: the version the editor acts on, when it is older than the file (a restore
    from a history page read before someone else's save: that save is not overwritten).
    ``id_invalid``: the error is about the new id typed (the field is marked and focused)."""
    _path, text = current_or_404(article_id)
    return render_template("agent/articles/confirm.html", article_id=article_id, action=action,
                           base=version_of(text) if base is None else base, error=error, links=links,
                           new_id=new_id, ref=ref, id_invalid=id_invalid), status


def _gone_meanwhile():
    """A rename or delete of an article someone else renamed or deleted since the page was read."""
    flash(_("This article no longer exists under this id: someone renamed or deleted it after you opened it. Nothing was changed."), "error")
    return redirect(url_for("editor.index"), 303)


@bp.route("/<path:article_id>/rename", methods=["GET", "POST"])
@login_required("editor")
def rename(article_id: str):
    if request.method == "GET":
        return _confirm_page(article_id, "rename", links=incoming_links(editor().root, article_id))
    new_id = request.form.get("new_id", "").strip()[:200]
    try:
        validate_id(new_id)
        editor().rename(article_id, new_id, request.form.get("base", ""), g.user.username,
                        f"Rename {article_id} to {new_id}")
    except Blocked as exc:
        return _confirm_page(article_id, "rename", 409, translated_message(str(exc)), exc.links, new_id)
    except Gone:
        return _gone_meanwhile()
    except Conflict:
        return _confirm_page(article_id, "rename", 409, _("The article changed meanwhile; check it and try again."),
                             new_id=new_id)
    except Exists as exc:
        return _confirm_page(article_id, "rename", 409, exists_message(exc), new_id=new_id, id_invalid=True)
    except EditError as exc:
        return _confirm_page(article_id, "rename", 400, translated_message(str(exc)), new_id=new_id,
                             id_invalid=id_problem(new_id) is not None)
    reviews().move(article_id, new_id)
    try:
        current_app.extensions["kb.moves"].record(article_id, new_id)  # the old address leads to it
    except StoreUnavailable as exc:  # the rename is done; only the redirect from the old address is missing
        current_app.logger.warning("redirect from %s to %s not recorded: %s", article_id, new_id, exc)
    flash(_("Renamed. The portal shows the change within seconds."), "success")
    return redirect(url_for("editor.view", article_id=new_id), 303)


@bp.route("/<path:article_id>/delete", methods=["GET", "POST"])
@login_required("editor")
def delete(article_id: str):
    if request.method == "GET":
        return _confirm_page(article_id, "delete", links=incoming_links(editor().root, article_id))
    if request.form.get("confirm") != "yes":
        return _confirm_page(article_id, "delete", 400, _("Tick the box to confirm the deletion."))
    try:
        editor().delete(article_id, request.form.get("base", ""), g.user.username, f"Delete {article_id}")
    except Blocked as exc:
        return _confirm_page(article_id, "delete", 409, translated_message(str(exc)), exc.links)
    except Gone:
        return _gone_meanwhile()
    except Conflict:
        return _confirm_page(article_id, "delete", 409, _("The article changed meanwhile; check it and try again."))
    except EditError as exc:
        return _confirm_page(article_id, "delete", 400, translated_message(str(exc)))
    reviews().clear(article_id)
    flash(_("Deleted. Its versions stay in the history."), "success")
    return redirect(url_for("editor.index"), 303)
