"""The answer text an agent copies from a hit: its section, with the links' addresses a
customer can open (kb/web/copy_text.py)."""

from __future__ import annotations

from functools import partial

from kb.content.markdown import resolve_article_link
from kb.web.copy_text import CopyText, copy_text
from kb.web.present import article_url, section_label
from kb.web.services import live as _live


def copy_text_for(hit) -> CopyText | None:
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
