"""A front matter list the form changes keeps the file's own style (kb/content/front_matter_lists.py):
the lines of its unchanged items as written, new items as `kb questions accept` writes them."""
import shutil
from pathlib import Path

import pytest

from kb.content.article_edit import form_from_text, text_from_form
from kb.content.front_matter_lists import kept_list_lines
from kb.content.front_matter_questions import add_question
from kb.content.text_diff import diff_lines

SAMPLE = Path(__file__).resolve().parent.parent / "articles" / "de" / "garantie" / "gewaehrleistung.md"
ADDED = "gilt die garantie auch für lampen"

HAND_WRITTEN = """---
title: Rücksendung
lang: de
tags: ["rücksendung, kostenlos", retoure ,  'ja']  # kept in this order
questions:
# from the phone line
- wie schicke ich etwas zurück
-   "kostet: die rücksendung etwas"
# long ones
- wo finde ich
  das etikett
updated: 2026-11-01
---
Text.
"""


def _changes(before: str, after: str) -> list[tuple[str, str]]:
    return [(d.kind, d.text) for d in diff_lines(before, after) if d.kind in ("add", "del")]


def test_a_question_added_in_the_form_is_the_one_line_the_questions_command_adds(tmp_path):
    on_disk = SAMPLE.read_text(encoding="utf-8")
    form = form_from_text(on_disk)
    form.questions += (ADDED,)
    saved = text_from_form(form, like=on_disk)
    assert _changes(on_disk, saved) == [("add", f"  - {ADDED}")]  # not all eight lines in another style
    by_command = tmp_path / "by-command.md"
    shutil.copyfile(SAMPLE, by_command)
    assert add_question(by_command, ADDED)
    assert by_command.read_text(encoding="utf-8") == saved


def test_a_changed_list_keeps_indentation_quoting_and_notes_of_the_items_it_still_holds():
    form = form_from_text(HAND_WRITTEN)
    assert form.questions == ("wie schicke ich etwas zurück", "kostet: die rücksendung etwas",
                              "wo finde ich das etikett")
    form.questions = ("kostet: die rücksendung etwas", "ja", "wo finde ich das etikett", "no: quotes?")
    saved = text_from_form(form, like=HAND_WRITTEN)
    assert _changes(HAND_WRITTEN, saved) == [
        ("del", "- wie schicke ich etwas zurück"), ("add", "- ja"), ("add", '- "no: quotes?"')]
    assert "# from the phone line\n-   \"kostet: die rücksendung etwas\"\n- ja\n# long ones\n" in saved
    assert form_from_text(saved) == form


def test_a_changed_one_line_list_keeps_its_items_as_written_and_its_comment():
    form = form_from_text(HAND_WRITTEN)
    form.tags = ("rücksendung, kostenlos", "ja", "neu, mit komma")
    saved = text_from_form(form, like=HAND_WRITTEN)
    assert _changes(HAND_WRITTEN, saved) == [
        ("del", """tags: ["rücksendung, kostenlos", retoure ,  'ja']  # kept in this order"""),
        ("add", """tags: ["rücksendung, kostenlos", 'ja', "neu, mit komma"]  # kept in this order""")]
    assert form_from_text(saved) == form


def test_the_form_starts_a_list_the_way_the_questions_command_does(tmp_path):
    on_disk = "---\ntitle: Neu\nlang: de\ncategory: Versand\nupdated: 2026-11-01\n---\nText.\n"
    form = form_from_text(on_disk)
    form.questions = ("ja", "wo: bitte")
    by_command = tmp_path / "new.md"
    by_command.write_text(on_disk, encoding="utf-8")
    assert add_question(by_command, "ja") and add_question(by_command, "wo: bitte")
    written = 'questions:\n  - ja\n  - "wo: bitte"\n'  # the place differs: the form keeps its key order
    assert written in by_command.read_text(encoding="utf-8")
    assert written in text_from_form(form, like=on_disk) and written in text_from_form(form)


@pytest.mark.parametrize("old, new", [
    (["extra: [a, {b: c}]\n"], ["extra:\n", "- a\n"]),           # a mapping inside the one-line list
    (["extra:\n", "- a\n", "- b: c\n"], ["extra:\n", "- a\n", "- 1\n"]),  # a new item that is no text
    (["extra: text\n"], ["extra:\n", "- a\n"]),                  # no list before
])
def test_lists_written_otherwise_get_the_forms_lines(old, new):
    assert kept_list_lines(old, new) is None
