"""Agents and editors: accounts, password hashes and API tokens, in the portal's SQLite.

Customers never have accounts. Passwords are stored as argon2id hashes; API
tokens are shown once and stored as SHA-256 digests (they are long random
strings, so a fast hash is enough and lookups stay constant-time by index).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kb.ops.database import MAX_ROW_ID, Store, StoreUnavailable

ROLES = ("agent", "editor")
MIN_PASSWORD = 10
TOKEN_PREFIX = "kb_"
MAX_TOKEN_NAME = 60  # a column of `kb tokens list`
_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,39}$")
_hasher = PasswordHasher()
# verifying against this keeps the time of a login for an unknown user like a known one
_DUMMY_HASH = _hasher.hash(secrets.token_hex(16))

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('agent', 'editor')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    session_key TEXT
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    digest TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT
);
"""


# A database whose users table lacks the column gets it added in place.
SESSION_KEY_COLUMN = "ALTER TABLE users ADD COLUMN session_key TEXT"


def _session_key() -> str:
    """A fresh random key: sessions carry it, and only the user's current one is accepted."""
    return secrets.token_urlsafe(24)


class AccountError(ValueError):
    """A request about accounts that cannot be done; the message says why."""


@dataclass(frozen=True)
class User:
    id: int
    username: str
    role: str

    @property
    def is_editor(self) -> bool:
        return self.role == "editor"


