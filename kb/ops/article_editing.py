"""Saving, renaming, deleting and restoring article files for editors in the browser.

Every change goes through here, one at a time: the version check, `kb check`,
the atomic write and the history entry happen under one lock, which threads of
this process and every other process editing the same folder take (replicas on
one host, or sharing the folder), so two saves cannot interleave, and a save
never overwrites a change it has not seen (the browser sends the version its
edit started from).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from kb.content.article_edit import (EditError, all_articles, article_file, as_read, draft_problems, incoming_links,
                                     read_text, validate_id, version_of)
from kb.content.articles import Article, Problem, load_articles
from kb.content.articles import article_id as id_of_file
from kb.content.files import LockTimeout, exclusive_lock, write_atomically
from kb.content.front_matter_questions import add_question
from kb.content.media import cleaned_image, store_cleaned
from kb.ops.article_history import DatabaseHistory, GitHistory, HistoryError, open_history
from kb.ops.database import Store

log = logging.getLogger(__name__)
BASE_SEARCH_DEPTH = 50  # versions searched for the text an outdated edit started from
LOCK_WAIT_SECONDS = 10  # another change's turn (a save and its git commit take well under a second)
LOCK_FILE = ".kb-edit.lock"  # beside the articles: every process that edits them locks the same file


class EditingBusy(EditError):
    """Another change held the turn for longer than a save waits; nothing was written."""

    def __init__(self) -> None:
        super().__init__("another change to the articles is taking long; nothing was saved, please try again")


class EditingUnavailable(Exception):
    """This server holds no articles folder it may write: articles are edited elsewhere."""

    def __init__(self) -> None:
        super().__init__("articles cannot be edited on this server: it holds no articles folder it may write")


class Conflict(Exception):
    """The file changed since the edit started; ``base_text`` is None when that version is unknown.

    The text the edit started from is looked up in the history when first asked for, after
    the change's turn has ended: a search through many versions never holds up other saves.
    """

    def __init__(self, current_text: str | None, find_base: Callable[[], str | None] | None = None) -> None:
        super().__init__("the article was changed meanwhile")
        self.current_text = current_text
        self.current_version = version_of(current_text)
        self._find_base = find_base
        self._base_text: str | None = None

    @property
    def base_text(self) -> str | None:
        if self._find_base is not None:
            self._base_text, self._find_base = self._find_base(), None
        return self._base_text


class Gone(Conflict):
    """The article's file is gone (deleted or renamed) since the version the change started from:
    a save never brings it back unasked (kb/ops/article_removal.py says what became of it)."""

    def __init__(self, article_id: str) -> None:
        super().__init__(None)
        self.article_id = article_id


class Exists(EditError):
    """A new article's id is taken by an article that exists."""

    def __init__(self, article_id: str) -> None:
        super().__init__(f"'{article_id}' exists already: choose another id")
        self.article_id = article_id


