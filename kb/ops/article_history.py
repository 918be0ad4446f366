"""Versions of articles: git commits when articles/ is in a git work tree, else database rows.

Docs-as-code help centres keep their Markdown in git; there a browser save is a
commit with the editor as author, so `git log` tells the same story as the
history page. Elsewhere each saved text is kept in the portal's database.
Either way a restore is a new version: nothing is ever lost.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from kb.content.articles import ARTICLE_SUFFIXES, article_id
from kb.content.visible_text import one_line
from kb.ops.database import MAX_ROW_ID, Store

log = logging.getLogger(__name__)
GIT_TIMEOUT = 20  # seconds; a commit of one file takes milliseconds
MAX_VERSIONS = 200
COMMITTER = ("kb help centre", "kb@localhost")
ON_DISK = "on disk"  # author of versions nobody saved through the browser

SCHEMA = """
CREATE TABLE IF NOT EXISTS article_versions (
    id INTEGER PRIMARY KEY,
    article_id TEXT NOT NULL,
    text TEXT,
    author TEXT NOT NULL,
    message TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS article_versions_article ON article_versions (article_id, id);
"""


class HistoryError(RuntimeError):
    pass


@dataclass(frozen=True)
class Version:
    ref: str        # commit hash or row id, as text
    author: str
    date: str       # ISO 8601, UTC
    message: str


@dataclass(frozen=True)
class Removed:
    """The change that took an article's file away: who, when, and where it went when renamed."""
    author: str
    date: str           # ISO 8601
    moved_to: str | None  # the article id it was renamed to; None when it was deleted (or moved out)


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _email(author: str) -> str:
    local = re.sub(r"[^a-z0-9._-]+", "-", author.lower()).strip("-") or "editor"
    return f"{local}@kb.invalid"  # editors have user names, not addresses; .invalid never delivers


class GitHistory:
    """History in the git work tree that contains the articles folder."""

    kind = "git"

    def __init__(self, root: Path, top: Path) -> None:
        self.root = Path(os.path.realpath(root))
        self.top = top

    def keep_out(self, path: Path) -> None:
        """List ``path`` (a file of the servers beside the articles) in the repository's own
        exclude file, which is never committed, so ``git status`` does not show it."""
        try:
            exclude = self.top / self._git("rev-parse", "--git-path", "info/exclude").strip()
            pattern = "/" + Path(os.path.realpath(path)).relative_to(self.top).as_posix()
            text = exclude.read_text(encoding="utf-8") if exclude.is_file() else ""
            if pattern not in text.splitlines():
                exclude.parent.mkdir(parents=True, exist_ok=True)
                with open(exclude, "a", encoding="utf-8") as f:
                    f.write(("\n" if text and not text.endswith("\n") else "") + pattern + "\n")
        except (HistoryError, OSError, ValueError) as exc:  # only `git status` shows the file then
            log.warning("could not list %s in git's exclude file: %s", path, exc)

    def _git(self, *args: str, author: str | None = None, check: bool = True) -> str:
        env = {**os.environ, "GIT_COMMITTER_NAME": COMMITTER[0], "GIT_COMMITTER_EMAIL": COMMITTER[1],
               "GIT_TERMINAL_PROMPT": "0"}
        if author:
            env.update(GIT_AUTHOR_NAME=author, GIT_AUTHOR_EMAIL=_email(author))
        result = subprocess.run(["git", "-C", str(self.top), *args], capture_output=True, text=True,
                                env=env, timeout=GIT_TIMEOUT)
        if check and result.returncode != 0:
            raise HistoryError(f"git {args[0]} failed: {result.stderr.strip()[:500]}")
        return result.stdout

    def _rel(self, path: Path) -> str:
        return Path(os.path.realpath(path)).relative_to(self.top).as_posix()

    def record(self, paths: list[Path], author: str, message: str) -> None:
        """Commit the given files (written, renamed away or deleted) as one commit by ``author``."""
        rels = [self._rel(p) for p in paths]
        # one line of visible text: the log's fields are read back split on control characters
        message = one_line(message) or "Edit " + ", ".join(rels)
        self._git("add", "-A", "--", *rels)
        if not self._git("diff", "--cached", "--name-only", "--", *rels).strip():
            return  # saved without a change: no empty commit
        self._git("commit", "-q", "--no-verify", "-m", message, "--", *rels, author=author)

    def remember_original(self, path: Path) -> None:
        """Commit what is on disk first when it is new to git or was changed outside the browser."""
        if path.is_file() and self._git("status", "--porcelain", "--", self._rel(path)).strip():
            self.record([path], ON_DISK, f"{path.name}: changes made on disk, before the browser edit")

    def _log(self, path: Path) -> list[tuple[Version, str]]:
        """The file's versions, newest first, each with the path it had then: followed through
        renames, so a renamed article keeps the versions it had under its old id."""
        out = self._git("log", "--follow", f"-n{MAX_VERSIONS}", "--name-only",
                        "--format=\x1e%H%x1f%an%x1f%aI%x1f%s", "--", self._rel(path), check=False)
        found = []
        for entry in out.split("\x1e")[1:]:
            head, _, names = entry.partition("\n")
            ref, author, date, message = (head.split("\x1f") + ["", "", ""])[:4]
            name = next((n for n in names.splitlines() if n.strip()), self._rel(path))
            found.append((Version(ref, author, date, message), name))
        return found

    def versions(self, path: Path) -> list[Version]:
        return [version for version, _name in self._log(path)]

    def removed(self, path: Path) -> Removed | None:
        """The commit that deleted or renamed the file, None when the last commit that touched it
        keeps it (it was removed on disk, uncommitted) or none did."""
        rel = self._rel(path)
        head = self._git("log", "-1", "--format=%H%x1f%an%x1f%aI", "--", rel, check=False).strip()
        if not head:
            return None
        ref, author, date = (head.split("\x1f") + ["", ""])[:3]
        # -z: names as written (no quoting of umlauts or spaces); a rename is its status, then both names
        fields = self._git("show", "-M", "--name-status", "-z", "--format=", ref, check=False).split("\0")
        at = 0
        while at < len(fields) - 1:
            status, names = fields[at], 2 if fields[at].startswith(("R", "C")) else 1
            if names == 2 and status.startswith("R") and fields[at + 1] == rel:
                return Removed(author, date, _id_below(self.root, self.top / fields[at + 2]))
            if status == "D" and fields[at + 1] == rel:
                return Removed(author, date, None)
            at += 1 + names
        return None

    def text(self, path: Path, ref: str) -> str | None:
        if not ref.isalnum():
            return None
        names = [name for version, name in self._log(path) if version.ref.startswith(ref)] or [self._rel(path)]
        result = subprocess.run(["git", "-C", str(self.top), "show", f"{ref}:{names[0]}"],
                                capture_output=True, timeout=GIT_TIMEOUT)
        return result.stdout.decode("utf-8", "replace") if result.returncode == 0 else None


class DatabaseHistory:
    """History as rows of the portal's database (articles/ outside any git work tree)."""

    kind = "database"

    def __init__(self, root: Path, store: Store) -> None:
        self.root = Path(os.path.realpath(root))
        self.store = store
        store.ensure_schema(SCHEMA)

    def _id(self, path: Path) -> str:
        return Path(os.path.realpath(path)).relative_to(self.root).with_suffix("").as_posix()

    def record(self, paths: list[Path], author: str, message: str) -> None:
        with self.store.transaction() as db:
            for path in paths:
                text = path.read_text(encoding="utf-8") if path.is_file() else None  # None: deleted
                db.execute("INSERT INTO article_versions (article_id, text, author, message, created_at) "
                           "VALUES (?, ?, ?, ?, ?)", (self._id(path), text, author, message, _now()))

    def remember_original(self, path: Path) -> None:
        """Keep the text on disk when no version holds it (before the first browser edit, or
        changed on the server since), so it can be restored too."""
        if not path.is_file():
            return
        last = self.store.query("SELECT text FROM article_versions WHERE article_id = ? ORDER BY id DESC LIMIT 1",
                                (self._id(path),))
        if not last:
            self.record([path], ON_DISK, "Version before the first edit in the browser")
        elif last[0]["text"] != path.read_text(encoding="utf-8"):
            self.record([path], ON_DISK, "Changes made on disk, before the browser edit")

    def versions(self, path: Path) -> list[Version]:
        rows = self.store.query("SELECT id, author, message, created_at FROM article_versions "
                                "WHERE article_id = ? ORDER BY id DESC LIMIT ?", (self._id(path), MAX_VERSIONS))
        return [Version(str(r["id"]), r["author"], r["created_at"], r["message"]) for r in rows]

    def removed(self, path: Path) -> Removed | None:
        """The version that took the file away (a row without text), None when the newest row
        has a text (the file was removed on disk) or there is none. A rename writes the row of
        the new name right after, with the same author and note (its time may be a second on)."""
        rows = self.store.query("SELECT id, text, author, message, created_at FROM article_versions "
                                "WHERE article_id = ? ORDER BY id DESC LIMIT 1", (self._id(path),))
        if not rows or rows[0]["text"] is not None:
            return None
        row = rows[0]
        moved = self.store.query("SELECT article_id FROM article_versions WHERE id > ? AND author = ? "
                                 "AND message = ? AND text IS NOT NULL ORDER BY id LIMIT 1",
                                 (row["id"], row["author"], row["message"]))
        return Removed(row["author"], row["created_at"], moved[0]["article_id"] if moved else None)

    def text(self, path: Path, ref: str) -> str | None:
        if not (ref.isascii() and ref.isdigit()) or int(ref) > MAX_ROW_ID:  # "²" is a digit to isdigit, not to int
            return None
        rows = self.store.query("SELECT text FROM article_versions WHERE id = ? AND article_id = ?",
                                (int(ref), self._id(path)))
        return rows[0]["text"] if rows else None


def _id_below(root: Path, path: Path) -> str | None:
    """The article id of ``path``, None when it is no article file below ``root``."""
    if path.suffix not in ARTICLE_SUFFIXES:
        return None
    try:
        return article_id(path, root)
    except ValueError:
        return None


def git_top(root: Path) -> Path | None:
    """The git work tree containing ``root``, or None (no git, or not in a repository)."""
    try:
        result = subprocess.run(["git", "-C", str(root), "rev-parse", "--show-toplevel"],
                                capture_output=True, text=True, timeout=GIT_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired):
        return None
    top = result.stdout.strip()
    if result.returncode != 0 and "dubious ownership" in result.stderr:  # git's guard against other users' trees
        log.warning("%s is in a git repository another user owns: git refuses it, so versions go to the "
                    "database; run the server as the repository's owner (or see git's safe.directory)", root)
    return Path(os.path.realpath(top)) if result.returncode == 0 and top else None


def open_history(root: Path, store: Store) -> GitHistory | DatabaseHistory:
    top = git_top(root)
    return GitHistory(root, top) if top else DatabaseHistory(root, store)
