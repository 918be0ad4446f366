"""Staff sessions: 8 hours, ended on the server by sign-out and new passwords, never inherited."""
import sqlite3
import time
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

import itsdangerous.timed
import pytest

from conftest import PASSWORD, csrf_token


def sign_in(client, username, password=PASSWORD):
    client.set_cookie("lang", "en")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    r = client.post("/agent/login", data={"csrf_token": token, "username": username, "password": password})
    assert r.status_code == 303, r.get_data(as_text=True)[:300]
    return r


def copy_of(app, client):
    """A second browser holding a copy of the first one's session cookie."""
    other = app.test_client()
    other.set_cookie("session", client.get_cookie("session").value)
    return other


def test_session_lives_eight_hours_not_a_month(app, client, accounts, monkeypatch):
    assert app.permanent_session_lifetime == timedelta(hours=8)
    r = sign_in(client, "anna")
    cookie = next(v for v in r.headers.getlist("Set-Cookie") if v.startswith("session="))
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    left = expires - datetime.now(timezone.utc)
    assert timedelta(hours=7, minutes=58) < left <= timedelta(hours=8, minutes=1)
    assert client.get("/agent/").status_code == 200
    later = int(time.time()) + 8 * 3600 + 60  # the signed timestamp is checked, not only the cookie's date
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp", lambda self: later)
    assert client.get("/agent/").status_code == 302


def test_a_busy_session_still_ends_eight_hours_after_sign_in(client, accounts, monkeypatch):
    real_time = time.time
    sign_in(client, "anna")
    for hours in (2, 4, 6, 7.9):  # a request every two hours re-signs the cookie each time
        monkeypatch.setattr(time, "time", lambda h=hours: real_time() + h * 3600)
        assert client.get("/agent/").status_code == 200, hours
    monkeypatch.setattr(time, "time", lambda: real_time() + 8 * 3600 + 60)
    assert client.get("/agent/").status_code == 302


def test_sign_out_ends_copied_sessions(app, client, accounts):
    sign_in(client, "anna")
    copied = copy_of(app, client)
    assert copied.get("/agent/").status_code == 200
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    assert client.post("/agent/logout", data={"csrf_token": token}).status_code == 303
    r = copied.get("/agent/")
    assert r.status_code == 302 and "/agent/login" in r.headers["Location"]
    sign_in(client, "anna")  # signing in again works and starts a new session
    assert client.get("/agent/").status_code == 200


def test_new_password_ends_existing_sessions(app, client, accounts):
    sign_in(client, "eva")
    assert client.get("/agent/insights").status_code == 200
    accounts.set_password("eva", "a brand new passphrase")  # what `kb users passwd` calls
    assert client.get("/agent/insights").status_code == 302
    sign_in(client, "eva", "a brand new passphrase")
    assert client.get("/agent/insights").status_code == 200


def test_removed_users_cookie_does_not_open_the_next_account_with_its_id(app, client, accounts):
    sign_in(client, "eva")
    old_id = accounts.authenticate("eva", PASSWORD).id
    accounts.remove("eva")
    newcomer = accounts.add("mallory", "editor", "another long password")
    assert newcomer.id == old_id  # SQLite hands out the freed id again: the session key must tell them apart
    r = client.get("/agent/insights")
    assert r.status_code == 302 and "/agent/login" in r.headers["Location"]


def _database_without_session_keys(tmp_path):
    """A users table as it was before session keys."""
    path = tmp_path / "old.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, role TEXT NOT NULL, "
                "password_hash TEXT NOT NULL, created_at TEXT NOT NULL)")
    con.commit()
    con.close()
    return path


def test_database_from_before_session_keys_is_migrated(tmp_path):
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    path = _database_without_session_keys(tmp_path)
    accounts = Accounts(Store(path))
    user = accounts.add("anna", "agent", PASSWORD)
    key = accounts.session_key(user.id)
    assert accounts.session_user(user.id, key) == user
    assert accounts.session_user(user.id, "forged") is None and accounts.session_user(user.id, None) is None
    accounts.end_sessions(user.id)
    assert accounts.session_user(user.id, key) is None
    Accounts(Store(path))  # a second start finds the column and leaves it


def test_migration_tolerates_another_process_adding_the_column_first(tmp_path, monkeypatch):
    from kb.ops.accounts import SESSION_KEY_COLUMN, Accounts
    from kb.ops.database import Store
    path = _database_without_session_keys(tmp_path)
    real = Store.ensure_schema

    def racing(self, sql):
        if sql == SESSION_KEY_COLUMN:  # the other server process is a moment faster
            other = sqlite3.connect(path)
            other.execute(SESSION_KEY_COLUMN)
            other.commit()
            other.close()
        real(self, sql)
    monkeypatch.setattr(Store, "ensure_schema", racing)
    accounts = Accounts(Store(path))
    assert accounts.add("anna", "agent", PASSWORD).username == "anna"


def test_staff_pages_are_not_stored_by_caches(app, client, accounts):
    assert "no-store" in client.get("/agent/login").headers.get("Cache-Control", "")
    sign_in(client, "anna")
    for path in ("/agent/", "/agent/inbox", "/api/search?q=Paket", "/"):
        assert client.get(path).headers.get("Cache-Control") == "no-store", path
    token, _digest = accounts.create_token("anna")
    r = app.test_client().get("/api/search?q=Paket", headers={"Authorization": f"Bearer {_digest}"})
    assert r.status_code == 200 and r.headers.get("Cache-Control") == "no-store"
    assert "no-store" not in app.test_client().get("/api/search?q=Paket").headers.get("Cache-Control", "")


def test_over_https_the_session_cookie_is_secure_and_browsers_keep_to_https(client):
    plain = client.get("/agent/login")
    assert "Secure" not in plain.headers["Set-Cookie"] and "Strict-Transport-Security" not in plain.headers
    secure = client.get("/agent/login", base_url="https://help.example.de")  # as a trusted proxy reports it
    assert "session=" in secure.headers["Set-Cookie"] and "; Secure" in secure.headers["Set-Cookie"]
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000"
    chosen = client.get("/?lang=en", base_url="https://help.example.de")
    assert "; Secure" in chosen.headers["Set-Cookie"]
