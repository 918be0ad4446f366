"""Replicas that serve the published index without the articles folder (deploy/README.md): they
serve the articles' images from the build, and say clearly that articles are edited elsewhere."""
import re
from pathlib import Path

from tests.git_folder import committed
from tests.test_media import image_bytes
from tests.web.editor_fixtures import editor_app, editor_index, fields_of, form_of, sign_in  # noqa: F401 (fixtures)
from tests.web.conftest import csrf_token
from tests.web.test_editor_images import _upload

NOT_HERE = "Auf diesem Server lassen sich keine Artikel bearbeiten"


def test_an_image_saved_on_the_editing_replica_is_served_by_one_without_the_articles(editor_app, tmp_path):
    editing = editor_app()
    serving = editor_app(KB_ARTICLES=str(tmp_path / "not-here"), INSTANCE=str(tmp_path / "instance-2"))
    eva = editing.test_client()
    sign_in(eva, "eva")
    page = _upload(eva, form_of(eva, "/agent/articles/de/lieferzeit/edit"), image_bytes("PNG")).get_data(as_text=True)
    name = re.search(r"/media/([0-9a-f]{16}\.png)", page).group(1)
    assert serving.test_client().get(f"/media/{name}").status_code == 404  # not published yet
    saved = eva.post("/agent/articles/save", data={**fields_of(page), "action": "save"})
    assert saved.status_code == 303, saved.get_data(as_text=True)[:800]
    reindexer = editing.extensions["kb.reindexer"]
    assert reindexer.settle(timeout=120), reindexer.last_error
    assert serving.extensions["kb.live"].reload()  # a running replica checks every second by itself
    served = serving.test_client().get(f"/media/{name}")
    assert served.status_code == 200 and served.data[:4] == b"\x89PNG"
    assert "immutable" in served.headers["Cache-Control"]
    article = serving.test_client().get("/api/articles/de/lieferzeit")
    assert f"/media/{name}" in article.get_data(as_text=True)


def test_a_replica_without_the_articles_says_editing_happens_elsewhere_and_writes_nothing(editor_app, tmp_path):
    editor_app()  # the users, in the shared database
    missing = tmp_path / "not-here"
    serving = editor_app(KB_ARTICLES=str(missing), INSTANCE=str(tmp_path / "instance-2"))
    anonymous = serving.test_client().get("/agent/articles/")
    assert anonymous.status_code in (302, 303) and "/agent/login" in anonymous.headers["Location"]  # sign-in first
    eva = serving.test_client()
    sign_in(eva, "eva")
    for url in ("/agent/articles/new", "/agent/articles/de/lieferzeit/edit",
                "/agent/articles/de/lieferzeit/history", "/agent/drafts", "/agent/drafts/de/entwurf"):
        r = eva.get(url)
        assert r.status_code == 503 and NOT_HERE in r.get_data(as_text=True), url
        assert "/agent/logout" in r.get_data(as_text=True) or "Abmelden" in r.get_data(as_text=True)  # the workspace
    token = re.search(r'name="csrf_token" value="([^"]+)"', eva.get("/agent/").get_data(as_text=True)).group(1)
    r = eva.post("/agent/articles/save", data={"csrf_token": token, "id": "de/neu", "title": "Neu", "lang": "de",
                                               "category": "x", "body": "Text.", "base": "", "action": "save"})
    assert r.status_code == 503 and NOT_HERE in r.get_data(as_text=True)
    r = eva.post("/agent/questions", data={"csrf_token": token, "id": "x", "action": "accept"})
    assert r.status_code == 503 and NOT_HERE in r.get_data(as_text=True)
    assert eva.get("/agent/questions").status_code == 200  # the suggestions can still be read
    english = eva.get("/agent/articles/new?lang=en")
    assert "Articles cannot be edited on this server" in english.get_data(as_text=True)
    assert not missing.exists()


def test_a_replica_without_the_articles_lists_the_published_ones_and_opens_them_in_the_portal(editor_app, tmp_path):
    """The editing replica down, the proxy sends the article list to another: agents still find
    every published article there (internal ones too), only editing waits."""
    editor_app()
    serving = editor_app(KB_ARTICLES=str(tmp_path / "not-here"), INSTANCE=str(tmp_path / "instance-2"))
    eva = serving.test_client()
    sign_in(eva, "eva")
    listed = eva.get("/agent/articles/")
    page = listed.get_data(as_text=True)
    assert listed.status_code == 200 and NOT_HERE in page
    published = serving.extensions["kb.live"].current.engine.index.articles
    assert published and all(a["title"] in page.replace("&#39;", "'") for a in published)
    assert 'href="/articles/de/lieferzeit"' in page and 'href="/agent/articles/de/lieferzeit"' not in page
    assert "/agent/articles/new" not in page  # nothing here can be edited
    internal = [a for a in published if a["audience"] == "internal"]
    assert internal, "the fixture articles hold an internal one"
    filtered = eva.get("/agent/articles/?audience=internal").get_data(as_text=True)
    assert internal[0]["title"] in filtered.replace("&#39;", "'")
    opened = eva.get("/agent/articles/de/lieferzeit")
    assert opened.status_code == 303
    assert eva.get(opened.headers["Location"]).status_code == 200


