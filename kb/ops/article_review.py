"""Four-eyes review: a draft marked "ready for review" is published by another editor.

The mark lives in the database, not in the article's front matter: it is a
step of the workflow, not content, and must not reach `git log` as an edit.
It holds the version of the text that was marked: a draft changed after it
(by an editor's save, a restore, an accepted question or on disk) is not
ready any more, or one editor could publish their own unreviewed text by
changing a draft someone else marked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from kb.ops.database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS article_reviews (
    article_id TEXT PRIMARY KEY,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL
);
ALTER TABLE article_reviews ADD COLUMN version TEXT;
"""


class ReviewError(ValueError):
    pass


@dataclass(frozen=True)
class ReviewRequest:
    article_id: str
    requested_by: str
    requested_at: str
    version: str | None = None  #: the text's version when it was marked (kb.content.article_edit.version_of)

    def covers(self, version: str) -> bool:
        """Whether the mark is for this version of the text (a mark from before versions were kept is not)."""
        return self.version is not None and self.version == version


class Reviews:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)

    def request(self, article_id: str, editor: str, version: str) -> None:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
        with self.store.transaction() as db:
            db.execute("DELETE FROM article_reviews WHERE article_id = ?", (article_id,))
            db.execute("INSERT INTO article_reviews (article_id, requested_by, requested_at, version) "
                       "VALUES (?, ?, ?, ?)", (article_id, editor, now, version))

    def get(self, article_id: str, version: str | None = None) -> ReviewRequest | None:
        """The mark on the article; with ``version``, only a mark for that version of its text."""
        rows = self.store.query("SELECT article_id, requested_by, requested_at, version FROM article_reviews "
                                "WHERE article_id = ?", (article_id,))
        found = ReviewRequest(*rows[0]) if rows else None
        return found if found is None or version is None or found.covers(version) else None

    def pending(self) -> dict[str, ReviewRequest]:
        rows = self.store.query("SELECT article_id, requested_by, requested_at, version FROM article_reviews")
        return {r[0]: ReviewRequest(*r) for r in rows}

    def check_publisher(self, article_id: str, editor: str, version: str) -> None:
        """Raise ReviewError unless ``editor`` may publish this version: it was marked ready, by
        someone else, and has not changed since."""
        req = self.get(article_id)
        if req is None:
            raise ReviewError("this draft is not ready for review yet: mark it 'ready for review' first")
        if not req.covers(version):
            raise ReviewError("this draft changed after it was marked ready for review: "
                              "read it and mark it 'ready for review' again")
        if req.requested_by == editor:
            raise ReviewError("another editor has to publish it: four-eyes review is switched on")

    def clear(self, article_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM article_reviews WHERE article_id = ?", (article_id,))

    def move(self, old: str, new: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE article_reviews SET article_id = ? WHERE article_id = ?", (new, old))
