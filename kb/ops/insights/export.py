"""CSV downloads of any insights result list, guarded against spreadsheet formulas."""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import unicodedata
from datetime import datetime, timezone, tzinfo
from typing import Any, Sequence


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UTC_MINUTE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\dZ$")  # how the database keeps times
LOCAL_MINUTE = "%Y-%m-%d %H:%M"  # every spreadsheet locale reads this as a date and time


@dataclasses.dataclass(frozen=True)
class Spreadsheet:
    """What the reader's spreadsheet program expects. German Excel splits lines at ";" and
    reads "0,25" as a number; with "," and "0.25" it shows one column of text."""
    delimiter: str = ","
    decimal: str = "."
    zone: tzinfo | None = None  #: times in this zone as ``LOCAL_MINUTE``; None keeps the UTC ISO form


PLAIN = Spreadsheet()


def spreadsheet_for(lang: str, zone: tzinfo | None) -> Spreadsheet:
    """The CSV a spreadsheet of the reader's language opens as a table."""
    return Spreadsheet(";", ",", zone) if lang == "de" else Spreadsheet(",", ".", zone)


FLOAT_DIGITS = 4


def _cell(value: object, sheet: Spreadsheet = PLAIN) -> object:
    """One CSV cell: numbers as numbers, sequences joined, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, float):  # shares and rates: a reader's precision, not a float's
        value = round(value, FLOAT_DIGITS)
    if isinstance(value, float) and sheet.decimal != ".":
        return repr(value).replace(".", sheet.decimal)
    if isinstance(value, (int, float)):
        return value
    if sheet.zone is not None and isinstance(value, str) and _UTC_MINUTE.match(value):
        at = datetime.strptime(value, "%Y-%m-%dT%H:%MZ").replace(tzinfo=timezone.utc)
        return at.astimezone(sheet.zone).strftime(LOCAL_MINUTE)
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        value = " | ".join("" if v is None else str(v) for v in items)
    text = str(value)
    # look-alikes count too: spreadsheets read a full-width "＝" or "＋" (NFKC) and "−" as the operator
    if unicodedata.normalize("NFKC", text[:1]).replace("\u2212", "-").startswith(_FORMULA_START):
        text = "'" + text
    return text


def to_csv(rows: Sequence[Any], row_type: type | None = None, sheet: Spreadsheet = PLAIN,
           header: Sequence[str] | None = None) -> str:
    """CSV (RFC 4180, ``\\r\\n`` line ends) of any result list of this module.

    The header is the dataclass's field names; list fields are joined with
    " | ". Why the guard: editors open these files in spreadsheet programs,
    and customer-typed text (queries, comments) starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return would be run as a formula (CSV
    injection); such cells get a leading apostrophe. Numbers are written as
    numbers and never prefixed, so negative values stay numeric. An empty
    list gives an empty string, or just the header when ``row_type`` (the
    dataclass) is given. ``sheet`` sets the delimiter, the decimal mark and the time zone
    of times (the default: RFC 4180's "," with "0.25" and UTC, for programs); ``header``
    names the columns for people (one name per field), else the field names head them.
    """
    if rows:
        row_type = type(rows[0])
    if row_type is None:
        return ""
    if not dataclasses.is_dataclass(row_type):
        raise TypeError(f"to_csv needs dataclass rows, not {row_type.__name__}")
    names = [f.name for f in dataclasses.fields(row_type)]
    if header is not None and len(header) != len(names):
        raise ValueError(f"{len(header)} column names for {len(names)} fields of {row_type.__name__}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sheet.delimiter, lineterminator="\r\n")
    writer.writerow([_cell(h, sheet) for h in header] if header is not None else names)
    for row in rows:
        if not isinstance(row, row_type):
            raise TypeError(f"mixed row types: {type(row).__name__} among {row_type.__name__}")
        writer.writerow([_cell(getattr(row, name), sheet) for name in names])
    return buffer.getvalue()


def to_csv_note(text: str, sheet: Spreadsheet = PLAIN) -> str:
    """A line under a table (:func:`to_csv`) that says something about all of it, after an
    empty line so that a spreadsheet shows it apart from the rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=sheet.delimiter, lineterminator="\r\n")
    writer.writerows([[], [_cell(text, sheet)]])
    return buffer.getvalue()