@dataclass(frozen=True)
class Token:
    id: int
    username: str
    name: str
    created_at: str
    revoked_at: str | None


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class Accounts:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.ensure_schema(SCHEMA)
        self._add_session_key_column()

    def _has_session_key_column(self) -> bool:
        try:
            self.store.query("SELECT session_key FROM users LIMIT 1")
        except StoreUnavailable:  # "no such column": a database from before revocable sessions
            return False
        return True

    def _add_session_key_column(self) -> None:
        if self._has_session_key_column():
            return
        try:
            self.store.ensure_schema(SESSION_KEY_COLUMN)
        except Exception:
            if not self._has_session_key_column():  # else another process added it just now
                raise

    # -- users -----------------------------------------------------------------
    def add(self, username: str, role: str, password: str) -> User:
        username = username.strip().lower()
        if not _NAME.fullmatch(username):  # fullmatch: "$" would also pass a final newline
            raise AccountError("user names are 2-40 characters: lower-case letters, digits, '.', '_' or '-'")
        if role not in ROLES:
            raise AccountError(f"unknown role '{role}': use one of {', '.join(ROLES)}")
        self._check_password(password)
        try:
            with self.store.transaction() as db:
                cur = db.execute("INSERT INTO users (username, role, password_hash, created_at, session_key) "
                                 "VALUES (?, ?, ?, ?, ?)",
                                 (username, role, _hasher.hash(password), _now(), _session_key()))
        except sqlite3.IntegrityError as exc:
            raise AccountError(f"user '{username}' exists already") from exc
        return User(int(cur.lastrowid), username, role)

    def remove(self, username: str) -> None:
        with self.store.transaction() as db:
            row = db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                raise AccountError(f"no user '{username}'")
            db.execute("DELETE FROM api_tokens WHERE user_id = ?", (row["id"],))
            db.execute("DELETE FROM users WHERE id = ?", (row["id"],))

    def set_password(self, username: str, password: str) -> None:
        """A new password also signs the user out everywhere: old sessions stop working."""
        self._check_password(password)
        with self.store.transaction() as db:
            cur = db.execute("UPDATE users SET password_hash = ?, session_key = ? WHERE username = ?",
                             (_hasher.hash(password), _session_key(), username))
            if cur.rowcount != 1:
                raise AccountError(f"no user '{username}'")

    # -- sessions ---------------------------------------------------------------------
    def session_key(self, user_id: int) -> str:
        """The key a new session of this user carries (created for accounts from before keys)."""
        with self.store.transaction() as db:
            row = db.execute("SELECT session_key FROM users WHERE id = ?", (user_id,)).fetchone()
            if row is None:
                raise AccountError(f"no user with id {user_id}")
            if row["session_key"]:
                return row["session_key"]
            key = _session_key()
            db.execute("UPDATE users SET session_key = ? WHERE id = ?", (key, user_id))
            return key

    def end_sessions(self, user_id: int) -> None:
        """Sign the user out on every device: all sessions carrying the old key stop working."""
        with self.store.transaction() as db:
            db.execute("UPDATE users SET session_key = ? WHERE id = ?", (_session_key(), user_id))

    def session_user(self, user_id, key) -> User | None:
        """The user a session belongs to, or None when it was ended, or the account removed.

        The random key (not the id alone) identifies the session's account, so a
        removed user's cookie never opens an account created later with the same id.
        """
        if not isinstance(user_id, int) or not isinstance(key, str) or not key:
            return None
        rows = self.store.query("SELECT id, username, role, session_key FROM users WHERE id = ?", (user_id,))
        if not rows or not rows[0]["session_key"] or not secrets.compare_digest(rows[0]["session_key"].encode(), key.encode()):
            return None
        return User(rows[0]["id"], rows[0]["username"], rows[0]["role"])

    def list(self) -> list[tuple[User, str]]:
        return [(User(r["id"], r["username"], r["role"]), r["created_at"])
                for r in self.store.query("SELECT * FROM users ORDER BY username")]

    def get(self, user_id: int) -> User | None:
        rows = self.store.query("SELECT id, username, role FROM users WHERE id = ?", (user_id,))
        return User(rows[0]["id"], rows[0]["username"], rows[0]["role"]) if rows else None

    def authenticate(self, username: str, password: str) -> User | None:
        rows = self.store.query("SELECT * FROM users WHERE username = ?", (username.strip().lower(),))
        stored = rows[0]["password_hash"] if rows else _DUMMY_HASH
        try:
            _hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        if not rows:
            return None
        row = rows[0]
        if _hasher.check_needs_rehash(stored):
            with self.store.transaction() as db:
                db.execute("UPDATE users SET password_hash = ? WHERE id = ?", (_hasher.hash(password), row["id"]))
        return User(row["id"], row["username"], row["role"])

    @staticmethod
    def _check_password(password: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise AccountError(f"the password needs at least {MIN_PASSWORD} characters")
        if len(password) > 1024:
            raise AccountError("the password is too long (at most 1024 characters)")

    # -- API tokens ------------------------------------------------------------------
    def create_token(self, username: str, name: str = "api") -> tuple[Token, str]:
        """A new token; the secret is returned once and only its digest is kept."""
        name = " ".join(name.split())  # one line in `kb tokens list`
        if not name or len(name) > MAX_TOKEN_NAME:
            raise AccountError(f"the token's name says what it is for: 1 to {MAX_TOKEN_NAME} characters")
        secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self.store.transaction() as db:
            row = db.execute("SELECT id FROM users WHERE username = ?", (username,)).fetchone()
            if row is None:
                raise AccountError(f"no user '{username}'")
            created = _now()
            cur = db.execute("INSERT INTO api_tokens (user_id, name, digest, created_at) VALUES (?, ?, ?, ?)",
                             (row["id"], name, _digest(secret), created))
        return Token(int(cur.lastrowid), username, name, created, None), secret

    def revoke_token(self, token_id: int) -> None:
        if not 0 < token_id <= MAX_ROW_ID:  # no row has it; the database could not even compare it
            raise AccountError(f"no active token with id {token_id}")
        with self.store.transaction() as db:
            cur = db.execute("UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                             (_now(), token_id))
            if cur.rowcount != 1:
                raise AccountError(f"no active token with id {token_id}")

    def tokens(self) -> list[Token]:
        return [Token(r["id"], r["username"], r["name"], r["created_at"], r["revoked_at"])
                for r in self.store.query("SELECT t.*, u.username FROM api_tokens t JOIN users u "
                                          "ON u.id = t.user_id ORDER BY t.id")]

    def user_for_token(self, secret: str) -> User | None:
        if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
            return None
        rows = self.store.query("SELECT u.id, u.username, u.role FROM api_tokens t JOIN users u ON u.id = t.user_id "
                                "WHERE t.digest = ? AND t.revoked_at IS NULL", (_digest(secret),))
        return User(rows[0]["id"], rows[0]["username"], rows[0]["role"]) if rows else None
