"""Images in the article editor: upload with the form, served from /media/, never text lost."""
import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from tests.git_folder import committed
from tests.test_media import image_bytes
from tests.web.conftest import csrf_token
from tests.web.editor_fixtures import FIXTURES, PASSWORD, editor_app, editor_index, form_of, sign_in  # noqa: F401


@pytest.fixture()
def app(editor_app):
    return editor_app()


def _upload(client, form, data, alt="Das Rücksendeetikett, oben rechts der Code", name="etikett.png"):
    fields = {**form, "action": "image", "image_alt": alt, "lang": "de", "category": form.get("category", "x")}
    if data is not None:
        fields["image"] = (io.BytesIO(data), name)
    return client.post("/agent/articles/image", data=fields, content_type="multipart/form-data")


def test_an_uploaded_image_is_added_to_the_text_and_served_from_the_portal(app):
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    typed = form["body"] + "\nEin neuer Satz, noch nicht gespeichert."
    r = _upload(client, {**form, "body": typed}, image_bytes("PNG"))
    page = r.get_data(as_text=True)
    assert r.status_code == 200, page[:1000]
    name = re.search(r"!\[Das Rücksendeetikett, oben rechts der Code\]\(/media/([0-9a-f]{16}\.png)\)", page).group(1)
    assert "Ein neuer Satz, noch nicht gespeichert." in page  # the text typed comes back, unsaved
    assert f'<img src="/media/{name}" alt="Das Rücksendeetikett, oben rechts der Code"' in page  # the preview
    path = app.config["KB_ARTICLES"] + "/de/lieferzeit.md"
    assert "/media/" not in open(path, encoding="utf-8").read()  # saved only when the editor saves
    served = app.test_client().get(f"/media/{name}")  # customers: no sign-in
    assert served.status_code == 200 and served.mimetype == "image/png" and served.data[:4] == b"\x89PNG"
    assert "immutable" in served.headers["Cache-Control"] and "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert app.test_client().get("/media/0123456789abcdef.png").status_code == 404


@pytest.mark.parametrize("data, alt, message", [
    (None, "Etikett", "Bitte wählen Sie zuerst eine Bilddatei."),
    (b"<svg onload='alert(1)'/>", "Etikett", "kein lesbares Bild"),
    (image_bytes("PNG"), "  ", "Beschreiben Sie, was das Bild zeigt"),
])
def test_a_refused_image_keeps_the_text_and_says_why(app, data, alt, message):
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit?lang=de")
    r = _upload(client, {**form, "body": form["body"] + "\nMein ungespeicherter Satz."}, data, alt=alt)
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and message in page and "Mein ungespeicherter Satz." in page
    assert not list(Path(app.config["KB_ARTICLES"]).glob("media/*"))  # nothing stored


def test_only_editors_upload_and_an_upload_is_a_commit_where_the_articles_are_in_git(app):
    agent = app.test_client()
    sign_in(agent, "anna")
    r = _upload(agent, {"csrf_token": re.search(r'name="csrf_token" value="([^"]+)"', agent.get("/agent/").get_data(
        as_text=True)).group(1), "body": "x", "title": "x"}, image_bytes())
    assert r.status_code == 403
    root = app.config["KB_ARTICLES"]
    git = committed(root)
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit")
    assert _upload(client, form, image_bytes("GIF")).status_code == 200
    log = subprocess.run([*git, "log", "-1", "--format=%an|%s", "--name-only"], capture_output=True, text=True).stdout
    assert log.startswith("eva|Add the image ") and re.search(r"media/[0-9a-f]{16}\.gif", log)


def test_a_stranger_cannot_make_the_server_read_an_image_sized_post(app):
    """Without a staff session or token the image route reads at most an article form
    (1 MB); a signed-in editor's 1.5 MB image is read (and refused with its own message)."""
    stranger = app.test_client()
    body = {"action": "image", "image": (io.BytesIO(b"\0" * 1_500_000), "gross.png")}
    r = stranger.post("/agent/articles/image?lang=en", data=body, content_type="multipart/form-data")
    assert r.status_code == 413 and "Go back (your browser still shows what you typed)" in r.get_data(as_text=True)
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit?lang=de")
    r = _upload(client, {**form, "body": form["body"] + "\nMein Satz."}, b"\0" * 1_500_000)
    assert r.status_code == 400 and "Mein Satz." in r.get_data(as_text=True)


def test_an_image_over_the_limit_keeps_the_text_up_to_what_the_app_reads_and_says_why_beyond(app):
    """Everything up to what the app reads (kb/web/server.py) is read: the page refuses the image
    with the text kept. A larger body (waitress passes on some more) gets a page naming the limit."""
    from kb.web.server import MAX_APP_BODY_BYTES
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit?lang=de")
    r = _upload(client, {**form, "body": form["body"] + "\nMein Satz."}, b"\0" * (MAX_APP_BODY_BYTES - 200_000))
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "zu groß (höchstens 5 MB)" in page and "Mein Satz." in page
    r = _upload(client, form, b"\0" * MAX_APP_BODY_BYTES)
    assert r.status_code == 413
    assert "Das Bild ist zu groß, um gelesen zu werden (höchstens 5 MB)" in r.get_data(as_text=True)