def test_a_save_that_reaches_a_replica_without_the_articles_keeps_the_text(editor_app, tmp_path):
    """The editing replica down, the proxy hands the save to another: the page says why and
    shows what was typed, and one button sends it again (to the editing replica, once back)."""
    editor_app()
    serving = editor_app(KB_ARTICLES=str(tmp_path / "not-here"), INSTANCE=str(tmp_path / "instance-2"))
    eva = serving.test_client()
    sign_in(eva, "eva")
    token = re.search(r'name="csrf_token" value="([^"]+)"', eva.get("/agent/").get_data(as_text=True)).group(1)
    r = eva.post("/agent/articles/save", headers={"Origin": "http://localhost"},
                 data={"csrf_token": token, "id": "de/neu", "title": "Neu", "lang": "de", "category": "x",
                       "body": "Ein langer Text, eine Stunde Arbeit.", "base": "", "action": "save"})
    page = r.get_data(as_text=True)
    assert r.status_code == 503 and NOT_HERE in page and "Ein langer Text, eine Stunde Arbeit." in page
    assert 'action="/agent/articles/save"' in page and 'name="body" value="Ein langer Text' in page


def test_a_change_that_cannot_get_its_turn_keeps_the_text_or_says_retry(editor_app, monkeypatch):
    from kb.content.files import exclusive_lock
    from kb.ops import article_editing
    app = editor_app()
    monkeypatch.setattr(article_editing, "LOCK_WAIT_SECONDS", 0.2)
    eva = app.test_client()
    sign_in(eva, "eva")
    form = form_of(eva, "/agent/articles/de/lieferzeit/edit")
    path = Path(app.config["KB_ARTICLES"]) / "de" / "lieferzeit.md"
    before = path.read_text(encoding="utf-8")
    with exclusive_lock(app.extensions["kb.editor"].lock_file(), 1):  # another server's change
        typed = form["body"] + "\nMein neuer Satz."
        saved = eva.post("/agent/articles/save", data={**form, "body": typed, "action": "save"})
        page = saved.get_data(as_text=True)
        assert saved.status_code >= 400 and "Eine andere Änderung an den Artikeln dauert lange" in page
        assert "Mein neuer Satz." in page  # the typed text comes back in the form
        upload = _upload(eva, {**form, "body": typed}, image_bytes("PNG"))
        assert upload.status_code == 503 and "dauert lange" in upload.get_data(as_text=True)
        assert "Mein neuer Satz." in upload.get_data(as_text=True)
    assert path.read_text(encoding="utf-8") == before  # nothing written meanwhile
    assert not list(Path(app.config["KB_ARTICLES"]).glob("media/*"))
    again = eva.post("/agent/articles/save", data={**form, "body": typed, "action": "save"})
    assert again.status_code == 303 and path.read_text(encoding="utf-8").rstrip().endswith("Mein neuer Satz.")


def test_a_save_this_server_cannot_publish_is_reported_on_the_editors_pages(editor_app, tmp_path):
    app = editor_app()
    lock = tmp_path / "index" / ".lock"
    lock.unlink(missing_ok=True)
    lock.mkdir()  # the index location cannot be locked: every build fails (as on a read-only mount)
    eva = app.test_client()
    sign_in(eva, "eva")
    form = form_of(eva, "/agent/articles/de/lieferzeit/edit")
    saved = eva.post("/agent/articles/save", data={**form, "body": form["body"] + "\nNeu.\n", "action": "save"})
    assert saved.status_code == 303
    reindexer = app.extensions["kb.reindexer"]
    assert reindexer.settle(timeout=120) and reindexer.last_error
    page = eva.get("/agent/articles/").get_data(as_text=True)
    assert "dieser Server konnte sie nicht im Portal veröffentlichen" in page
    assert str(tmp_path) not in page  # the reason, with its paths, is in the server log only


