"""Images travel with the index (kb/index/media.py): every replica serving a build serves the
images its articles show, also one without the articles folder."""
import os

from kb.content.media import store_image
from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.layout import read_manifest
from kb.index.media import media_in_build
from tests.test_index_watch import Watching, wait_for
from tests.test_media import image_bytes


def _show(articles, name: str, alt: str = "Das Etikett") -> None:
    path = articles / "de" / "lieferzeit.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n![{alt}](/media/{name})\n", encoding="utf-8")


def test_a_build_carries_the_images_its_articles_show_and_no_other(articles_dir, tmp_path, encoders):
    shown = store_image(articles_dir, image_bytes("PNG", size=(40, 30)))
    unused = store_image(articles_dir, image_bytes("PNG", size=(50, 20)))  # uploaded, never saved into a text
    _show(articles_dir, shown.name)
    draft = articles_dir / "de" / "entwurf.md"
    hidden = store_image(articles_dir, image_bytes("JPEG"))
    draft.write_text(draft.read_text(encoding="utf-8") + f"\n![Entwurf](/media/{hidden.name})\n", encoding="utf-8")
    report = build_index(articles_dir, tmp_path / "index", lambda: encoders, DEFAULT_MODELS)
    copy = media_in_build(report.path, shown.name)
    assert copy is not None and copy.read_bytes() == shown.read_bytes()
    assert media_in_build(report.path, unused.name) is None
    assert media_in_build(report.path, hidden.name) is None  # a draft is not published, nor its images
    assert read_manifest(report.path)["media"] == [shown.name]
    assert media_in_build(report.path, "../manifest.json") is None and media_in_build(report.path, "media") is None


def test_an_image_stored_after_its_article_was_published_is_built_and_a_kept_one_is_linked(
        articles_dir, tmp_path, encoders):
    location = tmp_path / "index"
    data = image_bytes("PNG", size=(33, 33))
    name = store_image(tmp_path / "elsewhere", data).name  # the text names it before the file arrives
    _show(articles_dir, name)
    first = build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    assert media_in_build(first.path, name) is None and read_manifest(first.path)["media"] == []
    assert build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS).up_to_date
    store_image(articles_dir, data)  # e.g. a git pull brought the image after the text
    second = build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    assert not second.up_to_date and media_in_build(second.path, name) is not None
    assert build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS).up_to_date
    (articles_dir / "en" / "delivery.md").write_text(
        (articles_dir / "en" / "delivery.md").read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    third = build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    before, after = os.stat(media_in_build(second.path, name)), os.stat(media_in_build(third.path, name))
    assert (before.st_ino, before.st_dev) == (after.st_ino, after.st_dev)  # linked, not copied again


def test_the_watch_builds_when_an_image_arrives(articles_dir):
    (articles_dir / "media").mkdir()  # a new folder alone starts a build: here it exists already
    calls = []
    with Watching(articles_dir, lambda: calls.append(1), settle=0.3):
        store_image(articles_dir, image_bytes("GIF"))
        assert wait_for(lambda: calls, timeout=10)
