"""Editing articles in the browser (kb/web/editor.py): roles, CSRF, paths, checks, conflicts, review."""
import os
import re
import subprocess

import pytest

from tests.git_folder import committed
from tests.web.conftest import csrf_token
from tests.web.editor_fixtures import editor_app, editor_index, fields_of, form_of, sign_in  # noqa: F401 (fixtures)

NEW_ARTICLE = {"id": "de/zahlung", "title": "Wie kann ich bezahlen?", "lang": "de", "category": "Zahlung",
               "questions": "welche zahlungsarten gibt es\nkann ich mit paypal zahlen",
               "body": "Sie zahlen per Rechnung, PayPal oder Kreditkarte.\n\n## PayPal\nMit PayPal zahlen Sie sofort.\n",
               "audience": "public", "base": "", "original": "", "action": "save"}


@pytest.fixture()
def app(editor_app):
    return editor_app()


@pytest.fixture()
def client(app):
    return app.test_client()


def _version(text):
    from kb.content.article_edit import version_of
    return version_of(text)


def _new(client, **fields):
    form = form_of(client, "/agent/articles/new")
    form.pop("draft", None)  # a new article starts as a draft; these tests publish unless they say so
    return client.post("/agent/articles/save", data={**form, **NEW_ARTICLE, **fields})


def test_editor_creates_an_article_written_as_markdown_with_front_matter(app, client):
    sign_in(client, "eva")
    r = _new(client)
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    assert r.headers["Location"].endswith("/agent/articles/de/zahlung")
    text = (app.config["KB_ARTICLES"] + "/de/zahlung.md")
    saved = open(text, encoding="utf-8").read()
    assert saved.startswith("---\ntitle: Wie kann ich bezahlen?\nlang: de\ncategory: Zahlung\n")
    assert "questions:\n  - welche zahlungsarten gibt es\n  - kann ich mit paypal zahlen\n" in saved  # as the samples
    assert "updated: " in saved and "draft" not in saved
    assert saved.endswith("## PayPal\nMit PayPal zahlen Sie sofort.\n")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Gespeichert" in page or "Saved" in page
    assert "<h2 id=\"paypal\">PayPal</h2>" in page
    # the history has the version, by eva (database: the test folder is no git work tree)
    history = client.get("/agent/articles/de/zahlung/history").get_data(as_text=True)
    assert "eva" in history and "Angelegt: de/zahlung" in history  # the editor's own note, in German
    assert "+00:00" not in history and not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", history)  # the shop's time


def test_a_save_is_dated_by_the_shops_day(editor_app):
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from tests.web.conftest import ROOT
    site = (ROOT / "site.yml").read_text(encoding="utf-8") + "\ntime_zone: Pacific/Kiritimati\n"  # UTC+14
    app = editor_app(site=site)
    client = app.test_client()
    sign_in(client, "eva")
    assert _new(client).status_code == 303
    saved = open(app.config["KB_ARTICLES"] + "/de/zahlung.md", encoding="utf-8").read()
    assert f"updated: {datetime.now(ZoneInfo('Pacific/Kiritimati')).date().isoformat()}\n" in saved


def test_saved_article_is_searchable_after_the_reindex(app, client):
    sign_in(client, "eva")
    assert _new(client).status_code == 303
    reindexer = app.extensions["kb.reindexer"]
    assert reindexer.wait(1, timeout=60), reindexer.last_error
    hits = client.get("/api/search?q=kann+ich+mit+paypal+zahlen&lang=de").get_json()["results"]
    assert hits[0]["id"] == "de/zahlung"
    print(f"\nre-index after a save took {reindexer.last_seconds:.2f} s (fixture articles)")