def test_the_server_passes_on_bodies_somewhat_larger_than_the_app_reads_and_nginx_as_much_as_it_reads():
    """A body the app does not read must still reach it, or waitress answers with its bare
    plain-text 413 (it refuses max_request_body_size bytes and more); nginx lets through what the
    app reads and sends a larger upload to the app's page for it (deploy/nginx.conf)."""
    from kb.web.editor import IMAGE_TOO_LARGE_PATH
    from kb.web.server import MAX_APP_BODY_BYTES, server_settings
    waitress_refuses_from = server_settings(threads=1)["max_request_body_size"]
    assert waitress_refuses_from > MAX_APP_BODY_BYTES + 1_000_000
    nginx = (Path(__file__).resolve().parents[2] / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    editing = nginx.split("location /agent/articles/ {", 1)[1].split("}", 1)[0]
    assert int(re.search(r"client_max_body_size (\d+)m;", editing).group(1)) * 1024 * 1024 == MAX_APP_BODY_BYTES
    assert f"error_page 413 {IMAGE_TOO_LARGE_PATH};" in editing


def test_the_page_nginx_shows_for_an_upload_it_refused_names_the_limit_in_the_readers_language(app):
    """nginx asks for it with the refused request's cookies: the editor's own page, in the editor's language."""
    from kb.web.editor import IMAGE_TOO_LARGE_PATH
    client = app.test_client()
    sign_in(client, "eva")
    r = client.get(IMAGE_TOO_LARGE_PATH)
    page = r.get_data(as_text=True)
    assert r.status_code == 413 and r.mimetype == "text/html"
    assert "Das Bild ist zu groß, um gelesen zu werden (höchstens 5 MB): Nichts wurde gespeichert." in page
    english = client.get(IMAGE_TOO_LARGE_PATH, headers={"Accept-Language": "en"})
    assert english.status_code == 413
    assert "The image is too large to be read (at most 5 MB)" in english.get_data(as_text=True)
    assert app.test_client().get(IMAGE_TOO_LARGE_PATH).status_code == 302  # a staff page: sign in first


def test_a_tool_with_a_valid_token_may_send_an_image_sized_post_and_a_wrong_one_may_not(app):
    """The token is checked as every staff request's is (kb/web/auth.py token_user), before the
    app decides how much of the post to read."""
    _token, secret = app.extensions["kb.accounts"].create_token("eva")
    for token, read in ((secret, True), ("kb_" + "x" * 40, False), ("", False)):
        body = {"action": "image", "image": (io.BytesIO(b"\0" * 1_500_000), "gross.png")}
        r = app.test_client().post("/agent/articles/image?lang=en", data=body, content_type="multipart/form-data",
                                   headers={"Authorization": f"Bearer {token}"})
        assert (r.status_code != 413) == read, (token, r.status_code)


@pytest.mark.slow
def test_kb_serve_passes_an_image_too_large_to_read_to_the_app_whose_page_says_so(editor_index, tmp_path):
    """Through waitress (`kb serve`): a signed-in editor's upload just over what the app reads gets
    the app's page naming the image's limit, in German, not waitress's plain-text 413."""
    import shutil
    import urllib.error
    import urllib.parse
    import urllib.request
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    from kb.web.server import MAX_APP_BODY_BYTES
    from tests.web.test_browser import _free_port, kb_serve
    shutil.copytree(FIXTURES, tmp_path / "articles")
    shutil.copytree(editor_index, tmp_path / "index", symlinks=True)
    Accounts(Store(tmp_path / "instance" / "kb.sqlite3")).add("eva", "editor", PASSWORD)
    env = {**os.environ, "KB_INDEX": str(tmp_path / "index"), "KB_ARTICLES": str(tmp_path / "articles"),
           "KB_INSTANCE": str(tmp_path / "instance"), "KB_SITE": str(tmp_path / "no-site.yml"), "KB_RATE_LIMITS": "off"}
    with kb_serve(env, tmp_path, _free_port()) as url:
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
        token = csrf_token(browser.open(url + "/agent/login").read().decode())
        browser.open(url + "/agent/login", urllib.parse.urlencode(
            {"username": "eva", "password": PASSWORD, "csrf_token": token}).encode())
        upload = urllib.request.Request(url + "/agent/articles/image", data=b"\0" * (MAX_APP_BODY_BYTES + 100_000),
                                        headers={"Content-Type": "multipart/form-data; boundary=x"})
        with pytest.raises(urllib.error.HTTPError) as refused:
            browser.open(upload, timeout=30)
        page = refused.value.read().decode()
    assert refused.value.code == 413 and refused.value.headers.get_content_type() == "text/html"
    assert "Das Bild ist zu groß, um gelesen zu werden (höchstens 5 MB)" in page
