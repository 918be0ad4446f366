"""What became of an article whose file is gone: renamed (to which id) or deleted, by whom, when.

An editor whose save finds the article gone is told this, with the text typed
kept, instead of a conflict that shows the whole file removed; the save never
brings the article back unasked (kb/web/editor.py). The portal's redirects
(:class:`kb.ops.article_moves.ArticleMoves`) name where a renamed article went,
later renames followed; the history names who removed it, and where to when no
redirect was recorded (a rename in git on the server).
"""

from __future__ import annotations

import logging
import subprocess
from dataclasses import dataclass

from kb.content.article_edit import EditError
from kb.content.articles import ARTICLE_SUFFIXES
from kb.ops.article_editing import ArticleEditor
from kb.ops.article_history import HistoryError, Removed
from kb.ops.article_moves import ArticleMoves
from kb.ops.database import StoreUnavailable

log = logging.getLogger(__name__)
LOOKUP_ERRORS = (HistoryError, StoreUnavailable, OSError, subprocess.SubprocessError, ValueError)


@dataclass(frozen=True)
class Removal:
    author: str | None = None       # None: nobody recorded it (removed on the server)
    date: str | None = None         # ISO 8601
    renamed_to: str | None = None   # the id it has now; None when deleted, or the new id is gone too


def removal_of(editor: ArticleEditor, moves: ArticleMoves, article_id: str) -> Removal:
    """What is known about the removal of ``article_id``; the fields nobody knows are None."""
    removed = _removed(editor, article_id)
    try:
        target = moves.target(article_id)
    except StoreUnavailable:
        target = None
    target = target or (removed.moved_to if removed else None)
    if target is not None and not _exists(editor, target):
        target = None
    return Removal(removed.author if removed else None, removed.date if removed else None, target)


def _removed(editor: ArticleEditor, article_id: str) -> Removed | None:
    try:
        return next((found for suffix in ARTICLE_SUFFIXES
                     if (found := editor.history.removed(editor.root / f"{article_id}{suffix}"))), None)
    except LOOKUP_ERRORS as exc:  # the save was refused all the same: only the details are missing
        log.warning("could not look up the removal of %s: %s", article_id, exc)
        return None


def _exists(editor: ArticleEditor, article_id: str) -> bool:
    try:
        return editor.current(article_id)[1] is not None
    except EditError:  # an id the editor cannot open is no place to send the editor to
        return False