def test_agents_see_list_view_and_history_but_cannot_edit(app, client):
    sign_in(client, "anna")
    assert client.get("/agent/articles/").status_code == 200
    assert client.get("/agent/articles/de/lieferzeit").status_code == 200
    assert client.get("/agent/articles/de/lieferzeit/history").status_code == 200
    for url in ("/agent/articles/new", "/agent/articles/de/lieferzeit/edit", "/agent/articles/de/lieferzeit/rename",
                "/agent/articles/de/lieferzeit/delete"):
        assert client.get(url).status_code == 403, url
    token = csrf_token(client.get("/agent/articles/").get_data(as_text=True))
    r = client.post("/agent/articles/save", data={**NEW_ARTICLE, "csrf_token": token})
    assert r.status_code == 403
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/de/zahlung.md")
    for url in ("/agent/articles/preview", "/agent/articles/de/lieferzeit/restore",
                "/agent/articles/de/entwurf/publish", "/agent/articles/de/entwurf/ready"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403, url


def test_anonymous_is_sent_to_sign_in(client):
    r = client.get("/agent/articles/de/lieferzeit/edit")
    assert r.status_code == 302 and "/agent/login" in r.headers["Location"]


def test_save_without_csrf_token_is_refused(app, client):
    sign_in(client, "eva")
    r = client.post("/agent/articles/save", data=NEW_ARTICLE)
    assert r.status_code == 400
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/de/zahlung.md")


@pytest.mark.parametrize("bad_id", ["../outside", "de/../../outside", "/etc/passwd", "de//x", "de/Groß",
                                    "de/a b", "de\\x", ".hidden", "de/x.md/y", "a/b/c/d/e"])
def test_ids_that_leave_the_articles_folder_or_have_odd_characters_are_refused(app, client, bad_id, tmp_path):
    sign_in(client, "eva")
    r = _new(client, id=bad_id)
    assert r.status_code == 400
    page = r.get_data(as_text=True)  # in the page's language (German)
    assert "keine gültige ID" in page or "zu tief verschachtelt" in page or "braucht eine ID" in page
    assert not (tmp_path / "outside.md").exists()


def test_a_version_number_beyond_any_row_id_is_unknown_not_an_error(app, client):
    sign_in(client, "eva")
    huge = "9" * 30
    assert client.get(f"/agent/articles/de/lieferzeit/history/{huge}").status_code == 404
    assert client.get("/agent/articles/de/lieferzeit/history/²").status_code == 404  # a digit to isdigit only
    for field in ("stale", "helpful_below", "min_views"):
        r = client.get(f"/agent/articles/?{field}=²&lang=de")
        assert r.status_code == 200 and "muss eine ganze Zahl" in r.get_data(as_text=True)
    token = csrf_token(client.get("/agent/articles/de/lieferzeit/history").get_data(as_text=True))
    base = form_of(client, "/agent/articles/de/lieferzeit/edit")["base"]
    r = client.post("/agent/articles/de/lieferzeit/restore", data={"csrf_token": token, "ref": huge, "base": base})
    assert r.status_code == 303 and r.headers["Location"].endswith("/agent/articles/de/lieferzeit/history")


def test_symlink_pointing_out_of_the_articles_folder_is_refused(app, client, tmp_path):
    outside = tmp_path / "secret.md"
    outside.write_text("do not touch", encoding="utf-8")
    os.symlink(outside, tmp_path / "articles" / "de" / "link.md")
    os.symlink(tmp_path, tmp_path / "articles" / "out")
    sign_in(client, "eva")
    assert client.get("/agent/articles/de/link/edit").status_code == 404
    for ident in ("de/link", "out/secret"):
        r = _new(client, id=ident)
        assert r.status_code == 400 and "outside the articles folder" in r.get_data(as_text=True)
    assert outside.read_text(encoding="utf-8") == "do not touch"


def test_check_errors_block_the_save_and_keep_the_text(app, client):
    sign_in(client, "eva")
    r = _new(client, body="Siehe [fehlt](gibtsnicht.md).\n")
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "Artikel, den es nicht gibt" in html and "gibtsnicht.md" in html  # the reason, and the text kept in the form
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/de/zahlung.md")


def test_warnings_do_not_block_the_save(app, client):
    sign_in(client, "eva")
    r = _new(client, title="Wie lange dauert die Lieferung?")  # duplicate title: a warning
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "kommt in der Sprache „de“ doppelt vor" in page  # in the page's language
    assert app.config["KB_ARTICLES"] not in page and "(auch de/lieferzeit.md)" in page  # no server path


def test_preview_renders_with_the_portal_renderer_and_shows_problems(client):
    sign_in(client, "eva")
    token = csrf_token(client.get("/agent/articles/new").get_data(as_text=True))
    r = client.post("/agent/articles/preview", data={**NEW_ARTICLE, "csrf_token": token,
                                                     "body": "Text <script>alert(1)</script>\n\n## Zwei\n[x](nein.md)"})
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert '<h2 id="zwei">Zwei</h2>' in html and "<script>" not in html
    assert "Artikel, den es nicht gibt" in html


def test_two_saves_from_the_same_version_conflict_and_nothing_is_overwritten(app, client):
    sign_in(client, "eva")
    first = form_of(client, "/agent/articles/de/lieferzeit/edit")
    second = dict(first)
    r = client.post("/agent/articles/save", data={**first, "action": "save",
                                                  "body": first["body"] + "\nErste Änderung.\n"})
    assert r.status_code == 303
    r = client.post("/agent/articles/save", data={**second, "action": "save",
                                                  "body": second["body"] + "\nZweite Änderung.\n"})
    html = r.get_data(as_text=True)
    assert r.status_code == 409
    assert "Erste Änderung." in html  # the other change, shown as a diff
    assert "Zweite Änderung." in html  # the editor's own text is kept
    on_disk = open(app.config["KB_ARTICLES"] + "/de/lieferzeit.md", encoding="utf-8").read()
    assert "Erste Änderung." in on_disk and "Zweite Änderung." not in on_disk


def test_a_new_article_never_replaces_one_with_its_id(app, client):
    """The new-article form with a taken id is refused, also when saved again with the
    version a page handed out: only the edit page changes an existing article."""
    sign_in(client, "eva")
    path = app.config["KB_ARTICLES"] + "/de/lieferzeit.md"
    before = open(path, encoding="utf-8").read()
    r = _new(client, id="de/lieferzeit")
    html = r.get_data(as_text=True)
    assert r.status_code == 409 and "gibt es schon" in html, html[:2000]
    fields = fields_of(html)
    assert fields.get("base", "") == ""  # no version of the other article to save over
    # even with the existing article's version, as the conflict page handed it out before
    again = client.post("/agent/articles/save", data={**fields, "base": _version(before), "action": "save"})
    assert again.status_code == 409
    assert open(path, encoding="utf-8").read() == before


def test_a_body_over_the_limit_is_refused_whole_never_cut(app, client):
    sign_in(client, "eva")
    body = "## Teil\n\n" + "Langer Text. " * 16_000 + "\nDas Ende.\n"  # over 200,000 characters
    r = _new(client, body=body)
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "Der Text ist zu lang" in html and "höchstens 200.000)" in html
    assert "Das Ende." in html  # the editor's text is kept in the form
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/de/zahlung.md")


def test_a_title_over_the_limit_is_refused_and_kept(app, client):
    sign_in(client, "eva")
    title = "Wie kann ich bezahlen " * 250  # a paste gone wrong: 5,500 characters
    r = _new(client, title=title)
    html = r.get_data(as_text=True)
    assert r.status_code == 413 and "Der Titel ist zu lang (5.499 Zeichen, höchstens 200)" in html
    assert title.strip() in html  # kept in the form, whole
    assert not os.path.exists(app.config["KB_ARTICLES"] + "/de/zahlung.md")


def test_control_and_invisible_characters_never_reach_the_article_file(app, client):
    sign_in(client, "eva")
    r = _new(client, title="Wie kann\u200b ich \u202ebezahlen?\x07", category="Zahl\x1bung",
             questions="welche\u200b zahlungsarten\x00 gibt es", body="Sie zahlen\x07 per Rechnung.\u202e\n")
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    saved = open(app.config["KB_ARTICLES"] + "/de/zahlung.md", encoding="utf-8").read()
    assert "title: Wie kann ich bezahlen?\n" in saved and "category: Zahlung\n" in saved
    assert "- welche zahlungsarten gibt es\n" in saved and saved.endswith("Sie zahlen per Rechnung.\n")
    assert not [ch for ch in saved if ch not in "\n" and (ord(ch) < 32 or ch in "\u200b\u202e")]


def test_a_change_note_cannot_forge_a_version_in_the_history(editor_app, tmp_path):
    """git's log is read back split on control characters: a note carrying them would add
    a made-up row (another author, another date) to the history page."""
    app = editor_app()
    git = committed(tmp_path / "articles")
    client = app.test_client()
    sign_in(client, "eva")
    forged = "Fix typo\x1e0123456789abcdef\x1fboss\x1f2020-01-01T00:00:00+00:00\x1fApproved by legal"
    assert _new(client, message=forged).status_code == 303
    log = subprocess.run([*git, "log", "--format=%an|%s"], capture_output=True, text=True, check=True).stdout
    assert log.splitlines()[0] == "eva|Fix typo0123456789abcdefboss2020-01-01T00:00:00+00:00Approved by legal"
    history = client.get("/agent/articles/de/zahlung/history").get_data(as_text=True)
    assert history.count("Approved by legal") == 1 and "2020" not in history.replace("2020-01-01T00:00:00", "")
    # any other writer of the history (the CLI's accepts) gets the same: one line of visible text
    path = tmp_path / "articles" / "de" / "zahlung.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nMehr.\n", encoding="utf-8")
    history_of = app.extensions["kb.editor"].history
    history_of.record([path], "cli-eva", forged)
    newest = history_of.versions(path)[0]
    assert newest.author == "cli-eva" and newest.message.endswith("Approved by legal") and len(
        history_of.versions(path)) == 2


