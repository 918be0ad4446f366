"""The CSV formula guard also catches characters spreadsheets read as = + - @ (full-width, small, minus sign)."""
import csv
import io

import pytest

from kb.ops.insights import TopSearch, to_csv


@pytest.mark.parametrize("prefix", ["\uff1d", "\ufe66", "\uff0b", "\ufe62", "\uff0d", "\ufe63", "\u2212",
                                    "\uff20", "\ufe6b"])
def test_look_alike_formula_starts_are_guarded(prefix):
    text = to_csv([TopSearch(prefix + "HYPERLINK(\"http://evil.example\")", 2, 0.5, "2026-03-01T10:00Z")])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1][0] == "'" + prefix + "HYPERLINK(\"http://evil.example\")"


@pytest.mark.parametrize("text", ["Ｐaket", "１２ Tage", "wo ist mein Paket", "Größe 42"])
def test_other_text_is_left_alone(text):
    rows = list(csv.reader(io.StringIO(to_csv([TopSearch(text, 1, 1.0, "x")]))))
    assert rows[1][0] == text