class Blocked(Exception):
    """The change is refused; ``problems`` (errors from `kb check`) or ``links`` say why."""

    def __init__(self, message: str, problems: list[Problem] | None = None,
                 links: list[tuple[str, int]] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or []
        self.links = links or []


@dataclass
class Saved:
    article_id: str
    version: str
    warnings: list[Problem] = field(default_factory=list)


class ArticleEditor:
    def __init__(self, root: Path, store: Store, default_lang: str | None = None,
                 on_change: Callable[[], None] | None = None) -> None:
        self.root = Path(root)
        self.store = store
        self.default_lang = default_lang
        self.on_change = on_change or (lambda: None)
        self._lock = threading.Lock()
        self._history: GitHistory | DatabaseHistory | None = None
        self._lock_file: Path | None = None
        self.history_error: str | None = None

    def editable(self) -> bool:
        """Whether this server holds the articles folder and may write it (a replica that only
        serves the published index does not, deploy/README.md)."""
        return self.root.is_dir() and os.access(self.root, os.W_OK | os.X_OK)

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """One change at a time among this process' threads and every other process editing the
        folder, waiting at most LOCK_WAIT_SECONDS in all (EditingBusy)."""
        if not self.editable():
            raise EditingUnavailable()
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        if not self._lock.acquire(timeout=LOCK_WAIT_SECONDS):
            raise EditingBusy()
        try:
            with exclusive_lock(self.lock_file(), max(0.0, deadline - time.monotonic())):
                yield
        except LockTimeout:
            raise EditingBusy() from None
        except OSError as exc:  # a folder or file this server may not write: the reason, not its path
            raise EditError(f"the change could not be written on this server: {_reason(exc)}") from exc
        finally:
            self._lock.release()

    def lock_file(self) -> Path:
        """The file editing processes take turns by: in the articles folder itself, which every
        one of them sees whatever else it sees (a git repository or not); git ignores it."""
        if self._lock_file is None:
            path = Path(os.path.realpath(self.root)) / LOCK_FILE
            if isinstance(self.history, GitHistory):
                self.history.keep_out(path)
            self._lock_file = path
        return self._lock_file

    @property
    def history(self) -> GitHistory | DatabaseHistory:
        if self._history is None:
            self._history = open_history(self.root, self.store)
        return self._history

    def current(self, article_id: str) -> tuple[Path, str | None]:
        path = article_file(self.root, article_id)
        return path, read_text(path)

    def articles(self) -> list[Article]:
        """Every valid article on disk: public, internal and drafts."""
        return all_articles(self.root, self.default_lang)

    def broken(self) -> dict[str, list[Problem]]:
        """Files that are no valid article (article id -> errors), for editors to open and fix."""
        try:
            _valid, problems = load_articles(self.root, self.default_lang)
        except FileNotFoundError:
            return {}
        out: dict[str, list[Problem]] = {}
        for p in problems:
            if p.severity == "error":
                out.setdefault(id_of_file(Path(p.path), self.root), []).append(p)
        return out

    def problems(self, article_id: str, text: str, replaces: str | None = None) -> list[Problem]:
        return draft_problems(self.root, validate_id(article_id), text, replaces, self.default_lang)

    def base_text(self, path: Path, base: str) -> str | None:
        """The text of version ``base`` from the history, when it is there."""
        for v in self.history.versions(path)[:BASE_SEARCH_DEPTH]:
            text = self.history.text(path, v.ref)
            if text is not None and version_of(text) == base:
                return text
        return None

    def _check_base(self, path: Path, base: str) -> str | None:
        current = read_text(path)
        if current is None and base:
            raise Gone(id_of_file(path, self.root))
        if version_of(current) != base:
            raise Conflict(current, (lambda: self.base_text(path, base)) if base else None)
        return current

    def save(self, article_id: str, text: str, base: str, author: str, message: str,
             new: bool = False) -> Saved:
        """Write ``text`` as the article when nobody changed it since version ``base`` ('' for new).
        ``new``: the editor is creating an article, so an existing file with that id is never
        replaced, whatever ``base`` says (a conflict page hands out the existing version)."""
        with self._turn():
            path = article_file(self.root, article_id)
            if new and path.exists():
                raise Exists(article_id)
            self._check_base(path, base)
            problems = self.problems(article_id, text)
            errors = [p for p in problems if p.severity == "error"]
            if errors:
                raise Blocked("the article has errors; nothing was saved", problems=errors)
            self.history.remember_original(path)
            path.parent.mkdir(parents=True, exist_ok=True)
            if not _within(self.root, path.parent):  # a folder swapped for a link meanwhile
                raise EditError(f"'{article_id}' points outside the articles folder")
            write_atomically(path, text)
            self._record([path], author, message)
        self.on_change()
        return Saved(article_id, version_of(as_read(text)), [p for p in problems if p.severity != "error"])

    def rename(self, article_id: str, new_id: str, base: str, author: str, message: str) -> Saved:
        with self._turn():
            path = article_file(self.root, article_id)
            target = article_file(self.root, new_id)
            text = self._check_base(path, base)
            if text is None:
                raise EditError(f"'{article_id}' does not exist")
            if target.exists():
                raise Exists(new_id)
            links = incoming_links(self.root, article_id, self.default_lang)
            if links:
                raise Blocked("other articles link to this one: change those links first", links=links)
            self.history.remember_original(path)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(path, target)
            self._record([path, target], author, message)
        self.on_change()
        return Saved(new_id, version_of(text))

    def delete(self, article_id: str, base: str, author: str, message: str) -> None:
        with self._turn():
            path = article_file(self.root, article_id)
            if self._check_base(path, base) is None:
                raise EditError(f"'{article_id}' does not exist")
            links = incoming_links(self.root, article_id, self.default_lang)
            if links:
                raise Blocked("other articles link to this one: change those links first", links=links)
            self.history.remember_original(path)
            path.unlink()
            self._record([path], author, message)
        self.on_change()

    def restore(self, article_id: str, ref: str, base: str, author: str) -> Saved:
        """Save version ``ref`` again as the newest version (the versions after it stay in the history)."""
        path = article_file(self.root, article_id)
        text = self.history.text(path, ref)
        if text is None:
            raise EditError(f"version '{ref[:40]}' of '{article_id}' was not found (or the article was deleted in it)")
        return self.save(article_id, text, base, author, f"Restore {article_id} to the version {ref[:12]}")

    def add_question(self, path: Path, question: str, author: str) -> bool:
        """Append ``question`` to the article file's front-matter questions as ``author``'s
        version (an accepted learned phrasing, a customer's word): under the lock browser saves
        take, what is on disk kept first, so the history says who added it. False when the
        article had the question already (nothing written, nothing recorded)."""
        with self._turn():
            self.history.remember_original(path)
            written = add_question(path, question)
            if written:
                self._record([path], author, f"Add the question '{question}' to {id_of_file(path, self.root)}")
        if written:
            self.on_change()
        return written

    def add_image(self, data: bytes, author: str) -> Path:
        """Store an uploaded image in ``media/`` (kb/content/media.py), a commit by ``author``
        where the articles are in git; ImageError when it is no image the portal shows. The
        database history keeps article texts only: an image's name is its content, it never
        changes. The image is decoded and cleaned before the turn: only writing takes it."""
        cleaned, ext = cleaned_image(data)
        with self._turn():
            path = store_cleaned(self.root, cleaned, ext)
            if isinstance(self.history, GitHistory):
                self._record([path], author, f"Add the image {path.name}")
        return path

    def _record(self, paths: list[Path], author: str, message: str) -> None:
        try:
            self.history.record(paths, author, message)
        except HistoryError as exc:
            # the file is saved and stays saved: a failing git (a hook, a broken repository) is
            # reported to the editor and logged, never a lost edit
            log.error("history of %s not recorded: %s", ", ".join(map(str, paths)), exc)
            self.history_error = str(exc)


def _reason(exc: OSError) -> str:
    """What went wrong, without the file's path ("Read-only file system", "No space left on device")."""
    return exc.strerror or (str(exc) if exc.filename is None else type(exc).__name__)


def _within(root: Path, folder: Path) -> bool:
    real_root = os.path.realpath(root)
    real = os.path.realpath(folder)
    return real == real_root or real.startswith(real_root + os.sep)
