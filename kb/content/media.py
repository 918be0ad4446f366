"""Images in articles: uploaded by editors, kept beside the articles in ``media/``.

An uploaded file is read as an image (Pillow) and written again without its
metadata: a photo's EXIF can hold where and when it was taken and the camera's
owner, which customers never need. The file is named by its content (the first
hex digits of its SHA-256), so the same image uploaded twice is one file and a
name never points at changed content. Articles link to it as
``![alt text](/media/<name>)``; the portal serves it from its own host, which
its security policy (``img-src 'self'``) allows.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings
from pathlib import Path

from kb.content.files import write_atomically
from kb.content.markdown import image_sources

MEDIA_DIR = "media"  # below the articles folder: versioned with the articles
MAX_IMAGE_BYTES = 5_000_000  # a screenshot or photo for a help article; larger ones are refused
MAX_PIXELS = 40_000_000  # decoding more would take the server's memory (a "decompression bomb")
# Pillow's format name -> the file name's extension; what every browser shows
FORMATS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
NAME = re.compile(r"[0-9a-f]{16}\.(?:png|jpg|gif|webp)")
CONTENT_TYPES = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}
MEDIA_URL = "/media/"
JPEG_QUALITY = 90


class ImageError(ValueError):
    """The upload is no image the portal can show; the message says why."""


def media_dir(root: Path) -> Path:
    return Path(root) / MEDIA_DIR


def cleaned_image(data: bytes) -> tuple[bytes, str]:
    """The image without metadata, and its extension; ImageError when it is none we take."""
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise ImageError("the file is empty")
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"the image is too large (at most {MAX_IMAGE_BYTES // 1_000_000} MB)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise ImageError("this is no PNG, JPEG, GIF or WebP image")
            frames = getattr(image, "n_frames", 1)  # every frame of an animation is decoded and written again
            if image.width * image.height * frames > MAX_PIXELS:
                raise ImageError("the animation has too many frames for its size" if frames > 1
                                 else "the image has too many pixels")
            image.load()
    except (UnidentifiedImageError, Image.DecompressionBombWarning, Image.DecompressionBombError, OSError,
            SyntaxError, ValueError) as exc:
        if isinstance(exc, ImageError):
            raise
        raise ImageError("the file is no image that can be read (PNG, JPEG, GIF or WebP)") from None
    return _without_metadata(image), FORMATS[image.format]


def _without_metadata(image) -> bytes:
    """The pixels written again: EXIF, XMP, comments and text chunks are left behind."""
    out = io.BytesIO()
    fmt = image.format
    if fmt == "JPEG":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    elif fmt == "GIF" and getattr(image, "n_frames", 1) > 1:
        image.save(out, "GIF", save_all=True, loop=image.info.get("loop", 0),
                   duration=image.info.get("duration", 100))
    else:
        image.save(out, fmt)
    return out.getvalue()


def store_image(root: Path, data: bytes) -> Path:
    """Write the cleaned image into ``media/`` under its content's name (atomically; once)."""
    return store_cleaned(root, *cleaned_image(data))


def store_cleaned(root: Path, cleaned: bytes, ext: str) -> Path:
    """Write an image ``cleaned_image`` returned into ``media/`` under its content's name."""
    path = media_dir(root) / f"{hashlib.sha256(cleaned).hexdigest()[:16]}.{ext}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, cleaned)
    return path


def media_file(root: Path, name: str) -> Path | None:
    """The stored image of that name, None when the name is no media name, nothing is stored,
    or it is a link (a file put there by hand pointing elsewhere is never served or published)."""
    if not NAME.fullmatch(name):
        return None
    path = media_dir(root) / name
    where = os.path.join(os.path.realpath(root), MEDIA_DIR, name)  # no link on the way, the folder's or its own
    return path if path.is_file() and os.path.realpath(path) == where else None


def media_names(body: str) -> list[str]:
    """The uploaded images a text shows (``/media/<name>``), each name once, in order."""
    names: list[str] = []
    for _line, src in image_sources(body):
        name = src[len(MEDIA_URL):] if src.startswith(MEDIA_URL) else ""
        if NAME.fullmatch(name) and name not in names:
            names.append(name)
    return names


def markdown_for(path: Path, alt: str) -> str:
    """The Markdown that shows the image: ``![alt](/media/<name>)``."""
    alt = " ".join(re.sub(r"[\[\]\r\n]+", " ", alt).split())  # empty: an image only for decoration
    return f"![{alt}]({MEDIA_URL}{path.name})"
