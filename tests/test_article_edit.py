"""Front matter <-> form (kb/content/article_edit.py), ids and paths, and the line diff."""
import os
from pathlib import Path

import pytest

from kb.content.article_edit import (EditError, article_file, form_from_text, incoming_links, tags_field,
                                     tags_from_field, text_from_form, validate_id)
from kb.content.articles import find_article_files, parse_article
from kb.content.text_diff import diff_lines

ROOT = Path(__file__).resolve().parent.parent / "articles"


@pytest.mark.parametrize("path", find_article_files(ROOT), ids=lambda p: p.stem)
def test_every_sample_article_survives_the_form_unchanged_in_meaning(path, tmp_path):
    before, _ = parse_article(path, ROOT)
    rel = path.relative_to(ROOT)
    copy = tmp_path / rel
    copy.parent.mkdir(parents=True)
    copy.write_text(text_from_form(form_from_text(path.read_text(encoding="utf-8"))), encoding="utf-8")
    after, problems = parse_article(copy, tmp_path)
    assert [p for p in problems if p.severity == "error"] == []
    fields = ("id", "title", "lang", "category", "tags", "summary", "audience", "questions", "translation",
              "updated", "draft")
    assert {f: getattr(after, f) for f in fields} == {f: getattr(before, f) for f in fields}
    assert after.body.strip() == before.body.strip()


@pytest.mark.parametrize("ident", ["de/versand/paket", "cancel_order", "a1/b-2/c_3"])
def test_valid_ids(ident):
    assert validate_id(ident) == ident


@pytest.mark.parametrize("ident", ["", "../x", "de/../x", "/abs", "de//x", "de/x/", "Groß", "de/ä", "a b",
                                   "de\\x", ".git/config", "de/x.md", "-x", "a/b/c/d/e", "x" * 81, "de/\x00",
                                   "de\n/x", "de/x\n/y"])  # "$" alone would let a final newline through
def test_invalid_ids(ident):
    with pytest.raises(EditError):
        validate_id(ident)


def test_paths_through_symlinks_out_of_the_folder_are_refused(tmp_path):
    root = tmp_path / "articles"
    (root / "de").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    os.symlink(tmp_path / "elsewhere", root / "out")
    os.symlink(tmp_path / "elsewhere" / "x.md", root / "de" / "dangling.md")
    with pytest.raises(EditError, match="outside"):
        article_file(root, "out/x")
    with pytest.raises(EditError, match="outside"):
        article_file(root, "de/dangling")
    assert article_file(root, "de/new") == root / "de" / "new.md"


def test_incoming_links_name_the_linking_article_and_line():
    fixtures = Path(__file__).parent / "fixtures" / "articles"
    assert incoming_links(fixtures, "de/ruecksendung") == [("de/lieferzeit", 14)]
    assert incoming_links(fixtures, "en/returns") == []


def test_diff_marks_added_and_removed_lines_with_context():
    old = "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n"
    new = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\nk\n"
    kinds = [(d.kind, d.text) for d in diff_lines(old, new, context=1)]
    assert kinds == [("same", "d"), ("del", "e"), ("add", "E"), ("same", "f"), ("gap", "…"),
                     ("same", "j"), ("add", "k")]
    assert diff_lines(old, old) == []


def test_clean_merge_of_two_edits_and_none_when_they_overlap():
    from kb.content.text_diff import merge_clean
    base = "title\n\nfirst\nsecond\nthird\nfourth\n"
    theirs = base.replace("first", "FIRST")
    assert merge_clean(base, theirs, base.replace("fourth", "FOURTH")) == "title\n\nFIRST\nsecond\nthird\nFOURTH\n"
    assert merge_clean(base, theirs, base.replace("first", "Erste")) is None


HAND_WRITTEN = """---
# Written by hand: the comment stays
title: "Wie lange dauert die Lieferung?"
lang: de
category: Versand
tags:
  - lieferzeit
  - dauer
questions: ["wann kommt mein paket", "wie lange dauert der versand"]
owner: logistics team   # who answers for it
updated: 2026-11-01
---
Zwei bis drei Werktage.
"""


def test_a_save_keeps_the_lines_of_every_key_the_form_left_unchanged():
    import datetime as dt
    form = form_from_text(HAND_WRITTEN)
    form.updated = dt.date(2026, 12, 7)
    saved = text_from_form(form, like=HAND_WRITTEN)
    assert [(d.kind, d.text) for d in diff_lines(HAND_WRITTEN, saved) if d.kind in ("add", "del")] == [
        ("del", "updated: 2026-11-01"), ("add", "updated: 2026-12-07")]
    form.summary, form.tags = "Meist zwei Tage.", ("lieferzeit",)
    changed = text_from_form(form, like=HAND_WRITTEN)
    assert "# Written by hand" in changed and 'title: "Wie lange' in changed and "# who answers" in changed
    # the tags keep their "- " lines (the one removed goes); the summary comes after what it follows
    assert "tags:\n  - lieferzeit\nsummary: Meist zwei Tage.\nquestions: [" in changed
    assert form_from_text(changed) == form  # it reads as the form says
    assert text_from_form(form, like=None) == text_from_form(form)  # a new article: the usual layout


