"""Images editors upload (kb/content/media.py) and the check of images in articles (kb check)."""
import io

import pytest
from PIL import Image

from kb.content.articles import parse_article
from kb.content.check import image_problems
from kb.content.media import ImageError, MAX_IMAGE_BYTES, MAX_PIXELS, cleaned_image, markdown_for, media_file, store_image
from kb.web.i18n import translate_message


def image_bytes(fmt="PNG", size=(40, 30), exif=None, **kwargs) -> bytes:
    out = io.BytesIO()
    img = Image.new("RGB", size, (200, 30, 30))
    if exif is not None:
        kwargs["exif"] = exif
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def test_an_upload_is_stored_once_under_its_content_without_its_metadata(tmp_path):
    exif = Image.Exif()
    exif[0x013B] = "Anna Schmidt"  # Artist
    exif[0x010F] = "PhoneMaker"    # Make
    photo = image_bytes("JPEG", exif=exif)
    assert b"Anna Schmidt" in photo
    path = store_image(tmp_path, photo)
    stored = path.read_bytes()
    assert b"Anna Schmidt" not in stored and b"PhoneMaker" not in stored  # where and who: never served
    assert Image.open(io.BytesIO(stored)).size == (40, 30) and path.suffix == ".jpg"
    assert store_image(tmp_path, photo) == path and len(list(path.parent.iterdir())) == 1  # once
    assert media_file(tmp_path, path.name) == path
    assert markdown_for(path, "Das [Etikett]\nauf dem Paket") == f"![Das Etikett auf dem Paket](/media/{path.name})"


@pytest.mark.parametrize("fmt, ext", [("PNG", "png"), ("GIF", "gif"), ("WEBP", "webp")])
def test_every_format_browsers_show_is_taken(fmt, ext):
    data, found = cleaned_image(image_bytes(fmt))
    assert found == ext and Image.open(io.BytesIO(data)).format == fmt


@pytest.mark.parametrize("data, reason", [
    (b"", "empty"),
    (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "no image"),
    (b"GIF89a<script>alert(1)</script>", "no image"),  # an image's first bytes, then a page
    (image_bytes("BMP"), "no PNG, JPEG"),
    (image_bytes("PNG")[:60], "no image"),  # cut off
    (b"\x89PNG" + b"0" * MAX_IMAGE_BYTES, "too large"),
])
def test_what_is_no_image_the_portal_shows_is_refused(data, reason):
    with pytest.raises(ImageError, match=reason):
        cleaned_image(data)


def test_a_decompression_bomb_is_refused():
    bomb = image_bytes("PNG", size=(10_000, 10_000))  # a small file of 100 million pixels
    assert len(bomb) < MAX_IMAGE_BYTES
    with pytest.raises(ImageError):
        cleaned_image(bomb)


def test_an_animation_whose_frames_would_take_the_servers_memory_is_refused():
    frames = [Image.new("P", (2_000, 2_000), i) for i in range(11)]  # 44 million pixels to decode
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    assert len(out.getvalue()) < MAX_IMAGE_BYTES and 2_000 * 2_000 <= MAX_PIXELS
    with pytest.raises(ImageError, match="too many frames"):
        cleaned_image(out.getvalue())
    assert translate_message("de", "the animation has too many frames for its size").startswith("Die Animation")


@pytest.mark.parametrize("name", ["../kb.sqlite3", "x.png", "0123456789abcdef.svg", "0123456789ABCDEF.png",
                                  "0123456789abcdef.png\n"])
def test_only_media_names_are_looked_up(tmp_path, name):
    (tmp_path / "media").mkdir()
    assert media_file(tmp_path, name) is None


def test_kb_check_warns_of_images_the_portal_cannot_show(tmp_path):
    stored = store_image(tmp_path, image_bytes())
    article = tmp_path / "de" / "etikett.md"
    article.parent.mkdir()
    article.write_text("---\ntitle: Etikett\nlang: de\ncategory: Rücksendung\n---\n"
                       f"![Das Etikett](/media/{stored.name})\n\n![Logo](https://cdn.example.com/logo.png)\n\n"
                       "![Foto](bilder/foto.jpg)\n\n![Weg](/media/0123456789abcdef.png)\n\n"
                       "`![kein Bild](https://x.example/y.png)` im Code\n", encoding="utf-8")
    parsed, _problems = parse_article(article, tmp_path)
    found = [(p.line, p.severity, p.message) for p in image_problems(parsed, tmp_path)]
    assert [(line, severity) for line, severity, _m in found] == [(8, "warning"), (10, "warning"), (12, "warning")]
    assert "another site (cdn.example.com)" in found[0][2] and "not served" in found[1][2]
    assert "missing from the media folder" in found[2][2]
    assert translate_message("de", found[0][2]).startswith("Bild von einer anderen Website (cdn.example.com)")


def test_a_link_in_the_media_folder_is_never_served_or_published(tmp_path):
    import os
    secret = tmp_path / "secret.png"
    secret.write_bytes(image_bytes("PNG"))
    (tmp_path / "media").mkdir()
    os.symlink(secret, tmp_path / "media" / "0123456789abcdef.png")
    assert media_file(tmp_path, "0123456789abcdef.png") is None
    real = store_image(tmp_path / "elsewhere", image_bytes("GIF"))
    assert media_file(tmp_path / "elsewhere", real.name) == real
    (tmp_path / "via").mkdir()  # a link to the media folder counts too
    os.symlink(real.parent, tmp_path / "via" / "media")
    assert media_file(tmp_path / "via", real.name) is None
