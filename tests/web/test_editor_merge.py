"""Saves that meet another change (kb/web/editor.py ``save``): two editors, or an editor and an accepted
question (`kb questions accept`), each changing other lines of the same article, get both changes merged
(README "For editors": the form already holds both), and every line neither of them changed stays
byte for byte; changes of the same line still wait for the editor, with nothing lost."""
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kb.content.text_diff import diff_lines
from tests.web.conftest import ROOT
from tests.web.editor_fixtures import editor_app, editor_index, fields_of, form_of, sign_in  # noqa: F401 (fixtures)

SAMPLES = ROOT / "articles"
WARRANTY = "de/garantie/gewaehrleistung"
ABROAD = "de/versand/lieferung-ausland"
MERGED = "zusammengeführt"  # MERGED_MESSAGE in German: both changes are in the form
MANUAL = "Übernehmen Sie die Änderung unten in Ihren Text"  # CONFLICT_MESSAGE in German
LINK = re.compile(r"\]\(([^)#\s]+\.md)\)")
DATE_LINE = re.compile(r"updated: \d{4}-\d\d-\d\d")


def _with_sample(app, article_id: str) -> Path:
    """The sample article and the articles it links to, in the test's articles folder: `kb check` on a
    save finds its links."""
    root = Path(app.config["KB_ARTICLES"])
    source = SAMPLES / f"{article_id}.md"
    for path in [source] + [(source.parent / m).resolve() for m in LINK.findall(source.read_text(encoding="utf-8"))]:
        target = root / path.relative_to(SAMPLES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, target)
    return root / f"{article_id}.md"


def _changes(before: str, after: str) -> list[tuple[str, str]]:
    """The lines ``after`` adds or removes, the ``updated`` date written as a placeholder."""
    return [(d.kind, DATE_LINE.sub("updated: DAY", d.text)) for d in diff_lines(before, after)
            if d.kind in ("add", "del")]


def _save(client, fields: dict):
    return client.post("/agent/articles/save", data={**fields, "action": "save"})


@pytest.fixture()
def app(editor_app):
    return editor_app()