def test_a_change_on_disk_is_a_conflict_too(app, client):
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    path = app.config["KB_ARTICLES"] + "/de/lieferzeit.md"
    with open(path, "a", encoding="utf-8") as f:
        f.write("\nAuf dem Server ergänzt.\n")
    r = client.post("/agent/articles/save", data={**form, "action": "save"})
    assert r.status_code == 409 and "Auf dem Server ergänzt." in r.get_data(as_text=True)
    assert "Auf dem Server ergänzt." in open(path, encoding="utf-8").read()


def test_restore_is_a_new_version(app, client):
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    original = open(app.config["KB_ARTICLES"] + "/de/lieferzeit.md", encoding="utf-8").read()
    assert client.post("/agent/articles/save", data={**form, "action": "save", "body": "Neu.\n"}).status_code == 303
    versions = app.extensions["kb.editor"].history.versions(
        app.extensions["kb.editor"].current("de/lieferzeit")[0])
    assert len(versions) == 2  # the text before the first browser edit, and the edit
    base = form_of(client, "/agent/articles/de/lieferzeit/edit")["base"]
    token = csrf_token(client.get("/agent/articles/de/lieferzeit/history").get_data(as_text=True))
    r = client.post("/agent/articles/de/lieferzeit/restore", data={"csrf_token": token, "ref": versions[-1].ref,
                                                                   "base": base})
    assert r.status_code == 303
    assert open(app.config["KB_ARTICLES"] + "/de/lieferzeit.md", encoding="utf-8").read() == original
    history = app.extensions["kb.editor"].history
    assert len(history.versions(app.extensions["kb.editor"].current("de/lieferzeit")[0])) == 3
    diff = client.get(f"/agent/articles/de/lieferzeit/history?a={versions[1].ref}&b={versions[0].ref}")
    assert "Neu." in diff.get_data(as_text=True)


def test_restoring_a_draft_version_of_a_published_article_asks_first(app, client):
    sign_in(client, "eva")
    path = app.config["KB_ARTICLES"] + "/de/zahlung.md"
    assert _new(client, draft="on", body="Erster Entwurf.\n").status_code == 303
    form = form_of(client, "/agent/articles/de/zahlung/edit")
    form.pop("draft")  # published with the second version
    assert client.post("/agent/articles/save", data={**form, "action": "save", "body": "Veröffentlicht.\n"}
                       ).status_code == 303
    editor = app.extensions["kb.editor"]
    first_draft = editor.history.versions(editor.current("de/zahlung")[0])[-1]
    token = csrf_token(client.get("/agent/articles/de/zahlung/history").get_data(as_text=True))
    fields = {"csrf_token": token, "ref": first_draft.ref, "base": form_of(client, "/agent/articles/de/zahlung/edit")["base"]}
    r = client.post("/agent/articles/de/zahlung/restore", data=fields)
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "geht der Artikel offline" in page and 'value="published"' in page
    assert "Veröffentlicht." in open(path, encoding="utf-8").read()  # asked first, nothing saved
    assert client.post("/agent/articles/de/zahlung/restore", data={**fields, "keep": "published"}).status_code == 303
    kept = open(path, encoding="utf-8").read()
    assert "Erster Entwurf." in kept and "draft" not in kept
    fields["base"] = form_of(client, "/agent/articles/de/zahlung/edit")["base"]
    stale = fields["base"]
    r = client.post("/agent/articles/de/zahlung/restore", data={**fields, "keep": "draft"})
    assert "Entwurf gespeichert" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert "draft: true" in open(path, encoding="utf-8").read()
    # a history page read before someone else's save: its base goes through the question, nothing is overwritten
    form = form_of(client, "/agent/articles/de/zahlung/edit")
    form.pop("draft")
    assert client.post("/agent/articles/save", data={**form, "action": "save", "body": "Neuer Text.\n"}
                       ).status_code == 303
    page = client.post("/agent/articles/de/zahlung/restore", data={**fields, "base": stale}).get_data(as_text=True)
    assert f'name="base" value="{stale}"' in page
    client.post("/agent/articles/de/zahlung/restore", data={**fields, "base": stale, "keep": "published"})
    assert "Neuer Text." in open(path, encoding="utf-8").read()


def test_publishing_a_draft_with_errors_says_which(app, client):
    sign_in(client, "eva")
    assert _new(client, draft="on", translation="delivery").status_code == 303  # de/lieferzeit's key
    token = csrf_token(client.get("/agent/articles/de/zahlung").get_data(as_text=True))
    base = form_of(client, "/agent/articles/de/zahlung/edit")["base"]
    r = client.post("/agent/articles/de/zahlung/publish", data={"csrf_token": token, "base": base})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "nothing was saved" not in page and "Übersetzungsschlüssel „delivery“" in page
    assert "de/lieferzeit.md" in page and app.config["KB_ARTICLES"] not in page  # no server paths


