"""Markdown -> sanitised HTML for the portal, and -> plain text for the indexes.

Both views come from one CommonMark parse, so a section anchor computed for the
index is exactly the ``id`` the article page gives its heading.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit

import nh3
from markdown_it import MarkdownIt

from kb.content.articles import ARTICLE_SUFFIXES, slugify

_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
# the same parser reading HTML as HTML: only to tell editors where they wrote some (shown as text)
_md_html = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")

_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
MAX_MARKUP_SHOWN = 12  # characters of a comment's or declaration's start ("<!--", "<!DOCTYPE")

ALLOWED_TAGS = {
    "a", "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "strong", "em",
    "code", "pre", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "img", "del",
}
ALLOWED_ATTRS = {"a": {"href", "title"}, "h2": {"id"}, "h3": {"id"}, "h4": {"id"},
                 "img": {"src", "alt", "title"}, "th": {"align"}, "td": {"align"}}


def parse_blocks(markdown: str) -> list:
    """CommonMark block tokens (markdown-it), shared by the linter and the indexer."""
    return _md.parse(markdown)


def image_sources(markdown: str) -> Iterator[tuple[int, str]]:
    """(line within the text, counted from 0; ``src``) of every image, in document order."""
    if "![" not in markdown:
        return
    for token in parse_blocks(markdown):
        if token.type == "inline" and token.children:
            line = token.map[0] if token.map else 0
            for child in token.children:
                if child.type == "image":
                    yield line, str(child.attrs.get("src", ""))


def raw_html(markdown: str) -> dict[int, list[str]]:
    """The HTML tags the text holds outside code, by line (counted from 0), each named once
    and as an opening tag (``<div>`` for ``<div class=x>`` and ``</div>``; a comment or a
    declaration by its start, ``<!--``): the portal shows them as text ("<b>" and all), since
    articles are Markdown and HTML is never rendered."""
    if "<" not in markdown:
        return {}
    found: dict[int, list[str]] = {}
    for token in _md_html.parse(markdown):
        line = token.map[0] if token.map else 0
        for piece in _html_pieces(token):
            tags = found.setdefault(line, [])
            tags.extend(t for t in _tag_names(piece) if t not in tags)
    return {line: tags for line, tags in found.items() if tags}


def _html_pieces(token) -> list[str]:
    """The raw HTML of a block token: the whole of an HTML block, the tags within a paragraph."""
    if token.type == "html_block":
        return [token.content]
    if token.type == "inline":
        return [child.content for child in token.children or [] if child.type == "html_inline"]
    return []


def raw_html_tags(markdown: str) -> list[str]:
    """Every HTML tag of the text outside code (``raw_html``), once, in the order they come."""
    return list(dict.fromkeys(tag for tags in raw_html(markdown).values() for tag in tags))


def _tag_names(html: str) -> list[str]:
    names = [f"<{m.group(1).lower()}>" for m in _TAG_NAME.finditer(html)]
    if names or not html.strip():
        return names
    return [html.split(maxsplit=1)[0][:MAX_MARKUP_SHOWN]]  # a comment or declaration: no tag name


class Anchors:
    """Unique heading anchors in document order (``lieferzeiten``, ``lieferzeiten-2``)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def __call__(self, heading: str) -> str:
        base = slugify(heading)
        n = self._seen.get(base, 0) + 1
        self._seen[base] = n
        return base if n == 1 else f"{base}-{n}"


def resolve_article_link(article_id: str, href: str) -> tuple[str, str] | None:
    """(target article id, fragment) for a relative link to an article file, else None."""
    parts = urlsplit(href)
    path = unquote(parts.path)
    if parts.scheme or parts.netloc or not path.endswith(ARTICLE_SUFFIXES):
        return None
    target = posixpath.normpath(posixpath.join(posixpath.dirname(article_id), path))
    for suffix in ARTICLE_SUFFIXES:
        target = target.removesuffix(suffix)
    return unicodedata.normalize("NFC", target), parts.fragment


def _inline_text(token, address: Callable[[str], str | None] | None = None) -> str:
    parts: list[str] = []
    href, start = None, 0
    for child in token.children or []:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "link_open" and address is not None:
            href, start = address(child.attrGet("href") or ""), len(parts)
        elif child.type == "link_close" and href:
            if href.removeprefix("mailto:") not in "".join(parts[start:]):  # "service@x.de" needs no repeat
                parts.append(f" ({href})")
            href = None
    return "".join(parts)


def inline_text(token, address: Callable[[str], str | None] | None = None) -> str:
    """Plain text of a parsed inline token (a heading's text, as the anchor uses it); with
    ``address``, each link's text is followed by the address it gives for the link's target
    (None: the text alone)."""
    return _inline_text(token, address).strip()


def tokens_text(tokens: list) -> str:
    """Readable text of parsed block tokens (a document or a slice of one), for
    indexing and snippets: one line per block, no markup."""
    lines: list[str] = []
    row: list[str] | None = None
    for token in tokens:
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            if any(row):
                lines.append(": ".join(row[:1]) + (": " + ", ".join(c for c in row[1:] if c) if len(row) > 1 else ""))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(_inline_text(token).strip())
        elif token.type == "inline":
            text = _inline_text(token).strip()
            if text:
                lines.append(text)
        elif token.type in ("fence", "code_block"):
            lines.append(token.content.strip())
    return "\n".join(lines)


def render_html(markdown: str, link_resolver: Callable[[str], str | None] | None = None,
                article_id: str = "") -> str:
    """Sanitised HTML with heading ids; links to ``*.md`` files become portal URLs.

    ``link_resolver`` maps an article id to its URL, or None when the target is not
    visible to the reader (then the link is dropped and only its text remains).
    """
    tokens = _md.parse(markdown)
    anchors = Anchors()
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            token.attrSet("id", anchors(_inline_text(tokens[i + 1])))
        if token.type != "inline" or not token.children:
            continue
        for child in token.children:
            if child.type != "link_open":
                continue
            link = resolve_article_link(article_id, str(child.attrs.get("href", "")))
            if link is None:
                continue
            target, fragment = link
            url = link_resolver(target) if link_resolver else None
            if url is None:
                child.attrs.pop("href", None)
            else:
                child.attrSet("href", url + (f"#{fragment}" if fragment else ""))
    html = _md.renderer.render(tokens, _md.options, {})
    html = re.sub(r"<a>(.*?)</a>", r"\1", html, flags=re.S)
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRS,
                     url_schemes={"http", "https", "mailto", "tel"}, link_rel="noopener noreferrer")