def test_a_question_and_a_sentence_added_by_two_editors_are_merged_line_for_line(app):
    path = _with_sample(app, WARRANTY)
    original = path.read_text(encoding="utf-8")
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    evas, ottos = form_of(eva, f"/agent/articles/{WARRANTY}/edit"), form_of(otto, f"/agent/articles/{WARRANTY}/edit")
    r = _save(eva, {**evas, "questions": evas["questions"].rstrip("\n") + "\ngilt die garantie auch für lampen"})
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    assert _changes(original, path.read_text(encoding="utf-8")) == [
        ("add", "  - gilt die garantie auch für lampen"), ("del", "updated: DAY"), ("add", "updated: DAY")]
    sentence = " Fragen Sie uns gern, wenn Sie unsicher sind."
    r = _save(otto, {**ottos, "body": ottos["body"].rstrip("\n") + sentence + "\n"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and MERGED in page and MANUAL not in page, page[:3000]
    offered = fields_of(page)
    assert "gilt die garantie auch für lampen" in offered["questions"] and offered["body"].rstrip().endswith(sentence)
    assert _save(otto, offered).status_code == 303
    last = original.rstrip("\n").rsplit("\n", 1)[1]
    assert _changes(original, path.read_text(encoding="utf-8")) == [
        ("add", "  - gilt die garantie auch für lampen"), ("del", "updated: DAY"), ("add", "updated: DAY"),
        ("del", last), ("add", last + sentence)]


def test_a_question_accepted_while_an_editor_changes_the_summary_is_kept(app):
    from kb.content.articles import load_articles
    from kb.ops.article_editing import ArticleEditor
    from kb.ops.suggestions import Suggestion, accept
    path = _with_sample(app, ABROAD)
    original = path.read_text(encoding="utf-8")
    client = app.test_client()
    sign_in(client, "eva")
    opened = form_of(client, f"/agent/articles/{ABROAD}/edit")
    summary = "Lieferländer, Versandkosten und Zoll außerhalb Deutschlands."
    # meanwhile `kb questions accept --all --min-evidence 1`, as the command writes (its own editor, kb/cli/questions.py)
    question = "was kostet das porto nach italien"
    store, root = app.extensions["kb.store"], Path(app.config["KB_ARTICLES"])
    cli = ArticleEditor(root, store)
    found = Suggestion(ABROAD, "In welche Länder liefert Hafenkorb?", "de", question,
                       texts=Counter({question: 1}), pieces={"search": [("helpful", 1)]})
    assert accept(store, load_articles(root)[0], found, "otto",
                  write=lambda file, text: cli.add_question(file, text, "otto"))
    accepted = path.read_text(encoding="utf-8")
    assert _changes(original, accepted) == [("add", f"  - {question}")]
    r = _save(client, {**opened, "summary": summary})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and MERGED in page and MANUAL not in page, page[:3000]
    offered = fields_of(page)
    assert question in offered["questions"].splitlines() and offered["summary"].strip() == summary
    assert _save(client, offered).status_code == 303
    old_summary = next(line for line in original.splitlines() if line.startswith("summary:"))
    assert _changes(original, path.read_text(encoding="utf-8")) == [
        ("del", old_summary), ("add", f"summary: {summary}"), ("add", f"  - {question}"),
        ("del", "updated: DAY"), ("add", "updated: DAY")]


def test_two_editors_changing_the_same_question_still_merge_by_hand_and_lose_nothing(app):
    path = _with_sample(app, WARRANTY)
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    evas, ottos = form_of(eva, f"/agent/articles/{WARRANTY}/edit"), form_of(otto, f"/agent/articles/{WARRANTY}/edit")
    old = "wie lange habe ich garantie"
    assert _save(eva, {**evas, "questions": evas["questions"].replace(old, "wie lange gilt die garantie")}
                 ).status_code == 303
    evas_file = path.read_text(encoding="utf-8")
    ottos_questions = ottos["questions"].replace(old, "wie lange habe ich gewährleistung")
    ottos_body = ottos["body"].rstrip("\n") + " Otto ergänzt.\n"
    r = _save(otto, {**ottos, "questions": ottos_questions, "body": ottos_body})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and MANUAL in page and MERGED not in page, page[:3000]
    assert path.read_text(encoding="utf-8") == evas_file  # nothing saved
    offered = fields_of(page)  # Otto's text, both of his changes, for him to merge Eva's into
    assert "wie lange habe ich gewährleistung" in offered["questions"] and "wie lange gilt" not in offered["questions"]
    assert offered["body"].rstrip().endswith("Otto ergänzt.")
    assert "wie lange gilt die garantie" in page  # Eva's change, shown as the diff to take over


def test_a_title_quoted_by_hand_that_one_editor_changes_merges_with_anothers_body_change(app):
    path = _with_sample(app, WARRANTY)
    title = "Gewährleistung und Garantie bei defekten Artikeln"
    path.write_text(path.read_text(encoding="utf-8").replace(f"title: {title}", f'title: "{title}"'), encoding="utf-8")
    original = path.read_text(encoding="utf-8")
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    evas, ottos = form_of(eva, f"/agent/articles/{WARRANTY}/edit"), form_of(otto, f"/agent/articles/{WARRANTY}/edit")
    assert _save(eva, {**evas, "title": "Gewährleistung und Garantie"}).status_code == 303
    r = _save(otto, {**ottos, "body": ottos["body"].rstrip("\n") + " Otto ergänzt.\n"})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and MERGED in page, page[:3000]  # his form left the title as he opened it
    assert _save(otto, fields_of(page)).status_code == 303
    last = original.rstrip("\n").rsplit("\n", 1)[1]
    assert _changes(original, path.read_text(encoding="utf-8")) == [
        ("del", f'title: "{title}"'), ("add", "title: Gewährleistung und Garantie"),
        ("del", "updated: DAY"), ("add", "updated: DAY"), ("del", last), ("add", last + " Otto ergänzt.")]


def test_saves_on_different_days_merge_and_the_last_one_dates_the_article(app, monkeypatch):
    import datetime as dt
    path = _with_sample(app, ABROAD)
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    evas, ottos = form_of(eva, f"/agent/articles/{ABROAD}/edit"), form_of(otto, f"/agent/articles/{ABROAD}/edit")
    monkeypatch.setattr("kb.web.editor._today", lambda: dt.date(2026, 12, 1))
    assert _save(eva, {**evas, "questions": evas["questions"].rstrip("\n") + "\nliefert ihr nach irland"}
                 ).status_code == 303
    monkeypatch.setattr("kb.web.editor._today", lambda: dt.date(2026, 12, 2))
    r = _save(otto, {**ottos, "summary": "Lieferländer und Zoll."})
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and MERGED in page, page[:3000]  # each save changed the date line
    assert _save(otto, fields_of(page)).status_code == 303
    saved = path.read_text(encoding="utf-8")
    assert "  - liefert ihr nach irland\n" in saved and "summary: Lieferländer und Zoll.\n" in saved
    assert "updated: 2026-12-02\n" in saved
