"""Turning search hits and rendered articles into what pages and the API show."""

from __future__ import annotations

import re
from datetime import date

from flask import url_for
from markupsafe import Markup, escape

from kb.search.engine import MAX_QUERY_CHARS, Hit
from kb.web.i18n import _

_H2 = re.compile(r'<h2 id="([^"]+)">(.*?)</h2>', re.S)
_HEADING = re.compile(r'<h([23]) id="([^"]+)">(.*?)</h\1>', re.S)
_TAG = re.compile(r"<[^>]+>")
MONTHS_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember"]


def article_url(article_id: str, section: str | None = None, search: str | None = None,
                external: bool = False) -> str:
    params = {}
    if search:
        params["s"] = search
    if section:
        params["section"] = section
    return url_for("portal.article", article_id=article_id, _anchor=section or None,
                   _external=external, **params)


def hit_dict(hit: Hit, search: str | None = None) -> dict:
    """The API's view of a hit: what a client needs to show and link it."""
    return {"id": hit.id, "title": hit.title, "url": article_url(hit.id, hit.anchor or None, search),
            "lang": hit.lang, "category": hit.category, "score": hit.score, "section": hit.section,
            "anchor": hit.anchor, "snippet": hit.snippet, "highlights": [list(h) for h in hit.highlights]}


def highlighted(snippet: str, highlights: list[tuple[int, int]]) -> Markup:
    """Snippet as HTML: everything escaped, matched words in <mark>."""
    out, pos = [], 0
    for start, end in highlights:
        if start < pos:
            continue
        out.append(escape(snippet[pos:start]))
        out.append(Markup("<mark>") + escape(snippet[start:end]) + Markup("</mark>"))
        pos = end
    out.append(escape(snippet[pos:]))
    return Markup("").join(out)


def wrap_sections(html: str, highlight: str | None) -> Markup:
    """Each ``##`` section in a <section>, the one the search pointed to marked.

    ``html`` is already sanitised; only our own wrapper elements are added.
    """
    parts = _H2.split(html)
    out = [parts[0]]
    for i in range(1, len(parts), 3):
        anchor, title, body = parts[i], parts[i + 1], parts[i + 2]
        cls = ' class="answer-section"' if anchor == highlight else ""
        label = ' aria-label="' + str(escape(_TAG.sub("", title))) + '"' if anchor == highlight else ""
        out.append(f'<section{cls}{label}><h2 id="{anchor}">{title}</h2>{body}</section>')
    return Markup("".join(out))


def table_of_contents(html: str) -> list[tuple[int, str, str]]:
    """(level, anchor, text) of the h2/h3 headings, for the contents box."""
    return [(int(level), anchor, _TAG.sub("", text)) for level, anchor, text in _HEADING.findall(html)]


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


def input_error_message(exc) -> str:
    """An :class:`kb.web.inputs.InputError` in the reader's language (the API keeps the English one)."""
    text = str(exc)
    if exc.field == "q" and "too long" in text:
        return _("Your question is too long (at most {n} characters). Please shorten it.", n=MAX_QUERY_CHARS)
    if exc.field == "q":
        return _("Please type a question or a few words.")
    if exc.field in ("lang", "category", "limit"):
        return _("This filter is not available. Please choose one from the list.")
    return text


SECTION_SEPARATOR = " › "


def section_label(hit: Hit) -> str:
    """The hit's section path without the article title the result already shows; '' for the whole article."""
    prefix = hit.title + SECTION_SEPARATOR
    return hit.section[len(prefix):] if hit.section.startswith(prefix) else ("" if hit.section == hit.title else hit.section)
