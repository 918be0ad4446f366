"""Line diffs of two article texts (history, conflicts) and a clean three-way merge of two edits."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from merge3 import Merge3

CONTEXT_LINES = 3


@dataclass(frozen=True)
class DiffLine:
    kind: str   # "add" | "del" | "same" | "gap"
    text: str
    old: int | None = None  # line number in the older text
    new: int | None = None  # line number in the newer text


def diff_lines(old: str, new: str, context: int = CONTEXT_LINES) -> list[DiffLine]:
    """Changed lines with ``context`` unchanged lines around them; "gap" marks skipped lines.

    Empty when the texts are equal.
    """
    a, b = old.splitlines(), new.splitlines()
    out: list[DiffLine] = []
    for group in difflib.SequenceMatcher(None, a, b, autojunk=False).get_grouped_opcodes(context):
        if out:
            out.append(DiffLine("gap", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out += [DiffLine("same", a[i], i + 1, j1 + k + 1) for k, i in enumerate(range(i1, i2))]
                continue
            out += [DiffLine("del", a[i], i + 1, None) for i in range(i1, i2)]
            out += [DiffLine("add", b[j], None, j + 1) for j in range(j1, j2)]
    return out


def merge_clean(base: str, theirs: str, mine: str) -> str | None:
    """Three-way merge of two edits of ``base``; None when they change the same or adjacent lines.

    Used to propose a merged text after a conflict, for the editor to check
    before saving; overlapping changes are left to the editor (with the diffs).
    """
    merge = Merge3(base.splitlines(True), theirs.splitlines(True), mine.splitlines(True))
    if any(group[0] == "conflict" for group in merge.merge_groups()):
        return None
    return "".join(merge.merge_lines())
