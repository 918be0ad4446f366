"""A saved article keeps the front matter as its editor wrote it, where the form changed nothing.

The browser's form writes the front matter anew (kb/content/article_edit.py,
``text_from_form``): key order, quoting, comments and list styles of a file
written by hand would all change at its first save through the browser, and
the first diff in version control would show every line. :func:`kept_layout`
keeps each top-level key's lines from the file on disk when its value is
unchanged, and takes the new lines only for the keys that changed, were added or
removed; a changed list keeps the lines of the items it still holds
(kb/content/front_matter_lists.py). The result is parsed again: unless it reads
exactly as the new text, the new text is used as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from kb.content.front_matter_lists import comparable as _comparable, kept_list_lines
from kb.content.front_matter_questions import FrontMatterEditError, _front_matter

_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass
class Block:
    key: str | None  # a top-level key; None: comments at the end
    notes: list[str] = field(default_factory=list)  # comment and blank lines above the key: kept
    lines: list[str] = field(default_factory=list)  # the key's line and its value's lines


def kept_layout(on_disk: str | None, new: str, defaults: dict | None = None) -> str:
    """``new`` with the lines of ``on_disk`` for every front matter key whose value is unchanged,
    in ``on_disk``'s line ends. A key ``new`` leaves out stays where ``on_disk`` has it empty or
    at its value in ``defaults`` (``draft: false``, ``audience: public``)."""
    if not on_disk:
        return new
    crlf = "\r\n" in on_disk
    old_lines = on_disk.replace("\r\n", "\n").splitlines(keepends=True)
    new_lines = new.replace("\r\n", "\n").splitlines(keepends=True)
    try:
        (old_first, old_end), (new_first, new_end) = _front_matter(old_lines), _front_matter(new_lines)
    except FrontMatterEditError:
        return new
    merged = _merged(_blocks(old_lines[old_first:old_end]), _blocks(new_lines[new_first:new_end]), defaults or {})
    front = [line for block in merged for line in block.notes + block.lines]
    if _comparable(_parsed(front)) != _comparable(_with_defaults(_parsed(new_lines[new_first:new_end]),
                                                                   _parsed(front), defaults or {})):
        return new
    text = "".join(old_lines[:old_first] + front + new_lines[new_end:])
    return text.replace("\n", "\r\n") if crlf else text


def _blocks(lines: list[str]) -> list[Block]:
    """The front matter's top-level keys with their lines; comment and blank lines are the notes
    of the key after them."""
    blocks: list[Block] = []
    waiting: list[str] = []  # comments and blank lines before the next key
    for line in lines:
        key = _TOP_KEY.match(line)
        if key:
            blocks.append(Block(key.group(1), waiting, [line]))
            waiting = []
        elif line.strip() == "" or line.lstrip().startswith("#") or not blocks:
            waiting.append(line)
        else:
            blocks[-1].lines.extend(waiting + [line])  # the key's value: indented lines, "- " items
            waiting = []
    if waiting:
        blocks.append(Block(None, waiting))
    return blocks


def _merged(old: list[Block], new: list[Block], defaults: dict) -> list[Block]:
    """The old blocks whose values are unchanged, the new lines under the old notes of changed
    ones (a list in its old style), keys the new text leaves out gone (or kept where empty or at
    their default), added keys after the key they follow in the new text."""
    new_by_key = {block.key: block for block in new if block.key is not None}
    merged: list[Block] = []
    for block in old:
        replacement = new_by_key.get(block.key)
        if block.key is None or (replacement is None and _means_nothing(block, defaults)):
            merged.append(block)
        elif replacement is None:
            merged.append(Block(None, block.notes))  # an editor's note outlives its key
        elif _comparable(_parsed(block.lines)) == _comparable(_parsed(replacement.lines)):
            merged.append(block)
        else:
            merged.append(Block(block.key, block.notes,
                                kept_list_lines(block.lines, replacement.lines) or replacement.lines))
    present = {block.key for block in merged}
    for i, block in enumerate(new):
        if block.key is None or block.key in present:
            continue
        before = [b.key for b in new[:i] if b.key in present]
        at = max((n for n, b in enumerate(merged) if b.key == before[-1]), default=-1) + 1 if before else 0
        merged.insert(at, block)
        present.add(block.key)
    return merged


def _means_nothing(block: Block, defaults: dict) -> bool:
    parsed = _parsed(block.lines)
    if not isinstance(parsed, dict) or block.key not in parsed:
        return False
    return _says_nothing(block.key, parsed[block.key], defaults)


def _says_nothing(key: str, value, defaults: dict) -> bool:
    """Whether ``key: value`` says what leaving the key out says."""
    return value is None or value is False or (isinstance(value, (str, list, dict)) and not value) or \
        (key in defaults and value == defaults[key])


def _with_defaults(new: dict | None, kept: dict | None, defaults: dict) -> dict:
    """The new front matter with the keys kept because they say what leaving them out says."""
    out = dict(new) if isinstance(new, dict) else {}
    if not isinstance(kept, dict):  # lines that do not parse: the check fails, the new text is used
        return out
    for key, value in kept.items():
        if key not in out and _says_nothing(key, value, defaults):
            out[key] = value
    return out


def _parsed(lines: list[str]):
    try:
        return yaml.load("".join(lines), Loader=_LOADER)
    except yaml.YAMLError:
        return object()  # equal to nothing: the lines are replaced
