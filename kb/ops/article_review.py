"""Four-eyes review: a draft marked "ready for review" is published by another editor.

The mark lives in the database, not in the article's front matter: it is a
step of the workflow, not content, and must not reach `git log` as an edit.
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
"""


class ReviewError(ValueError):
    pass


@dataclass(frozen=True)
class ReviewRequest:
    article_id: str
    requested_by: str
    requested_at: str


class Reviews:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)

    def request(self, article_id: str, editor: str) -> None:
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
        with self.store.transaction() as db:
            db.execute("DELETE FROM article_reviews WHERE article_id = ?", (article_id,))
            db.execute("INSERT INTO article_reviews (article_id, requested_by, requested_at) VALUES (?, ?, ?)",
                       (article_id, editor, now))

    def get(self, article_id: str) -> ReviewRequest | None:
        rows = self.store.query("SELECT article_id, requested_by, requested_at FROM article_reviews "
                                "WHERE article_id = ?", (article_id,))
        return ReviewRequest(*rows[0]) if rows else None

    def pending(self) -> dict[str, ReviewRequest]:
        rows = self.store.query("SELECT article_id, requested_by, requested_at FROM article_reviews")
        return {r[0]: ReviewRequest(*r) for r in rows}

    def check_publisher(self, article_id: str, editor: str) -> None:
        """Raise ReviewError unless ``editor`` may publish: it is ready and someone else asked."""
        req = self.get(article_id)
        if req is None:
            raise ReviewError("this draft is not ready for review yet: mark it 'ready for review' first")
        if req.requested_by == editor:
            raise ReviewError("another editor has to publish it: four-eyes review is switched on")

    def clear(self, article_id: str) -> None:
        with self.store.transaction() as db:
            db.execute("DELETE FROM article_reviews WHERE article_id = ?", (article_id,))

    def move(self, old: str, new: str) -> None:
        with self.store.transaction() as db:
            db.execute("UPDATE article_reviews SET article_id = ? WHERE article_id = ?", (new, old))
