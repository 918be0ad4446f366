"""Adding a customer phrasing to an article file's front matter `questions:` list.

Only the lines of that list change: every other byte of the file (comments,
key order, quoting, line endings, the body) stays as the editor wrote it, so a
learned question is a one-line diff in version control. The new front matter
is parsed again before the file is replaced (atomically), and the edit is
refused unless it reads exactly as the old one plus the new question.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from kb.content.files import write_atomically
from kb.content.phrasing import fold

_FENCE = re.compile(r"^---[ \t]*$")
_CLOSE = re.compile(r"^(?:---|\.\.\.)[ \t]*$")
_KEY = re.compile(r"^questions[ \t]*:(?P<rest>.*)$")
_ITEM = re.compile(r"^(?P<indent>[ \t]*)-(?:[ \t]|$)")
_FLOW = re.compile(r"^(?P<head>[ \t]*\[)(?P<items>.*?)(?P<tail>\][ \t]*(?:#.*)?)$")
DEFAULT_INDENT = "  "
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FrontMatterEditError(ValueError):
    """The file cannot be edited safely; the message says why (the file is unchanged)."""


def yaml_scalar(text: str, flow: bool = False) -> str:
    """``text`` as a YAML scalar: plain when it reads back unchanged, else double-quoted."""
    plain_ok = not flow or not re.search(r"[,\[\]{}]", text)
    if plain_ok and text == text.strip() and "#" not in text and ": " not in text:
        try:
            if yaml.load(f"- {text}", Loader=_LOADER) == [text]:
                return text
        except yaml.YAMLError:
            pass
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


def _front_matter(lines: list[str]) -> tuple[int, int]:
    """(first, end): front matter lines are lines[first:end]; lines[end] is the closing fence."""
    if not lines or not _FENCE.match(lines[0].removeprefix("\ufeff").rstrip("\r\n")):
        raise FrontMatterEditError("the file does not start with front matter ('---')")
    for n in range(1, len(lines)):
        if _CLOSE.match(lines[n].rstrip("\r\n")):
            return 1, n
    raise FrontMatterEditError("the front matter is not closed by a '---' line")


def _meta(lines: list[str]) -> dict:
    try:
        meta = yaml.load("".join(lines), Loader=_LOADER) or {}
    except yaml.YAMLError as exc:
        raise FrontMatterEditError(f"the front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise FrontMatterEditError("the front matter is not a mapping of keys to values")
    return meta


def _block_end(fm: list[str], key_at: int) -> tuple[int, str]:
    """Where a block list under ``questions:`` ends (index after its last line) and its items' indent."""
    end, indent = key_at + 1, None
    for n in range(key_at + 1, len(fm)):
        line = fm[n].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        item = _ITEM.match(line)
        if item and indent is None:
            indent = item.group("indent")
        elif not line[:1].isspace() and not (item and item.group("indent") == indent):
            break  # the next top-level key
        end = n + 1
    return end, DEFAULT_INDENT if indent is None else indent


def _with_question(fm: list[str], question: str, newline: str) -> list[str]:
    key_at = next((n for n, line in enumerate(fm) if _KEY.match(line.rstrip("\r\n"))), None)
    if key_at is None:
        return fm + [f"questions:{newline}", f"{DEFAULT_INDENT}- {yaml_scalar(question)}{newline}"]
    rest = _KEY.match(fm[key_at].rstrip("\r\n")).group("rest")
    value = rest.split(" #", 1)[0].strip()
    if value in ("", "~", "null"):
        end, indent = _block_end(fm, key_at)
        line = f"{indent}- {yaml_scalar(question)}{newline}"
        if value:  # 'questions: ~' becomes a block list
            fm = fm[:key_at] + [f"questions:{newline}"] + fm[key_at + 1:]
        return fm[:end] + [line] + fm[end:]
    flow = _FLOW.match(rest)
    if flow is None:
        raise FrontMatterEditError("'questions' is neither a '- ' list nor a one-line [..] list")
    items = flow.group("items").rstrip()
    added = yaml_scalar(question, flow=True)
    items = f"{items}, {added}" if items.strip() else added
    line = f"questions:{flow.group('head')}{items}{flow.group('tail')}{newline}"
    return fm[:key_at] + [line] + fm[key_at + 1:]


def add_question(path: Path, question: str) -> bool:
    """Append ``question`` to the file's `questions`; False when an equal one (folded) is there."""
    question = " ".join(question.split())
    if not question:
        raise FrontMatterEditError("the question is empty")
    path = Path(path)
    with open(path, encoding="utf-8", newline="") as fh:
        text = fh.read()
    lines = text.splitlines(keepends=True)
    first, end = _front_matter(lines)
    fm = lines[first:end]
    before = _meta(fm)
    old = before.get("questions") or []
    if not isinstance(old, list):
        raise FrontMatterEditError("'questions' must be a list")
    if any(fold(str(q)) == fold(question) for q in old):
        return False
    newline = "\r\n" if lines[0].endswith("\r\n") else "\n"
    new_fm = _with_question(fm, question, newline)
    after = _meta(new_fm)
    expected = dict(before, questions=[*old, question])
    if after != expected:
        raise FrontMatterEditError("adding the question would change other front matter; edit the file by hand")
    write_atomically(path, "".join(lines[:first] + new_fm + lines[end:]))
    return True