def test_a_folder_this_server_cannot_write_is_a_message_not_an_error_page(editor_app):
    app = editor_app()
    (Path(app.config["KB_ARTICLES"]) / "media").write_text("not a folder")  # any folder kb may not write
    eva = app.test_client()
    sign_in(eva, "eva")
    form = form_of(eva, "/agent/articles/de/lieferzeit/edit")
    r = _upload(eva, {**form, "body": form["body"] + "\nMein Satz."}, image_bytes("PNG"))
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "konnte auf diesem Server nicht geschrieben werden" in page
    assert "Mein Satz." in page and app.config["KB_ARTICLES"] not in page


def test_a_page_that_only_reads_says_the_database_is_unreachable_not_that_nothing_was_saved(editor_app,
                                                                                             monkeypatch):
    from kb.ops.database import StoreUnavailable
    app = editor_app()
    eva = app.test_client()
    sign_in(eva, "eva")
    token = re.search(r'name="csrf_token" value="([^"]+)"', eva.get("/agent/").get_data(as_text=True)).group(1)

    def down(*args, **kwargs):
        raise StoreUnavailable("connection refused")
    monkeypatch.setattr(app.extensions["kb.store"], "query", down)
    monkeypatch.setattr(app.extensions["kb.store"], "transaction", down)
    read = eva.get("/agent/inbox")
    assert read.status_code == 503 and read.headers["Retry-After"]
    assert "Diese Seite braucht die Datenbank" in read.get_data(as_text=True)
    write = eva.post("/agent/inbox/1/status", data={"csrf_token": token, "status": "answered"})
    assert write.status_code == 503 and "Es wurde nichts gespeichert" in write.get_data(as_text=True)


def test_staff_verified_a_moment_ago_keep_searching_while_the_database_is_down(editor_app, monkeypatch):
    """Agents answer customers from the search: with the database down, a session or token
    this server verified within the last minutes still works (ending it would be a write to
    the same database); older ones, and signing in, say the database cannot be reached."""
    from kb.ops.database import StoreUnavailable
    app = editor_app()
    _token, secret = app.extensions["kb.accounts"].create_token("eva")
    eva = app.test_client()
    sign_in(eva, "eva")
    assert eva.get("/agent/?q=paket").status_code == 200
    tool = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/search?q=paket", headers=tool).status_code == 200
    store = app.extensions["kb.store"]

    def down(*args, **kwargs):
        raise StoreUnavailable("connection refused")
    monkeypatch.setattr(store, "query", down)
    monkeypatch.setattr(store, "transaction", down)
    found = eva.get("/agent/?q=paket")
    assert found.status_code == 200 and 'value="de/lieferzeit"' in found.get_data(as_text=True)
    assert app.test_client().get("/api/search?q=paket", headers=tool).status_code == 200
    other = {"Authorization": "Bearer kb_" + "x" * 40}  # never verified here: cannot be told now
    assert app.test_client().get("/api/search?q=paket", headers=other).status_code == 503
    stranger = app.test_client()
    page = stranger.get("/agent/login?lang=de").get_data(as_text=True)
    r = stranger.post("/agent/login?lang=de", data={"username": "eva", "password": "x", "csrf_token": csrf_token(page)})
    assert r.status_code == 503 and r.headers["Retry-After"] == "5"
    assert "Die Anmeldung braucht die Datenbank" in r.get_data(as_text=True) and 'value="eva"' in r.get_data(as_text=True)
    memory = app.extensions["kb.verified_staff"]
    monkeypatch.setattr(memory, "remembered_s", -1)  # the minutes have passed
    assert eva.get("/agent/?q=paket").status_code == 503


def test_an_article_saved_during_a_database_outage_is_shown_as_saved(editor_app, monkeypatch):
    """Where the articles are in git, the save writes the file and commits it (no database
    needed); the page after it shows the article and says only the review state is
    unknown, not that the page needs the database."""
    from kb.ops.database import StoreUnavailable
    app = editor_app()
    committed(app.config["KB_ARTICLES"])
    eva = app.test_client()
    sign_in(eva, "eva")
    form = form_of(eva, "/agent/articles/de/lieferzeit/edit?lang=de")
    store = app.extensions["kb.store"]

    def down(*args, **kwargs):
        raise StoreUnavailable("connection refused")
    monkeypatch.setattr(store, "query", down)
    monkeypatch.setattr(store, "transaction", down)
    saved = eva.post("/agent/articles/save?lang=de", data={**form, "action": "save",
                                                           "body": form["body"] + "\nNeu während des Ausfalls."})
    assert saved.status_code == 303
    page = eva.get(saved.headers["Location"])
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Neu während des Ausfalls." in text
    assert "Prüfung wartet, kann gerade nicht angezeigt werden" in text
