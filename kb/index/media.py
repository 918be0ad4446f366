"""The uploaded images the published articles show, copied into each build.

A replica serves the index it is given and may hold no articles folder at all
(deploy/README.md): the images travel with the build, so every replica that
serves an article also serves its images, and a build copied to a replica
carries them along. Only the images published articles show are copied; a
file's name is its content, so a name already in the served build is linked
from there instead of copied again.
"""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path

from kb.content.articles import Article
from kb.content.media import NAME, media_file, media_names

log = logging.getLogger(__name__)
MEDIA = "media"  # the folder of a build that holds its images


def shown_media(articles: list[Article], articles_dir: Path) -> list[str]:
    """Names of the stored, readable images the articles show, sorted (an image not stored is
    left out: `kb check` warns of it, and the portal shows its alt text)."""
    names = {n for a in articles for n in media_names(a.body)}
    return sorted(n for n in names if _readable(media_file(articles_dir, n)))


def _readable(path: Path | None) -> bool:
    return path is not None and os.access(path, os.R_OK)


def write_media(build: Path, served: Path | None, names: list[str], articles_dir: Path) -> list[str]:
    """Put the named images into ``build``; the names written (an image deleted meanwhile is not)."""
    if not names:
        return []
    folder = build / MEDIA
    folder.mkdir()
    written = []
    for name in names:
        before = served / MEDIA / name if served is not None else None
        if before is not None and before.is_file() and _linked(before, folder / name):
            written.append(name)
            continue
        source = media_file(articles_dir, name)
        if source is None:
            continue
        try:
            shutil.copyfile(source, folder / name)
        except OSError as exc:  # deleted or made unreadable meanwhile: the others are published
            log.warning("image %s not published: %s", name, exc)
            continue
        written.append(name)
    return written


def _linked(source: Path, target: Path) -> bool:
    """A hard link to the served build's copy; False on another file system or where links are refused."""
    try:
        os.link(source, target)
    except OSError:
        return False
    return True


def media_in_build(build: Path, name: str) -> Path | None:
    """The build's copy of the image ``name``, None when the name is none or the build lacks it."""
    if not NAME.fullmatch(name):
        return None
    path = Path(build) / MEDIA / name
    return path if path.is_file() else None
