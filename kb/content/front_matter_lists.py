"""A changed front matter list written in the file's own style: its unchanged items keep their lines.

The browser's form writes a list anew (kb/content/article_edit.py), in one style. A list on disk
has its own: indented items or not, quoted or plain, comments between items. Written anew, one
question added in the browser would show every question as changed in version control, and
another save made meanwhile (a second editor, `kb questions accept`) could no longer be merged
line by line with it. So a changed list keeps the lines of every item it still holds, as written,
and the comments between them; an item it gains is written as `kb questions accept` writes one
(kb/content/front_matter_questions.py: the list's indentation, plain or double-quoted), so the
browser and the command leave the same lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import yaml

from kb.content.front_matter_questions import DEFAULT_INDENT, yaml_scalar

_KEY_ONLY = re.compile(r"^[A-Za-z_][\w-]*[ \t]*:[ \t]*(?:#.*)?$")  # a block list's key line
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-(?:[ \t]|$)")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FLOW_SEPARATOR = ", "  # between the items of a one-line [..] list, as the form and the command write them


@dataclass
class _Item:
    notes: list[str] = field(default_factory=list)  # comment and blank lines above the item: they stay
    lines: list[str] = field(default_factory=list)  # the "- " line and its continuation lines


def comparable(value):
    """Values compared as the form reads them: text without the spaces and line ends around it
    (a ``|`` block's last line end)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        return {k: comparable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [comparable(v) for v in value]
    return value


def kept_list_lines(old_lines: list[str], new_lines: list[str]) -> list[str] | None:
    """The lines of a top-level key whose list value changed from ``old_lines`` to ``new_lines``,
    in ``old_lines``' style, or None when either is no list or the old one is written in a way
    this does not follow (the new lines are then used as they are)."""
    old, new = _value(old_lines), _value(new_lines)
    if not isinstance(old, list) or not isinstance(new, list):
        return None
    if len(old_lines) == 1 and not _KEY_ONLY.match(old_lines[0].rstrip("\n")):
        return _flow_list(old_lines[0], old, new)
    return _block_list(old_lines, old, new)


def _value(lines: list[str]):
    """The value of the one key in ``lines``; None when they do not parse."""
    try:
        parsed = yaml.load("".join(lines), Loader=_LOADER)
    except yaml.YAMLError:
        return None
    return next(iter(parsed.values())) if isinstance(parsed, dict) and len(parsed) == 1 else None


def _steps(old: list, new: list) -> list[tuple[str, int]]:
    """How ``new`` follows from ``old``: ("keep", i) an old item still there, ("drop", i) one gone,
    ("add", j) a new item; in the order of the new list, an added item before the notes above
    the old item it is written in front of."""
    matcher = SequenceMatcher(None, [repr(comparable(v)) for v in old], [repr(comparable(v)) for v in new],
                              autojunk=False)
    steps: list[tuple[str, int]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        steps += [("keep" if tag == "equal" else "drop", i) for i in range(i1, i2)]
        steps += [] if tag == "equal" else [("add", j) for j in range(j1, j2)]
    return steps


def _block_list(lines: list[str], old: list, new: list) -> list[str] | None:
    """A ``- `` list: the key's line, the kept items' lines and every note as written, an added
    item at the list's indentation."""
    parsed = _items(lines)
    if parsed is None:
        return None
    items, trailing, indent = parsed
    if [_value(["item:\n", *item.lines]) for item in items] != [[v] for v in old]:
        return None  # an item read otherwise on its own than in the list
    out = [lines[0]]
    for step, n in _steps(old, new):
        if step == "add" and not isinstance(new[n], str):
            return None  # only text is written the way the command writes it
        if step == "add":
            out.append(f"{indent}- {yaml_scalar(new[n])}\n")
        else:  # an item's notes stay where they are, also when the item is gone
            out += items[n].notes + (items[n].lines if step == "keep" else [])
    return out + trailing


def _items(lines: list[str]) -> tuple[list[_Item], list[str], str] | None:
    """The items of a ``- `` list under the key line ``lines[0]``, the notes after the last one,
    and the items' indentation; None for a key line with a value, or lines before the first item."""
    if not _KEY_ONLY.match(lines[0].rstrip("\n")):
        return None
    items: list[_Item] = []
    waiting: list[str] = []
    indent = None
    for line in lines[1:]:
        item = _ITEM.match(line)
        if item and indent in (None, item.group("indent")):
            indent = item.group("indent")
            items.append(_Item(waiting, [line]))
            waiting = []
        elif not line.strip() or line.lstrip().startswith("#"):
            waiting.append(line)
        elif items:
            items[-1].lines.extend(waiting + [line])  # a continuation line, or the item's own nested list
            waiting = []
        else:
            return None
    return items, waiting, DEFAULT_INDENT if indent is None else indent


def _flow_list(line: str, old: list, new: list) -> list[str] | None:
    """A one-line ``[..]`` list: the kept items as written (quotes and all), added ones as the
    command writes them, the text before ``[`` and after ``]`` (a comment) kept."""
    try:
        tokens = list(yaml.scan(line))
    except yaml.YAMLError:
        return None
    starts = [n for n, t in enumerate(tokens) if isinstance(t, yaml.FlowSequenceStartToken)]
    ends = [n for n, t in enumerate(tokens) if isinstance(t, yaml.FlowSequenceEndToken)]
    if len(starts) != 1 or len(ends) != 1:
        return None  # nested lists, or none
    inside = tokens[starts[0] + 1:ends[0]]
    scalars = [t for t in inside if isinstance(t, yaml.ScalarToken)]
    if any(not isinstance(t, (yaml.ScalarToken, yaml.FlowEntryToken)) for t in inside):
        return None  # a mapping inside the list
    raw = [line[t.start_mark.index:t.end_mark.index] for t in scalars]
    if len(raw) != len(old):
        return None
    written = []
    for step, n in _steps(old, new):
        if step == "add" and not isinstance(new[n], str):
            return None
        if step == "add":
            written.append(yaml_scalar(new[n], flow=True))
        elif step == "keep":
            written.append(raw[n])
    head, tail = line[:tokens[starts[0]].end_mark.index], line[tokens[ends[0]].start_mark.index:]
    return [head + FLOW_SEPARATOR.join(written) + tail]