def test_a_save_keeps_line_ends_notes_above_a_changed_key_and_keys_that_say_nothing():
    import datetime as dt
    on_disk = HAND_WRITTEN.replace("updated: 2026-11-01\n", "draft: false\naudience: public\n"
                                   "summary: |\n  Zeile eins.\n  Zeile zwei.\nupdated: 2026-11-01\n")
    crlf = on_disk.replace("\n", "\r\n")
    form = form_from_text(crlf)
    assert form.summary.strip() == "Zeile eins.\nZeile zwei."
    form.updated, form.title = dt.date(2026, 12, 7), "Wann kommt mein Paket?"
    saved = text_from_form(form, like=crlf)
    assert "\n" not in saved.replace("\r\n", "")  # CR/LF as on disk, the body too
    changed = [(d.kind, d.text) for d in diff_lines(on_disk, saved.replace("\r\n", "\n")) if d.kind in ("add", "del")]
    assert changed == [("del", 'title: "Wie lange dauert die Lieferung?"'), ("add", "title: Wann kommt mein Paket?"),
                       ("del", "updated: 2026-11-01"), ("add", "updated: 2026-12-07")]  # the note above it stays
    assert form_from_text(saved) == form


def test_a_note_outlives_the_key_it_stood_above():
    form = form_from_text(HAND_WRITTEN)
    form.title = "Neu"
    on_disk = HAND_WRITTEN.replace("owner: logistics team   # who answers for it\n", "")
    form.tags = ()
    saved = text_from_form(form, like=on_disk.replace("tags:", "# tags for the search\ntags:"))
    assert "# tags for the search\n" in saved and "tags" not in saved.replace("# tags for the search", "")


@pytest.mark.parametrize("tags", [("lieferzeit", "dauer"), ("rücksendung, kostenlos", "retoure"),
                                  ('Größe "42, 43"', "schuhe"), ()])
def test_tags_with_commas_or_quotes_survive_the_form_line(tags):
    assert tags_from_field(tags_field(tags)) == tags


def test_a_key_whose_lines_do_not_parse_gets_the_forms_lines():
    broken = HAND_WRITTEN.replace("owner: logistics team   # who answers for it\n", "owner: [unclosed\n")
    form = form_from_text(HAND_WRITTEN)
    saved = text_from_form(form, like=broken)
    assert "owner: logistics team\n" in saved and "[unclosed" not in saved and "# Written by hand" in saved
    assert form_from_text(saved) == form


def test_front_matter_that_does_not_parse_is_read_key_by_key():
    from kb.content.front_matter_repair import readable_part
    assert readable_part("---\ntitle: Gut\nlang: de\n---\nText.\n") is None  # nothing to repair
    assert readable_part("Kein Kopfbereich.\n") is None
    unclosed = readable_part("\ufeff---\r\ntitle: Offen\r\nquestions:\r\n- wo ist es\r\n- und jetzt\r\n"
                             "Hinweis: ohne Ende.\r\n\r\nZweiter Absatz.\r\n")
    assert unclosed.meta == {"title": "Offen", "questions": ["wo ist es", "und jetzt"]}
    assert unclosed.body == "Hinweis: ohne Ende.\n\nZweiter Absatz.\n" and unclosed.unreadable == ()
    bad = readable_part("---\ntitle: Kaputt\ntags: [eins\nupdated: 2026-13-01\nlang: en\n---\n\nDer Text.\n")
    assert bad.meta == {"title": "Kaputt", "lang": "en"}
    assert bad.unreadable == ("tags: [eins", "updated: 2026-13-01") and bad.body == "Der Text.\n"


@pytest.mark.parametrize("text, meta, body", [
    # a '---' after text is the body's horizontal rule, not the block's end
    ("---\ntitle: T\nlang: de\n\nErster Absatz.\n\n---\n\nZweiter.\n", {"title": "T", "lang": "de"},
     "Erster Absatz.\n\n---\n\nZweiter.\n"),
    ("---\ntitle: Rücksendung: so geht's\nlang: de\n---\nText\n", {"title": "Rücksendung: so geht's", "lang": "de"},
     "Text\n"),  # a colon in the value: read as text, not lost
    ("---\ntitle: T\nlang: de\n- Schritt eins\nText\n", {"title": "T", "lang": "de"}, "- Schritt eins\nText\n"),
])
def test_repair_keeps_the_body_and_values_with_a_colon(text, meta, body):
    from kb.content.front_matter_repair import readable_part
    repaired = readable_part(text)
    assert (repaired.meta, repaired.body, repaired.unreadable) == (meta, body, ())
