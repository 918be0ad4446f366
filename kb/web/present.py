"""Turning search hits and rendered articles into what pages and the API show."""

from __future__ import annotations

import html as html_entities
import re
from datetime import date
from urllib.parse import quote

from flask import current_app, url_for
from markupsafe import Markup, escape

from kb.search.results import Hit
from kb.search.snippets import mark
from kb.search.engine import MAX_QUERY_CHARS
from kb.web.i18n import _

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]


def public_url(path: str) -> str:
    """``path`` on the configured public address (KB_BASE_URL); relative when none is set.

    Never from the request's Host header: a client could make the portal hand
    out links to any host.
    """
    base = current_app.config.get("KB_BASE_URL")
    return base + path if base else path


def article_url(article_id: str, section: str | None = None, search: str | None = None,
                external: bool = False) -> str:
    params = {}
    if search:
        params["s"] = search
    if section:
        params["section"] = section
    path = url_for("portal.article", article_id=article_id, _anchor=section or None, **params)
    return public_url(path) if external else path


def mailto(email: str) -> str:
    """A mailto: link that can only ever address this one person (no ?cc=, no &subject=)."""
    return "mailto:" + quote(email, safe="@")


def hit_dict(hit: Hit, search: str | None = None) -> dict:
    """The API's view of a hit: what a client needs to show and link it."""
    return hit.to_dict(url=article_url(hit.id, hit.anchor or None, search), audience=False)


def highlighted(snippet: str, highlights: list[tuple[int, int]]) -> Markup:
    """Snippet as HTML: everything escaped, matched words in <mark>."""
    return Markup(mark(snippet, highlights, "<mark>", "</mark>", escape=lambda text: str(escape(text))))


def wrap_sections(html: str, highlight: str | None) -> Markup:
    """Each ``##`` section in a <section>, the one the search pointed to marked.

    ``html`` is already sanitised; only our own wrapper elements are added.
    """
    parts = _H2.split(html)
    out = [parts[0]]
    for i in range(1, len(parts), 3):
        anchor, title, body = parts[i], parts[i + 1], parts[i + 2]
        cls = ' class="answer-section"' if anchor == highlight else ""
        label = ' aria-label="' + str(escape(heading_text(title))) + '"' if anchor == highlight else ""
        out.append(f'<section{cls}{label}><h2 id="{anchor}">{title}</h2>{body}</section>')
    return Markup("".join(out))


def heading_text(inner_html: str) -> str:
    """The plain text of a rendered heading: tags dropped and entities decoded, so
    that the template's escaping is the only one ('A &lt; B' becomes 'A < B')."""
    return html_entities.unescape(_TAG.sub("", inner_html))


def table_of_contents(html: str) -> list[tuple[int, str, str]]:
    """(level, anchor, text) of the h2/h3 headings, for the contents box; the text is
    plain (not HTML), for the template to escape."""
    return [(int(level), anchor, heading_text(text)) for level, anchor, text in _HEADING.findall(html)]


def format_date(value: str | None, lang: str) -> str:
    if not value:
        return ""
    try:
        d = date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    if lang == "de":
        return f"{d.day}. {MONTHS_DE[d.month - 1]} {d.year}"
    return d.strftime("%-d %B %Y")


def format_count(n: int, lang: str) -> str:
    """A whole number with the reader's thousands separator: 200.001 in German, 200,001 in English."""
    text = f"{n:,}"
    return text.replace(",", ".") if lang == "de" else text


def input_error_message(exc) -> str:
    """An :class:`kb.web.inputs.InputError` in the reader's language (the API keeps the English one)."""
    text = str(exc)
    if exc.field == "q" and "too long" in text:
        return _("Your question is too long (at most {n} characters). Please shorten it.", n=MAX_QUERY_CHARS)
    if exc.field == "q":
        return _("Please type a question or a few words.")
    if exc.field in ("lang", "category", "limit", "audience"):
        return _("This filter is not available. Please choose one from the list.")
    return text


SECTION_SEPARATOR = " › "


def section_label(hit: Hit) -> str:
    """The hit's section path without the article title the result already shows; '' for the whole article."""
    prefix = hit.title + SECTION_SEPARATOR
    return hit.section[len(prefix):] if hit.section.startswith(prefix) else ("" if hit.section == hit.title else hit.section)
