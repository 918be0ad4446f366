"""A save after another editor renamed or deleted the article (kb/ops/article_removal.py):
the page says what became of it and by whom, keeps the text typed, and never brings the
article back unasked: not a second copy beside the renamed one, not a deleted one."""
import os
import re
import subprocess

import pytest

from tests.git_folder import committed
from tests.web.conftest import csrf_token
from tests.web.editor_fixtures import editor_app, editor_index, fields_of, form_of, sign_in  # noqa: F401 (fixtures)

TYPED = "\nEvas neuer Absatz, noch nicht gespeichert.\n"


@pytest.fixture(params=["database", "git"])
def editors(request, editor_app, tmp_path):
    """(app, eva, otto) with the versions in the database, or in git where the articles are."""
    app = editor_app()
    if request.param == "git":
        committed(tmp_path / "articles")
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    return app, eva, otto


def _otto(otto, action: str, article: str = "en/returns", **fields):
    form = form_of(otto, f"/agent/articles/{article}/edit")
    data = {"csrf_token": form["csrf_token"], "base": form["base"], **fields}
    r = otto.post(f"/agent/articles/{article}/{action}", data=data)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]


def _eva_saves(eva, form):
    return eva.post("/agent/articles/save", data={**form, "action": "save", "body": form["body"] + TYPED})


def test_a_save_after_a_rename_says_where_to_and_saves_there_only_when_asked(editors):
    app, eva, otto = editors
    root = app.config["KB_ARTICLES"]
    form = form_of(eva, "/agent/articles/en/returns/edit")
    _otto(otto, "rename", new_id="en/sending-back")
    r = _eva_saves(eva, form)
    page = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "otto hat diesen Artikel in en/sending-back umbenannt" in page  # who, and where to
    assert "Jemand hat diesen Artikel geändert" not in page  # not the conflict of a text removed whole
    assert 'href="/agent/articles/en/sending-back/edit"' in page
    kept = fields_of(page)
    assert kept["body"].endswith(TYPED) and kept["id"] == kept["original"] == "en/sending-back"
    assert not os.path.exists(root + "/en/returns.md")  # no second copy under the old id
    again = eva.post("/agent/articles/save", data={**form, "action": "save", "body": form["body"] + TYPED})
    assert again.status_code == 409 and not os.path.exists(root + "/en/returns.md")  # not on a second try either
    # the form the page handed out saves the text under the new id (otto only renamed it)
    r = eva.post("/agent/articles/save", data={**kept, "action": "save"})
    assert r.status_code == 303 and r.headers["Location"].endswith("/agent/articles/en/sending-back")
    assert open(root + "/en/sending-back.md", encoding="utf-8").read().rstrip().endswith(TYPED.strip())
    assert not os.path.exists(root + "/en/returns.md")


def test_a_save_after_a_delete_says_so_and_restores_only_when_ticked(editors):
    app, eva, otto = editors
    path = app.config["KB_ARTICLES"] + "/en/returns.md"
    form = form_of(eva, "/agent/articles/en/returns/edit")
    _otto(otto, "delete", confirm="yes")
    for _ in range(2):  # the page's own answer, and the same save sent again
        r = _eva_saves(eva, form)
        page = r.get_data(as_text=True)
        assert r.status_code == 409 and "otto hat diesen Artikel gelöscht" in page
        assert fields_of(page)["body"].endswith(TYPED) and 'name="restore" value="yes"' in page
        assert not os.path.exists(path)  # never brought back unasked
    r = eva.post("/agent/articles/save", data={**fields_of(page), "action": "save", "restore": "yes"})
    assert r.status_code == 303
    assert open(path, encoding="utf-8").read().rstrip().endswith(TYPED.strip())


def test_the_old_id_of_a_renamed_article_leads_to_its_editor_pages_under_the_new_one(editors):
    """An edit link from before the rename (a bookmark, a tab, a chat) goes on to the new id, with
    a notice saying who renamed it and when; a deleted article's link stays a 404."""
    _app, eva, otto = editors
    _otto(otto, "rename", new_id="en/sending-back")
    r = eva.get("/agent/articles/en/returns/edit")
    assert r.status_code == 303 and r.headers["Location"].endswith("/agent/articles/en/sending-back/edit")
    page = eva.get(r.headers["Location"]).get_data(as_text=True)
    notice = re.search(r'<p class="notice warning" role="status">(.*?)</p>', page).group(1)
    assert re.fullmatch(r"otto hat en/returns in en/sending-back umbenannt \(\d\d\.\d\d\.\d{4} \d\d:\d\d\): "
                        r"Dies ist der Artikel unter seiner neuen ID\.", notice), notice
    assert fields_of(page)["id"] == fields_of(page)["original"] == "en/sending-back"
    r = eva.get("/agent/articles/en/returns")  # the article's page too
    assert r.status_code == 303 and r.headers["Location"].endswith("/agent/articles/en/sending-back")
    _otto(otto, "delete", article="en/sending-back", confirm="yes")
    assert eva.get("/agent/articles/en/returns/edit").status_code == 404
    assert eva.get("/agent/articles/en/sending-back/edit").status_code == 404


def test_a_rename_nobody_recorded_leads_on_without_naming_anyone(app_and_eva):
    app, eva = app_and_eva
    root = app.config["KB_ARTICLES"]
    os.rename(root + "/en/returns.md", root + "/en/sending-back.md")  # on the server, no history
    app.extensions["kb.moves"].record("en/returns", "en/sending-back")  # as the portal's redirects know it
    r = eva.get("/agent/articles/en/returns/edit?lang=en")
    assert r.status_code == 303
    page = eva.get(r.headers["Location"]).get_data(as_text=True)
    assert "en/returns was renamed to en/sending-back: this is the article under its new id." in page


