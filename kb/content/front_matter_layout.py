"""A saved article keeps the front matter as its editor wrote it, where the form changed nothing.

The browser's form writes the front matter anew (kb/content/article_edit.py,
``text_from_form``): key order, quoting, comments and list styles of a file
written by hand would all change at its first save through the browser, and
the first diff in version control would show every line. :func:`kept_layout`
keeps each top-level key's lines from the file on disk when its value is
unchanged, and takes the new lines only for the keys that changed, were added or
removed. The result is parsed again: unless it reads exactly as the new text,
the new text is used as it is.
"""

from __future__ import annotations

import re

import yaml

from kb.content.front_matter_questions import FrontMatterEditError, _front_matter

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Block = tuple[str | None, list[str]]  # a top-level key (None: comments at the end) and its lines


def kept_layout(on_disk: str | None, new: str) -> str:
    """``new`` with the lines of ``on_disk`` for every front matter key whose value is unchanged."""
    if not on_disk or "\r" in on_disk:
        return new
    try:
        old_lines, new_lines = on_disk.splitlines(keepends=True), new.splitlines(keepends=True)
        (old_first, old_end), (new_first, new_end) = _front_matter(old_lines), _front_matter(new_lines)
    except FrontMatterEditError:
        return new
    old_blocks, new_blocks = _blocks(old_lines[old_first:old_end]), _blocks(new_lines[new_first:new_end])
    merged = _merged(old_blocks, new_blocks)
    front = [line for _key, lines in merged for line in lines]
    if _parsed(front) != _parsed(new_lines[new_first:new_end]):
        return new
    return "".join(old_lines[:old_first] + front + new_lines[new_end:])


def _blocks(lines: list[str]) -> list[Block]:
    """The front matter's top-level keys with their lines; comment and blank lines go with the key after them."""
    blocks: list[Block] = []
    waiting: list[str] = []  # comments and blank lines before the next key
    for line in lines:
        key = _TOP_KEY.match(line)
        if key:
            blocks.append((key.group(1), waiting + [line]))
            waiting = []
        elif line.strip() == "" or line.lstrip().startswith("#") or not blocks:
            waiting.append(line)
        else:
            blocks[-1][1].extend(waiting + [line])  # the key's value: indented lines, "- " items
            waiting = []
    if waiting:
        blocks.append((None, waiting))
    return blocks


def _merged(old: list[Block], new: list[Block]) -> list[Block]:
    """The old blocks whose values are unchanged, the new ones in place of changed ones, removed
    keys left out, added keys after the key they follow in the new text."""
    new_by_key = {key: lines for key, lines in new if key is not None}
    merged: list[Block] = []
    for key, lines in old:
        if key is None:
            merged.append((key, lines))
        elif key in new_by_key:
            merged.append((key, lines if _parsed(lines) == _parsed(new_by_key[key]) else new_by_key[key]))
    present = {key for key, _lines in merged}
    for i, (key, lines) in enumerate(new):
        if key is None or key in present:
            continue
        before = [k for k, _l in new[:i] if k in present]
        at = max((n for n, (k, _l) in enumerate(merged) if k == before[-1]), default=-1) + 1 if before else 0
        merged.insert(at, (key, lines))
        present.add(key)
    return merged


def _parsed(lines: list[str]):
    try:
        return yaml.load("".join(lines), Loader=_LOADER)
    except yaml.YAMLError:
        return object()  # equal to nothing: the lines are replaced