def test_rename_and_delete_are_blocked_by_links_from_other_articles(app, client):
    sign_in(client, "eva")
    page = client.get("/agent/articles/de/ruecksendung/delete").get_data(as_text=True)
    assert "de/lieferzeit" in page  # the article whose link would break
    token = csrf_token(client.get("/agent/articles/de/lieferzeit/edit").get_data(as_text=True))
    base = form_of(client, "/agent/articles/de/ruecksendung/edit")["base"]
    r = client.post("/agent/articles/de/ruecksendung/delete", data={"csrf_token": token, "base": base,
                                                                    "confirm": "yes"})
    assert r.status_code == 409 and "de/lieferzeit" in r.get_data(as_text=True)
    r = client.post("/agent/articles/de/ruecksendung/rename", data={"csrf_token": token, "base": base,
                                                                    "new_id": "de/retoure"})
    assert r.status_code == 409
    assert os.path.exists(app.config["KB_ARTICLES"] + "/de/ruecksendung.md")


def test_rename_and_delete_without_links(app, client):
    sign_in(client, "eva")
    token = csrf_token(client.get("/agent/articles/").get_data(as_text=True))
    base = form_of(client, "/agent/articles/en/returns/edit")["base"]
    r = client.post("/agent/articles/en/returns/rename", data={"csrf_token": token, "base": base,
                                                               "new_id": "../x"})
    assert r.status_code == 400
    r = client.post("/agent/articles/en/returns/rename", data={"csrf_token": token, "base": base,
                                                               "new_id": "en/sending-back"})
    assert r.status_code == 303
    root = app.config["KB_ARTICLES"]
    assert os.path.exists(root + "/en/sending-back.md") and not os.path.exists(root + "/en/returns.md")
    reindexer = app.extensions["kb.reindexer"]
    assert reindexer.settle(timeout=60), reindexer.last_error
    r = client.get("/articles/en/returns?section=x")  # links to the old address lead to the article
    assert r.status_code == 301 and r.headers["Location"].endswith("/articles/en/sending-back?section=x")
    r = client.get("/articles/en/returns?_external=1&_scheme=https&article_id=x&section=y",
                   headers={"Host": "attacker.example"})  # url_for's own arguments are no parameters of it
    assert r.status_code == 301 and r.headers["Location"] == "/articles/en/sending-back?section=y"
    assert client.get("/articles/en/never-was").status_code == 404
    r = client.post("/agent/articles/en/sending-back/delete", data={"csrf_token": token, "base": base})
    assert r.status_code == 400  # not confirmed
    r = client.post("/agent/articles/en/sending-back/delete", data={"csrf_token": token, "base": base,
                                                                    "confirm": "yes"})
    assert r.status_code == 303 and not os.path.exists(root + "/en/sending-back.md")


REVIEW_SITE = "name: Test\nfour_eyes_review: true\n"


def test_four_eyes_review_marks_a_version_a_later_change_needs_a_new_mark(editor_app):
    app = editor_app(site=REVIEW_SITE)
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    assert _new(otto, draft="on").status_code == 303
    token = csrf_token(otto.get("/agent/articles/de/zahlung").get_data(as_text=True))
    assert otto.post("/agent/articles/de/zahlung/ready", data={"csrf_token": token}).status_code == 303
    form = form_of(eva, "/agent/articles/de/zahlung/edit")  # eva changes otto's draft after his mark ...
    changed = {**form, "body": form["body"] + "\nUnreviewed sentence.", "action": "save"}
    assert eva.post("/agent/articles/save", data=changed).status_code == 303
    page = eva.get("/agent/articles/de/zahlung").get_data(as_text=True)
    token, base = csrf_token(page), form_of(eva, "/agent/articles/de/zahlung/edit")["base"]
    r = eva.post("/agent/articles/de/zahlung/publish", data={"csrf_token": token, "base": base})
    refused = eva.get(r.headers["Location"]).get_data(as_text=True)
    assert "wurde geändert, nachdem er als bereit zur Prüfung markiert wurde" in refused
    path = app.config["KB_ARTICLES"] + "/de/zahlung.md"
    assert "draft: true" in open(path, encoding="utf-8").read()  # ... and cannot publish her own change
    assert "/agent/articles/de/zahlung/ready" in page  # the draft needs a new mark
    assert eva.post("/agent/articles/de/zahlung/ready", data={"csrf_token": token, "base": base}).status_code == 303
    token = csrf_token(otto.get("/agent/articles/de/zahlung").get_data(as_text=True))
    r = otto.post("/agent/articles/de/zahlung/publish", data={"csrf_token": token, "base": base})
    assert r.status_code == 303
    assert "draft" not in open(path, encoding="utf-8").read()  # otto read her change and published it


def test_a_restore_of_an_id_that_is_no_articles_is_refused_not_a_500(editor_app):
    app = editor_app(site=REVIEW_SITE)
    client = app.test_client()
    sign_in(client, "eva")
    token = csrf_token(client.get("/agent/articles/").get_data(as_text=True))
    r = client.post("/agent/articles/Bad%20Id/restore", data={"csrf_token": token, "ref": "abc", "base": ""})
    assert r.status_code < 500