def _publish(eva, article: str, base: str):
    token = csrf_token(eva.get("/agent/articles/").get_data(as_text=True))
    return eva.post(f"/agent/articles/{article}/publish", data={"csrf_token": token, "base": base})


def _base_of_view(eva, article: str) -> str:
    page = eva.get(f"/agent/articles/{article}").get_data(as_text=True)
    return re.search(r'action="/agent/articles/[^"]*/publish".*?name="base" value="([^"]*)"', page, re.S).group(1)


DRAFT = "de/entwurf"
DRAFT_TEXT = "Das Gewinnspiel Zebrafant startet im Dezember."


def _a_deleted_draft_page(app, r) -> str:
    """The publish's answer: the draft deleted, by whom, its text kept in the form, nothing written."""
    page = r.get_data(as_text=True)
    assert r.status_code == 409, page[:2000]
    assert "otto hat diesen Artikel gelöscht" in page
    assert "Jemand hat diesen Artikel geändert" not in page  # not the generic conflict
    kept = fields_of(page)
    assert kept["body"].strip() == DRAFT_TEXT and kept["id"] == DRAFT and kept.get("draft") == "on"
    assert 'name="restore" value="yes"' in page
    assert not os.path.exists(app.config["KB_ARTICLES"] + f"/{DRAFT}.md")  # not brought back
    return page


def test_publishing_a_draft_deleted_since_it_was_opened_says_so_and_keeps_its_text(editors):
    app, eva, otto = editors
    base = _base_of_view(eva, DRAFT)
    _otto(otto, "delete", article=DRAFT, confirm="yes")
    page = _a_deleted_draft_page(app, _publish(eva, DRAFT, base))
    # bringing it back is the editor's choice: ticked, the draft is saved again, still a draft
    r = eva.post("/agent/articles/save", data={**fields_of(page), "action": "save", "restore": "yes"})
    assert r.status_code == 303
    assert "draft: true" in open(app.config["KB_ARTICLES"] + f"/{DRAFT}.md", encoding="utf-8").read()


def test_a_delete_that_races_a_publish_is_told_as_a_delete(editors, monkeypatch):
    """Deleted between the publish reading the draft and writing it: the same page."""
    app, eva, otto = editors
    base = _base_of_view(eva, DRAFT)
    editor = app.extensions["kb.editor"]
    real_save = editor.save

    def otto_deletes_first(article_id, *args, **kwargs):
        editor.delete(article_id, base, "otto", f"Delete {article_id}")
        return real_save(article_id, *args, **kwargs)
    monkeypatch.setattr(editor, "save", otto_deletes_first)
    _a_deleted_draft_page(app, _publish(eva, DRAFT, base))


def test_publishing_a_draft_renamed_since_it_was_opened_edits_it_under_its_new_id(editors):
    app, eva, otto = editors
    base = _base_of_view(eva, DRAFT)
    _otto(otto, "rename", article=DRAFT, new_id="de/gewinnspiel")
    r = _publish(eva, DRAFT, base)
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "otto hat diesen Artikel in de/gewinnspiel umbenannt" in page
    assert fields_of(page)["id"] == "de/gewinnspiel" and fields_of(page)["body"].strip() == DRAFT_TEXT
    assert "draft: true" in open(app.config["KB_ARTICLES"] + "/de/gewinnspiel.md", encoding="utf-8").read()
    assert not os.path.exists(app.config["KB_ARTICLES"] + f"/{DRAFT}.md")


def test_a_rename_in_git_on_the_server_is_told_too(editor_app, tmp_path):
    """No redirect was recorded (nobody renamed it in the browser): git's commit says where it went."""
    app = editor_app()
    git = committed(tmp_path / "articles")
    eva = app.test_client()
    sign_in(eva, "eva")
    form = form_of(eva, "/agent/articles/en/returns/edit")
    subprocess.run([*git, "mv", "en/returns.md", "en/sending-back.md"], check=True)
    subprocess.run([*git, "-c", "user.name=lena", "commit", "-qm", "clearer name"], check=True)
    page = _eva_saves(eva, form).get_data(as_text=True)
    assert "lena hat diesen Artikel in en/sending-back umbenannt" in page


def test_a_file_removed_on_the_server_is_gone_too(app_and_eva):
    app, eva = app_and_eva
    form = form_of(eva, "/agent/articles/en/returns/edit")
    os.remove(app.config["KB_ARTICLES"] + "/en/returns.md")
    r = _eva_saves(eva, form)
    assert r.status_code == 409 and "Diesen Artikel gibt es nicht mehr" in r.get_data(as_text=True)
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/en/returns.md")


def test_a_rename_or_delete_of_an_article_gone_meanwhile_says_so(app_and_eva):
    app, eva = app_and_eva
    form = form_of(eva, "/agent/articles/en/returns/edit")
    os.remove(app.config["KB_ARTICLES"] + "/en/returns.md")
    token = csrf_token(eva.get("/agent/articles/").get_data(as_text=True))
    for action, extra in (("rename", {"new_id": "en/x"}), ("delete", {"confirm": "yes"})):
        r = eva.post(f"/agent/articles/en/returns/{action}", data={"csrf_token": token, "base": form["base"], **extra})
        assert r.status_code == 303 and r.headers["Location"].endswith("/agent/articles/")
        assert "gibt es unter dieser ID nicht mehr" in eva.get(r.headers["Location"]).get_data(as_text=True)
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/en/x.md")


@pytest.fixture()
def app_and_eva(editor_app):
    app = editor_app()
    eva = app.test_client()
    sign_in(eva, "eva")
    return app, eva
