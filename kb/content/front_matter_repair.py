"""What can be read of a front matter block that does not parse, for an editor to repair.

A file whose front matter is not closed, or is not valid YAML, is no article (`kb check`
says why). Opened in the browser, its YAML lines belong in the form's fields, not in the
text customers read: each top-level key is read on its own (with its list items and
continuation lines), so one bad line costs only its own key; the lines no key can be read
from are returned for the page to show. Without a closing '---', the block ends at the
first line that is no lower-case YAML key, list item or continuation line (a blank line included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

_DELIMITER = re.compile(r"^---\s*$")
_KEY = re.compile(r"^[A-Za-z_][\w-]*\s*:")  # "title: …", a top-level key
# without a closing '---', a key is written in lower case as every known one: "Hinweis: …" is text
_OPEN_KEY = re.compile(r"^[a-z_][a-z0-9_-]*\s*:")
_INSIDE = re.compile(r"^(\s+\S|-\s|-$)")   # an indented line or a list item: part of the key above
_PLAIN_KEY = re.compile(r"^(?P<key>[a-z_][a-z0-9_-]*)\s*:\s*(?P<value>\S.*)$")
NOT_AS_TEXT = ("updated", "draft")  # a date and a switch: kept out rather than read as text


@dataclass(frozen=True)
class Repaired:
    """The keys that could be read, the text below the block, and the lines that could not."""

    meta: dict
    body: str
    unreadable: tuple[str, ...]


def readable_part(text: str) -> Repaired | None:
    """The front matter of ``text`` read key by key, or None when ``text`` opens no front
    matter block ('---' on its first line) or the block reads as a whole (nothing to repair)."""
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    if not lines or not _DELIMITER.match(lines[0]):
        return None
    header, rest = _block(lines[1:])
    if rest is not None and _reads_whole(header):
        return None
    meta: dict = {}
    unreadable: list[str] = []
    for group in _by_key(header):
        value = _read(group)
        if value is None:
            unreadable.extend(line for line in group if line.strip())
        else:
            meta.update(value)
    body = "\n".join(rest if rest is not None else lines[1 + len(header):]).lstrip("\n")
    return Repaired(meta, body, tuple(unreadable))


def _block(lines: list[str]) -> tuple[list[str], list[str] | None]:
    """(the block's lines, the lines after its closing '---'), or (the YAML-looking lines at
    the top, None) when no closing line follows them: a '---' further down, after text, is
    the body's horizontal rule, not the block's end."""
    end, listing = 0, False  # listing: the key above has no value of its own, so items may follow
    while end < len(lines) and not _DELIMITER.match(lines[end]):
        if _OPEN_KEY.match(lines[end]):
            listing = lines[end].rstrip().endswith(":")
        elif not (listing and _INSIDE.match(lines[end])):  # "lang: de" then "- Schritt eins": text
            break
        end += 1
    if end < len(lines) and _DELIMITER.match(lines[end]):
        return lines[:end], lines[end + 1:]
    return lines[:end], None


def _reads_whole(header: list[str]) -> bool:
    try:
        meta = yaml.safe_load("\n".join(header))
    except (yaml.YAMLError, ValueError):
        return False
    return meta is None or isinstance(meta, dict)


def _by_key(header: list[str]) -> list[list[str]]:
    """The block's lines grouped by top-level key (a stray line first is a group of its own)."""
    groups: list[list[str]] = []
    for line in header:
        if _KEY.match(line) or not groups:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _read(group: list[str]) -> dict | None:
    try:
        value = yaml.safe_load("\n".join(group))
    except (yaml.YAMLError, ValueError):  # ValueError: a date that does not exist
        return _as_text(group)
    return value if isinstance(value, dict) else None


def _as_text(group: list[str]) -> dict | None:
    """A one-line key whose value YAML cannot read as written ("title: Rücksendung: so geht's")
    with its value as text; None for a list or mapping begun and not ended ("tags: [a"), a
    date or a switch, whose meaning text would change."""
    found = _PLAIN_KEY.match(group[0]) if len(group) == 1 else None
    if found is None or found["key"] in NOT_AS_TEXT or found["value"].startswith(("[", "{")):
        return None
    return {found["key"]: found["value"].strip()}