def test_four_eyes_review(editor_app):
    app = editor_app(site=REVIEW_SITE)
    eva, otto = app.test_client(), app.test_client()
    sign_in(eva, "eva")
    sign_in(otto, "otto")
    r = _new(eva)  # published directly: refused
    assert r.status_code == 400 and "Vier-Augen-Prinzip" in r.get_data(as_text=True)
    r = _new(eva, draft="on")
    assert r.status_code == 303
    saved = eva.get(r.headers["Location"]).get_data(as_text=True)
    assert "Entwurf gespeichert" in saved and "zeigt die Änderung" not in saved  # customers do not see a draft
    token = csrf_token(eva.get("/agent/articles/de/zahlung").get_data(as_text=True))
    base = form_of(eva, "/agent/articles/de/zahlung/edit")["base"]
    r = eva.post("/agent/articles/de/zahlung/publish", data={"csrf_token": token, "base": base})
    assert "noch nicht bereit zur Prüfung" in eva.get(r.headers["Location"]).get_data(as_text=True)
    assert eva.post("/agent/articles/de/zahlung/ready", data={"csrf_token": token}).status_code == 303
    r = eva.post("/agent/articles/de/zahlung/publish", data={"csrf_token": token, "base": base})
    assert "muss ihn veröffentlichen" in eva.get(r.headers["Location"]).get_data(as_text=True)
    path = app.config["KB_ARTICLES"] + "/de/zahlung.md"
    assert "draft: true" in open(path, encoding="utf-8").read()
    token = csrf_token(otto.get("/agent/articles/de/zahlung").get_data(as_text=True))
    r = otto.post("/agent/articles/de/zahlung/publish", data={"csrf_token": token, "base": base})
    assert r.status_code == 303
    assert "draft" not in open(path, encoding="utf-8").read()
    assert app.extensions["kb.reviews"].get("de/zahlung") is None
    # taken offline as a draft again, eva cannot bring it back alone by restoring the published version
    published = [v for v in app.extensions["kb.editor"].history.versions(app.extensions["kb.editor"].current(
        "de/zahlung")[0])][0]
    form = form_of(eva, "/agent/articles/de/zahlung/edit")
    r = eva.post("/agent/articles/save", data={**form, "draft": "on", "action": "save"})
    assert r.status_code == 409 and "finden ihn Kundinnen und Kunden nicht mehr" in r.get_data(as_text=True)
    assert "draft" not in open(path, encoding="utf-8").read()  # asked first, nothing saved
    confirmed = {**form, "draft": "on", "unpublish": "yes", "action": "save"}
    assert eva.post("/agent/articles/save", data=confirmed).status_code == 303
    token = csrf_token(eva.get("/agent/articles/de/zahlung/history").get_data(as_text=True))
    base = form_of(eva, "/agent/articles/de/zahlung/edit")["base"]
    r = eva.post("/agent/articles/de/zahlung/restore", data={"csrf_token": token, "ref": published.ref, "base": base})
    assert "Entwurf gespeichert" in eva.get(r.headers["Location"]).get_data(as_text=True)  # back as a draft
    restored = open(path, encoding="utf-8").read()
    assert "draft: true" in restored and "Sie zahlen per Rechnung" in restored


def test_review_is_off_by_default_and_drafts_publish_directly(app, client):
    sign_in(client, "eva")
    token = csrf_token(client.get("/agent/articles/de/entwurf").get_data(as_text=True))
    base = form_of(client, "/agent/articles/de/entwurf/edit")["base"]
    r = client.post("/agent/articles/de/entwurf/publish", data={"csrf_token": token, "base": base})
    assert r.status_code == 303
    assert "draft" not in open(app.config["KB_ARTICLES"] + "/de/entwurf.md", encoding="utf-8").read()


def test_new_article_page_takes_prefill_from_query_parameters(client):
    sign_in(client, "eva")
    html = client.get("/agent/articles/new?language=en&questions=where+is+my+parcel%0Awhere+is+my+order"
                      "&title=Parcel").get_data(as_text=True)
    assert "where is my parcel\nwhere is my order</textarea>" in html
    assert 'value="Parcel"' in html and '<option value="en" selected>' in html


def test_translate_opens_the_other_language_with_source_and_key(app, client):
    sign_in(client, "eva")
    html = client.get("/agent/articles/new?from=de/entwurf").get_data(as_text=True)
    assert "Das Gewinnspiel Zebrafant" in html  # the source, side by side
    assert '<option value="en" selected>' in html
    assert 'name="translation" value="entwurf"' in html  # no key yet: one is proposed
    form = form_of(client, "/agent/articles/new?from=de/entwurf")
    r = client.post("/agent/articles/save", data={**form, "action": "save", "id": "en/contest", "title": "Contest",
                                                  "category": "Promotions", "body": "The contest starts.\n"})
    assert r.status_code == 303
    source = open(app.config["KB_ARTICLES"] + "/de/entwurf.md", encoding="utf-8").read()
    assert "translation: entwurf" in source  # the source got the key too


def test_list_filters(app, client):
    sign_in(client, "anna")
    html = client.get("/agent/articles/?status=draft").get_data(as_text=True)
    assert "Geheimes Gewinnspiel" in html and "Wie lange dauert" not in html
    html = client.get("/agent/articles/?audience=internal").get_data(as_text=True)
    assert "Kulanz" in html and "Wie lange dauert" not in html
    html = client.get("/agent/articles/?untranslated=1&language=de").get_data(as_text=True)
    assert "Geheimes Gewinnspiel" in html and "Wie lange dauert" not in html
    r = client.get("/agent/articles/?stale=abc")
    assert r.status_code == 200 and "muss eine ganze Zahl" in r.get_data(as_text=True)  # German page
    html = client.get("/agent/articles/?q=wann+kommt+mein+paket").get_data(as_text=True)
    assert "Wie lange dauert die Lieferung?" in html


def test_git_backed_articles_commit_with_the_editor_as_author(editor_app, tmp_path):
    articles = tmp_path / "articles"
    app = editor_app()
    committed(articles)
    client = app.test_client()
    sign_in(client, "eva")
    assert _new(client, message="Zahlungsarten erklärt").status_code == 303
    log = subprocess.run(["git", "-C", str(articles), "log", "--format=%an|%s"], capture_output=True,
                         text=True, check=True).stdout.splitlines()
    assert log[0] == "eva|Zahlungsarten erklärt"
    assert "git" in client.get("/agent/articles/de/zahlung/history").get_data(as_text=True)


def test_long_articles_can_be_saved(app, client):
    sign_in(client, "eva")
    body = "Ein langer Absatz über Zahlungen und Rechnungen. " * 2500 + "\n"  # ~130 KB, above the 64 KB of customer forms
    assert _new(client, body=body).status_code == 303


