"""``/media/<name>``: the images articles show (kb/content/media.py), from the portal's own host.

From the served index first (kb/index/media.py: a replica without the articles
folder serves them too), then from the newest published build (a replica that
keeps serving an older build, removed meanwhile, still finds them: a name is its
content), then from the articles folder (an image just uploaded shows in the
editor's preview before any build carries it).

A name is the image's content (a digest), so the file behind it never changes and
browsers may keep it for a year. Served as the image type its extension names,
never sniffed, and as an attachment of no page (``Content-Security-Policy: sandbox``):
even a file someone put into ``media/`` by hand cannot run as a page of the portal.
"""

from __future__ import annotations

import os

from flask import Blueprint, abort, current_app, send_file

from kb.content.media import CONTENT_TYPES, media_file
from kb.index.layout import CURRENT
from kb.index.media import media_in_build

bp = Blueprint("media", __name__)
ONE_YEAR = 365 * 24 * 3600


@bp.get("/media/<name>")
def image(name: str):
    live = current_app.extensions["kb.live"]
    path = (media_in_build(live.current.build, name) or media_in_build(live.location / CURRENT, name)
            or media_file(current_app.config["KB_ARTICLES"], name))
    if path is None:
        abort(404)
    # absolute: Flask reads a relative path from its package folder, not the working directory
    response = send_file(os.path.abspath(path), mimetype=CONTENT_TYPES[path.suffix.lstrip(".")], max_age=ONE_YEAR, conditional=True)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
