"""Editors' tools beside the articles: drafts previewed from the articles folder, and
switching the server to the newest index."""

from __future__ import annotations

from flask import abort, current_app, render_template, url_for

from kb.content.articles import load_articles
from kb.content.markdown import render_html
from kb.web.agent.blueprint import bp
from kb.web.auth import login_required
from kb.web.editor import articles_here
from kb.web.i18n import _
from kb.web.present import wrap_sections
from kb.web.services import live as _live


@bp.get("/drafts")
@login_required("editor")
def drafts():
    articles_here()  # drafts exist only in the articles folder: the editor's own check
    articles, problems = articles_on_disk()
    return render_template("agent/drafts.html", drafts=[a for a in articles if a.draft], problems=problems)


@bp.get("/drafts/<path:article_id>")
@login_required("editor")
def draft(article_id: str):
    articles_here()  # drafts exist only in the articles folder: the editor's own check
    articles, _problems = articles_on_disk()
    found = next((a for a in articles if a.id == article_id and a.draft), None)
    if found is None:
        abort(404)
    catalog = _live().catalog
    html = render_html(found.body, lambda t: url_for("portal.article", article_id=t)
                       if catalog.get(t, internal=True) else None, found.id)
    return render_template("agent/draft.html", article=found, body=wrap_sections(html, None))


@bp.post("/reload")
@login_required("editor")
def reload():
    live = current_app.extensions["kb.live"]
    switched = live.reload()
    message = (_("Switched to the newest index.") if switched else
               _("Already serving the newest index.") if not live.error else live.error)
    return render_template("agent/reloaded.html", message=message, build=live.current.build.name)


def articles_on_disk():
    root = current_app.config.get("KB_ARTICLES")
    try:
        return load_articles(root)
    except (FileNotFoundError, TypeError):
        return [], []