def test_saves_in_a_row_build_one_at_a_time_and_the_last_text_wins(app, monkeypatch):
    import threading
    import kb.index.build as builder  # the re-index imports it when it runs
    running, overlaps = [0], []
    lock = threading.Lock()
    real_build = builder.build_index

    def counted(*args, **kwargs):
        with lock:
            running[0] += 1
            overlaps.append(running[0])
        try:
            return real_build(*args, **kwargs)
        finally:
            with lock:
                running[0] -= 1
    monkeypatch.setattr(builder, "build_index", counted)
    editor = app.extensions["kb.editor"]
    path, text = editor.current("de/lieferzeit")
    from kb.content.article_edit import version_of
    for n in range(4):
        new = text.replace("1-3 Werktagen" if n == 0 else f"{n + 4} Werktagen", f"{n + 5} Werktagen")
        assert new != text
        editor.save("de/lieferzeit", new, version_of(text), "eva", f"round {n}")
        text = new
    reindexer = app.extensions["kb.reindexer"]
    assert reindexer.wait(4, timeout=60), reindexer.last_error
    assert max(overlaps) == 1  # never two builds at once
    assert len(overlaps) < 4  # saves during a build share the next one
    hit = app.test_client().get("/api/search?q=wann+kommt+mein+paket&lang=de").get_json()["results"][0]
    assert hit["id"] == "de/lieferzeit"
    html = app.test_client().get("/api/articles/de/lieferzeit").get_json()["html"]
    assert "8 Werktagen" in html  # the last save is what the portal serves


def test_front_matter_keys_the_form_does_not_show_are_kept(app, client):
    path = app.config["KB_ARTICLES"] + "/en/delivery.md"
    text = open(path, encoding="utf-8").read().replace("---\n", "---\n# by hand\nowner: logistics team\n"
                                                       'tags: ["returns, free", parcel]\n'
                                                       "summary: |\n  Line one.\n  Line two.\n", 1)
    open(path, "w", encoding="utf-8").write(text)
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/en/delivery/edit")
    assert client.post("/agent/articles/save", data={**form, "action": "save"}).status_code == 303
    saved = open(path, encoding="utf-8").read()
    assert "# by hand\nowner: logistics team\n" in saved  # as written, where it was written
    assert 'tags: ["returns, free", parcel]\n' in saved and "summary: |\n  Line one.\n  Line two.\n" in saved
    changed = [line for line in saved.splitlines() if line not in text.splitlines()]
    assert len(changed) == 1 and changed[0].startswith("updated: ")  # the first save's diff is the date only
    open(path, "w", encoding="utf-8", newline="").write("\ufeff" + saved.replace("\n", "\r\n"))  # Windows
    form = form_of(client, "/agent/articles/en/delivery/edit")
    assert client.post("/agent/articles/save", data={**form, "action": "save"}).status_code == 303
    again = open(path, "rb").read().decode("utf-8")
    assert again.startswith("\ufeff---\r\n") and "\n" not in again.replace("\r\n", "")  # BOM, CR/LF kept


def test_an_unanswered_wording_that_is_an_articles_question_now_says_so(app, client):
    """Learned or added since: the report shows where it leads now instead of 'write an article'."""
    store = app.extensions["kb.store"]
    for _ in range(3):
        store.log_search("geschenkverpackung möglich", "de", False, [], "portal")
    sign_in(client, "eva")
    html = client.get("/agent/insights?days=30&lang=de").get_data(as_text=True)
    assert "questions=geschenkverpackung" in html and "Jetzt beantwortet" not in html
    assert "Schlüsselwörter" not in html  # the grouping's stems are no reading for editors
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    saved = client.post("/agent/articles/save", data={
        **form, "questions": form["questions"] + "\ngeschenkverpackung möglich", "action": "save"})
    assert saved.status_code == 303
    assert app.extensions["kb.reindexer"].settle(timeout=120)
    app.extensions["kb.live"].reload()
    html = client.get("/agent/insights?days=30&lang=de").get_data(as_text=True)
    assert "Jetzt beantwortet: eine Frage von" in html and "questions=geschenkverpackung" not in html
    assert 'href="/articles/de/lieferzeit"' in html


def test_insights_link_to_a_prefilled_article_and_to_translations(app, client):
    store = app.extensions["kb.store"]
    for q in ("Wo ist mein Paket?", "wo ist mein paket", "Wo bleibt mein Paket"):
        store.log_search(q, "de", False, [], "portal")
    store.count_view("de/lieferzeit")
    sign_in(client, "eva")
    html = client.get("/agent/insights?days=30").get_data(as_text=True)
    import re
    write = re.search(r'href="(/agent/articles/new\?questions=[^"]+)"', html)
    assert write, "no 'write an article' link"
    import html as html_lib
    page = client.get(html_lib.unescape(write.group(1))).get_data(as_text=True)
    assert re.search(r'<textarea id="f-questions"[^>]*>[^<]*[Ww]o (ist|bleibt) mein [Pp]aket', page)
    assert 'href="/agent/articles/new?from=de/lieferzeit"' in html
    assert '<option value="de" selected>DE</option>' in page
    for _ in range(4):  # an English gap: the article to write is English, whatever the page's language
        store.log_search("gift wrapping options", "en", False, [], "portal")
    html = client.get("/agent/insights?days=30&lang=de").get_data(as_text=True)
    write = re.search(r'href="(/agent/articles/new\?questions=gift[^"]+)"', html)
    page = client.get(html_lib.unescape(write.group(1))).get_data(as_text=True)
    assert re.search(r'<option value="en" selected>EN</option>', page)


def test_git_history_follows_rename_and_delete(editor_app, tmp_path):
    articles = tmp_path / "articles"
    app = editor_app()
    subprocess.run(["git", "init", "-q", str(articles)], check=True)  # files not committed yet: "on disk" first
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/en/returns/edit")
    token = form["csrf_token"]
    r = client.post("/agent/articles/en/returns/rename", data={"csrf_token": token, "base": form["base"],
                                                               "new_id": "en/sending-back"})
    assert r.status_code == 303
    log = subprocess.run(["git", "-C", str(articles), "log", "--format=%an|%s", "--name-status"],
                         capture_output=True, text=True, check=True).stdout
    assert "eva|Rename en/returns to en/sending-back" in log and "on disk|" in log
    status = subprocess.run(["git", "-C", str(articles), "status", "--porcelain", "en/returns.md",
                             "en/sending-back.md"], capture_output=True,
                            text=True, check=True).stdout
    assert status == ""  # both the old and the new path are committed
    # the versions before the rename stay in the article's history, and restorable
    history = app.extensions["kb.editor"].history
    path = app.extensions["kb.editor"].current("en/sending-back")[0]
    versions = history.versions(path)
    assert [v.message for v in versions][-1].startswith("returns.md: changes made on disk")
    assert "title: Returning an item" in history.text(path, versions[-1].ref)  # read at its old path


