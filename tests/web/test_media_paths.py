"""/media/ with the articles folder given relative to the working directory (the default
``KB_ARTICLES=articles``): an image just uploaded is served, not a server error."""
from pathlib import Path

from kb.content.media import store_image
from tests.test_media import image_bytes
from tests.web.editor_fixtures import editor_app, editor_index  # noqa: F401 (fixtures)


def test_an_image_in_a_relative_articles_folder_is_served(editor_app, tmp_path, monkeypatch):
    editor_app()  # copies the articles into tmp_path/articles
    monkeypatch.chdir(tmp_path)
    app = editor_app(KB_ARTICLES="articles")
    stored = store_image(Path("articles"), image_bytes("PNG"))
    served = app.test_client().get(f"/media/{stored.name}")
    assert served.status_code == 200 and served.data[:4] == b"\x89PNG"
