"""Images in the article editor: upload with the form, served from /media/, never text lost."""
import io
import re
import subprocess
from pathlib import Path

import pytest

from tests.git_folder import committed
from tests.test_media import image_bytes
from tests.web.editor_fixtures import editor_app, editor_index, form_of, sign_in  # noqa: F401 (fixtures)


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


def test_an_image_over_the_limit_keeps_the_text_up_to_what_the_server_takes_and_says_why_beyond(app):
    """Everything the server lets through (kb/web/server.py) is read: the page refuses the image
    with the text kept. A larger body (another server in front) gets a page naming the limit."""
    from kb.web.server import MAX_BODY_BYTES
    client = app.test_client()
    sign_in(client, "eva")
    form = form_of(client, "/agent/articles/de/lieferzeit/edit?lang=de")
    r = _upload(client, {**form, "body": form["body"] + "\nMein Satz."}, b"\0" * (MAX_BODY_BYTES - 200_000))
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "zu groß (höchstens 5 MB)" in page and "Mein Satz." in page
    r = _upload(client, form, b"\0" * MAX_BODY_BYTES)
    assert r.status_code == 413
    assert "Das Bild ist zu groß, um gelesen zu werden (höchstens 5 MB)" in r.get_data(as_text=True)
