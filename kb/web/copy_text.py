"""The text an agent copies into a reply: a whole section as clean plain text, in the article's language.

Snippets are cut for the result list ("… (siehe Tabelle). …"); a reply needs
the complete section, with one list item per line (numbered lists keep their
numbers), table rows as lines, the addresses of the links in the text ("im
Retourenportal (https://…)"), and the link line in the article's own language. Internal
articles get no customer link: it would be a 404 for them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb.content.markdown import Anchors, inline_text, parse_blocks, tokens_text

MORE = {"de": "Mehr dazu:", "en": "More:"}
HEADING_MARKS = ("?", "!", ":", ".", "…")


def lead_in(heading: str) -> str:
    """A heading as the start of what follows it: a colon, unless it ends in a mark already
    ("Wie lange dauert es?", not "Wie lange dauert es?:")."""
    return heading if heading.endswith(HEADING_MARKS) else heading + ":"


@dataclass(frozen=True)
class CopyText:
    text: str
    internal: bool      #: the agent is warned: not for customers as it stands
    relative: bool = False  #: its links have no host (no public address configured)


def section_tokens(body: str, anchor: str | None) -> list:
    """Block tokens of the section whose heading has ``anchor`` (up to the next heading of its level or
    higher); the whole article when the anchor is empty or not found."""
    tokens = parse_blocks(body)
    if not anchor:
        return tokens
    anchors = Anchors()
    start = level = None
    for i, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        this_level = int(token.tag[1])
        if start is not None and this_level <= level:
            return tokens[start:i]
        if anchors(inline_text(tokens[i + 1])) == anchor and start is None:
            start, level = i + 3, this_level   # after heading_open, inline, heading_close
    return tokens[start:] if start is not None else tokens


def blocks_text(tokens: list, address: Callable[[str], str | None] | None = None) -> str:
    """Plain text, one line per paragraph and per list item ("- " / "1. "), blank lines between
    blocks; links followed by their address where ``address`` gives one (see markdown.inline_text)."""
    lines: list[str] = []
    lists: list[list] = []    # stack of [ordered, next number]
    marker = None             # the list marker waiting for the item's first line
    skip_to = -1
    for i, token in enumerate(tokens):
        if i <= skip_to:
            continue
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append([token.type == "ordered_list_open", int(token.attrGet("start") or 1)])
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
            if not lists:
                lines.append("")
        elif token.type == "list_item_open":
            ordered = lists[-1]
            marker = f"{ordered[1]}. " if ordered[0] else "- "
            ordered[1] += 1
        elif token.type == "table_open":
            skip_to = next(j for j in range(i, len(tokens)) if tokens[j].type == "table_close")
            lines += tokens_text(tokens[i:skip_to + 1]).splitlines() + [""]
        elif token.type == "heading_open":
            lines += [lead_in(inline_text(tokens[i + 1]))]
            skip_to = i + 1
        elif token.type == "inline":
            indent = "  " * max(0, len(lists) - 1)
            lines.append(indent + (marker or ("  " if lists else "")) + inline_text(token, address))
            marker = None
            if not lists:
                lines.append("")
        elif token.type in ("fence", "code_block"):
            lines += [token.content.rstrip(), ""]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def copy_text(article: dict, anchor: str | None, heading: str | None, url: str | None,
              address: Callable[[str], str | None] | None = None) -> CopyText:
    """The reply text of the hit's section; ``url`` is left out for internal articles;
    ``address`` gives the links' addresses (see markdown.inline_text)."""
    internal = article["audience"] != "public"
    body = blocks_text(section_tokens(article["body"], anchor), address)
    parts = [f"{lead_in(heading)}\n{body}" if heading else body]
    if url and not internal:
        parts.append(f"{MORE.get(article['lang'], MORE['en'])} {url}")
    return CopyText("\n\n".join(parts), internal, relative=bool(url) and url.startswith("/"))
