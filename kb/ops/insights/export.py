"""CSV downloads of any insights result list, guarded against spreadsheet formulas."""

from __future__ import annotations

import csv
import dataclasses
import io
import unicodedata
from typing import Any, Sequence


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """One CSV cell: numbers as numbers, sequences joined, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        value = " | ".join("" if v is None else str(v) for v in items)
    text = str(value)
    # look-alikes count too: spreadsheets read a full-width "＝" or "＋" (NFKC) and "−" as the operator
    if unicodedata.normalize("NFKC", text[:1]).replace("\u2212", "-").startswith(_FORMULA_START):
        text = "'" + text
    return text


def to_csv(rows: Sequence[Any], row_type: type | None = None) -> str:
    """CSV (RFC 4180, ``\\r\\n`` line ends) of any result list of this module.

    The header is the dataclass's field names; list fields are joined with
    " | ". Why the guard: editors open these files in spreadsheet programs,
    and customer-typed text (queries, comments) starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return would be run as a formula (CSV
    injection); such cells get a leading apostrophe. Numbers are written as
    numbers and never prefixed, so negative values stay numeric. An empty
    list gives an empty string, or just the header when ``row_type`` (the
    dataclass) is given.
    """
    if rows:
        row_type = type(rows[0])
    if row_type is None:
        return ""
    if not dataclasses.is_dataclass(row_type):
        raise TypeError(f"to_csv needs dataclass rows, not {row_type.__name__}")
    names = [f.name for f in dataclasses.fields(row_type)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        if not isinstance(row, row_type):
            raise TypeError(f"mixed row types: {type(row).__name__} among {row_type.__name__}")
        writer.writerow([_cell(getattr(row, name)) for name in names])
    return buffer.getvalue()