def test_files_with_errors_are_listed_and_can_be_fixed_in_the_browser(app, client):
    path = app.config["KB_ARTICLES"] + "/en/broken.md"
    open(path, "w", encoding="utf-8").write("---\ntitle: Broken\nlang: en\n---\nNo topic.\n")
    sign_in(client, "eva")
    html = client.get("/agent/articles/").get_data(as_text=True)
    assert 'href="/agent/articles/en/broken/edit"' in html and "Pflichtfeld „category“ fehlt." in html
    form = form_of(client, "/agent/articles/en/broken/edit")
    r = client.post("/agent/articles/save", data={**form, "action": "save", "category": "Shipping"})
    assert r.status_code == 303
    assert "en/broken/edit" not in client.get("/agent/articles/").get_data(as_text=True)


@pytest.mark.parametrize("text, unreadable", [
    ("---\ntitle: Offen\nlang: de\ncategory: Versand\nText ohne Ende.\n", None),  # not closed
    ("---\ntitle: Offen\nlang: de\ncategory: Versand\ntags: [eins\n---\nText ohne Ende.\n", "tags: [eins"),
])
def test_a_file_whose_front_matter_does_not_parse_is_repaired_in_the_form_not_in_the_text(app, client, text,
                                                                                           unreadable):
    from kb.content.articles import load_articles
    path = app.config["KB_ARTICLES"] + "/de/offen.md"
    open(path, "w", encoding="utf-8").write(text)
    sign_in(client, "eva")
    page = client.get("/agent/articles/de/offen/edit").get_data(as_text=True)
    assert "konnte nicht gelesen werden" in page and "Kopfbereich (Front Matter)" in page
    assert (unreadable is None) == ("fallen beim Speichern weg" not in page)
    form = form_of(client, "/agent/articles/de/offen/edit")
    assert (form["title"], form["category"], form["body"].strip()) == ("Offen", "Versand", "Text ohne Ende.")
    assert form.get("draft") == "on"  # not published before: publishing is the editor's choice
    assert client.post("/agent/articles/save", data={**form, "action": "save"}).status_code == 303
    saved = open(path, encoding="utf-8").read()
    assert saved.count("title:") == 1 and saved.endswith("---\nText ohne Ende.\n") and "draft: true" in saved
    _valid, problems = load_articles(app.config["KB_ARTICLES"], "de")
    assert not [p for p in problems if p.path.endswith("offen.md")]


def test_database_history_keeps_changes_made_on_disk_between_browser_saves(app, client):
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/en/delivery/edit")
    assert client.post("/agent/articles/save", data={**form, "action": "save", "body": "One.\n"}).status_code == 303
    path = app.config["KB_ARTICLES"] + "/en/delivery.md"
    on_disk = open(path, encoding="utf-8").read().replace("One.", "Two, typed on the server.")
    open(path, "w", encoding="utf-8").write(on_disk)
    form = form_of(client, "/agent/articles/en/delivery/edit")
    assert client.post("/agent/articles/save", data={**form, "action": "save", "body": "Three.\n"}).status_code == 303
    editor = app.extensions["kb.editor"]
    versions = editor.history.versions(editor.current("en/delivery")[0])
    assert [v.author for v in versions] == ["eva", "on disk", "eva", "on disk"]
    assert editor.history.text(editor.current("en/delivery")[0], versions[1].ref) == on_disk
    page = client.get("/agent/articles/en/delivery/history?lang=de").get_data(as_text=True)
    assert "direkt in der Datei" in page and "<td>on disk</td>" not in page  # the reader's language
    assert "Fassung vor der ersten Bearbeitung im Browser" in page
    assert "Version before the first edit" not in page and "changes made on disk" not in page.lower()


def test_conflicting_saves_that_do_not_overlap_are_merged_for_the_editor_to_check(app, client):
    sign_in(client, "eva")
    first = form_of(client, "/agent/articles/de/lieferzeit/edit")
    second = dict(first)
    body = first["body"]
    r = client.post("/agent/articles/save", data={**first, "action": "save",
                                                  "body": body.replace("1-3 Werktagen", "2-3 Werktagen")})
    assert r.status_code == 303
    r = client.post("/agent/articles/save", data={**second, "action": "save",
                                                  "body": body + "\n## Express\nExpress kommt am nächsten Tag.\n"})
    assert r.status_code == 409  # nothing saved yet: the editor checks the merge first
    path = app.config["KB_ARTICLES"] + "/de/lieferzeit.md"
    assert "Express" not in open(path, encoding="utf-8").read()
    merged = fields_of(r.get_data(as_text=True))
    assert "2-3 Werktagen" in merged["body"] and "## Express" in merged["body"]
    assert "zusammengeführt" in r.get_data(as_text=True)
    r = client.post("/agent/articles/save", data={**merged, "action": "save"})
    assert r.status_code == 303
    saved = open(path, encoding="utf-8").read()
    assert "2-3 Werktagen" in saved and "## Express" in saved


def test_a_preview_answered_after_a_save_does_not_take_back_the_saved_notice(client):
    """The live preview is sent while typing; one started before Save and answered after it
    must not put back the session cookie from before the save (it would drop "Saved.")."""
    sign_in(client, "eva")
    token = csrf_token(client.get("/agent/articles/new").get_data(as_text=True))
    before_save = client.get_cookie("session").value
    saved = _new(client)
    assert saved.status_code == 303 and "session" in saved.headers.get("Set-Cookie", "")
    after_save = client.get_cookie("session").value
    client.set_cookie("session", before_save)  # the preview request carries the older cookie
    preview = client.post("/agent/articles/preview", data={**NEW_ARTICLE, "csrf_token": token})
    assert preview.status_code == 200 and "Set-Cookie" not in preview.headers
    client.set_cookie("session", after_save)  # the browser keeps the save's cookie
    page = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Gespeichert" in page or "Saved" in page


