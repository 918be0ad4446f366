"""The agent workspace's blueprint, and the template helpers its pages share."""

from __future__ import annotations

from functools import partial

from flask import Blueprint, current_app, g

from kb.content.markdown import resolve_article_link
from kb.web.copy_text import CopyText, copy_text
from kb.web.local_time import local_time, site_time_zone
from kb.web.present import article_url, section_label
from kb.web.services import live as _live

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.app_template_filter("local_time")
def shop_local_time(value) -> str:
    """UTC from the database as the shop's local time, for agents and editors."""
    return local_time(value, site_time_zone(current_app.config.get("KB_SITE")), g.get("lang", "de"))


@bp.app_context_processor
def _agent_globals() -> dict:
    return {"copy_text_for": _copy_text_for}


def _copy_text_for(hit) -> CopyText | None:
    """The whole section of a hit as reply text (None when the article is gone since the search)."""
    art = _live().catalog.get(hit.id, internal=True)
    if art is None:
        return None
    url = article_url(hit.id, hit.anchor or None, external=True)
    return copy_text(art, hit.anchor or None, section_label(hit) or None, url, partial(_link_address, hit.id))


# the addresses a copied reply may show as they are; others are no use in an e-mail
SENDABLE_SCHEMES = ("https://", "http://", "mailto:")


def _link_address(source_id: str, href: str) -> str | None:
    """Where a link of article ``source_id`` points, for a customer: another article's
    portal address (None when customers cannot open it), or a web or mail address."""
    target = resolve_article_link(source_id, href)
    if target is None:
        return href if href.startswith(SENDABLE_SCHEMES) else None
    article = _live().catalog.get(target[0], internal=False)
    return article_url(article["id"], target[1] or None, external=True) if article else None
