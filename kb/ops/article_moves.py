"""Where a renamed article went, so its old address still leads to it.

Customers bookmark articles, agents send their links in replies and search engines
list them: renaming an article in the browser must not turn those links into "page not
found". The portal answers an address no article has with a permanent redirect to the
article it was renamed to. Renamed again, the older addresses lead to the newest one;
renamed back, or a new article given the old id, and the article is served as it is.
"""

from __future__ import annotations

import datetime as dt

from kb.ops.database import Store

SCHEMA = """
CREATE TABLE IF NOT EXISTS article_moves (
    old_id TEXT PRIMARY KEY,  -- the id (address) the article had
    new_id TEXT NOT NULL,     -- the id it has now
    at TEXT NOT NULL          -- when it was renamed (UTC, ISO 8601)
);
"""


class ArticleMoves:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)

    def record(self, old_id: str, new_id: str) -> None:
        """Remember that ``old_id`` is now ``new_id``; earlier moves to ``old_id`` follow it."""
        at = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
        with self.store.transaction() as db:
            db.execute("UPDATE article_moves SET new_id = ? WHERE new_id = ?", (new_id, old_id))
            db.execute("DELETE FROM article_moves WHERE old_id = ?", (new_id,))  # the id is an article again
            db.execute("INSERT INTO article_moves (old_id, new_id, at) VALUES (?, ?, ?) "
                       "ON CONFLICT (old_id) DO UPDATE SET new_id = excluded.new_id, at = excluded.at",
                       (old_id, new_id, at))

    def target(self, old_id: str) -> str | None:
        """The id an article with ``old_id`` was renamed to, None when none was."""
        rows = self.store.query("SELECT new_id FROM article_moves WHERE old_id = ?", (old_id,))
        return rows[0]["new_id"] if rows else None