def test_an_article_whose_file_name_the_editor_refuses_is_listed_as_not_editable(app, client):
    """Capitals and a space: the portal serves it, the editor's pages refuse the id, so the list
    links none of them and says why, with a name that works."""
    folder = app.config["KB_ARTICLES"] + "/de/Aktion"
    os.makedirs(folder)
    open(folder + "/Sommer Rabatt.md", "w", encoding="utf-8").write(
        "---\ntitle: Sommerrabatt\nlang: de\ncategory: Aktion\n---\nZehn Prozent auf alles.\n")
    open(folder + "/Kaputt.md", "w", encoding="utf-8").write("---\ntitle: Kaputt\nlang: de\n---\nKein Thema.\n")
    sign_in(client, "eva")
    html = client.get("/agent/articles/").get_data(as_text=True)
    assert "Sommerrabatt" in html and "/agent/articles/de/Aktion/" not in html  # no link to a 404
    assert 'href="/articles/de/Aktion/Sommer%20Rabatt"' in html  # published: the portal shows it
    assert "Im Browser nicht bearbeitbar" in html and "de/aktion/sommer-rabatt.md" in html
    assert "de/Aktion/Kaputt" in html and "de/aktion/kaputt.md" in html  # a file with errors, not linked either
    assert client.get("/agent/articles/de/Aktion/Sommer%20Rabatt").status_code == 404


def test_an_id_refused_on_a_new_article_or_a_rename_marks_the_field(app, client):
    """The field to correct is marked (app.js focuses it) and described by the error."""
    sign_in(client, "eva")
    for fields in ({"id": "de/Groß"}, {"id": "de/lieferzeit"}):  # not valid; taken
        html = _new(client, **fields).get_data(as_text=True)
        field = re.search(r'<input id="f-id"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field and 'aria-describedby="edit-error f-id-hint"' in field
    token = csrf_token(client.get("/agent/articles/").get_data(as_text=True))
    base = form_of(client, "/agent/articles/en/returns/edit")["base"]
    for new_id in ("../x", "de/lieferzeit"):
        html = client.post("/agent/articles/en/returns/rename", data={"csrf_token": token, "base": base,
                                                                      "new_id": new_id}).get_data(as_text=True)
        field = re.search(r'<input id="new-id"[^>]*>', html).group(0)
        assert 'aria-invalid="true"' in field and "confirm-error" in field and 'id="confirm-error"' in html
    html = client.get("/agent/articles/en/returns/rename").get_data(as_text=True)
    assert "aria-invalid" not in re.search(r'<input id="new-id"[^>]*>', html).group(0)


def test_a_translation_starts_without_the_source_languages_tags(client):
    sign_in(client, "eva")
    html = client.get("/agent/articles/new?from=de/lieferzeit&language=en").get_data(as_text=True)
    assert fields_of(html).get("tags", "") == ""  # the German tag "lieferzeit" is no English word
    assert "Seine Schlagwörter, zum Übersetzen: lieferzeit" in html  # beside, with the source


def test_the_preview_is_no_live_region_and_carries_a_short_status(client):
    sign_in(client, "eva")
    html = client.get("/agent/articles/de/lieferzeit/edit").get_data(as_text=True)
    assert 'id="preview"' in html and "aria-live" not in html
    assert '<p id="preview-status" class="visually-hidden" role="status"></p>' in html
    token = csrf_token(html)
    preview = client.post("/agent/articles/preview", data={**NEW_ARTICLE, "csrf_token": token,
                                                           "body": "[x](nein.md) und ![y](https://cdn.example.com/y.png)"}).get_data(as_text=True)
    status = re.search(r"<p hidden data-preview-status>(.*?)</p>", preview, re.S).group(1)
    assert status == "Vorschau aktualisiert, 2 Prüfergebnisse. Fehler verhindern das Speichern, Warnungen nicht."
    assert 'role="status"' not in preview  # nothing in the preview announces itself when replaced
    quiet = client.post("/agent/articles/preview", data={**NEW_ARTICLE, "csrf_token": token}).get_data(as_text=True)
    assert "<p hidden data-preview-status>Vorschau aktualisiert, keine Prüfergebnisse.</p>" in quiet


def test_the_preview_warns_of_html_customers_would_see_as_text_and_names_its_tags(client):
    """The portal renders Markdown only (kb/content/markdown.py): HTML in the text reaches
    customers as text, tags and all. The preview says so, visibly and in its status sentence,
    also before the article has an id (no check runs then); HTML in code is no such thing."""
    sign_in(client, "eva")
    token = csrf_token(client.get("/agent/articles/new").get_data(as_text=True))
    body = ("Text <div class=\"box\">Hinweis</div> und <script>alert(1)</script>.\n\n"
            "`<code>` ist Code, <hilfe@shop.example> eine Adresse.\n\n<div>\nBlock\n</div>\n")
    for ident in ("", "de/neu"):
        html = client.post("/agent/articles/preview", data={**NEW_ARTICLE, "csrf_token": token, "id": ident,
                                                           "body": body}).get_data(as_text=True)
        status = re.search(r"<p hidden data-preview-status>(.*?)</p>", html, re.S).group(1)
        warning = "Kundinnen und Kunden sehen HTML als reinen Text, nicht als Formatierung: &lt;div&gt;, &lt;script&gt;."
        assert status.endswith(" " + warning), status
        assert f'<p class="notice warning">{warning} Schreiben Sie es in Markdown' in html
        assert "&lt;code&gt;" not in status and "hilfe@" not in status
    page = client.post("/agent/articles/save", data={**form_of(client, "/agent/articles/new"), **NEW_ARTICLE,
                                                     "body": body, "action": "preview"}).get_data(as_text=True)
    assert "sehen HTML als reinen Text" in page  # "Preview and check" without JavaScript too
    plain = client.post("/agent/articles/preview", data={**NEW_ARTICLE, "csrf_token": token,
                                                         "body": "Nur `<b>` im Code, a < b."}).get_data(as_text=True)
    assert "HTML" not in plain
