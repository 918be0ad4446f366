"""`kb db upgrade`, `kb db status` and `kb db copy` (SQLite to a real PostgreSQL)."""
import sqlite3

from click.testing import CliRunner

from kb.cli import main
from kb.ops.accounts import Accounts
from kb.ops.database import SCHEMA, Store
from kb.ops.migrations import latest_version

PASSWORD = "correct horse battery"


def kb(*args, env=None):
    return CliRunner().invoke(main, ["db", *args], env=env, catch_exceptions=False)


def test_upgrade_and_status_of_a_database_from_before_migrations(tmp_path):
    path = tmp_path / "kb.sqlite3"
    old = sqlite3.connect(path)
    old.executescript(SCHEMA)
    old.close()
    url = f"sqlite:///{path}"
    r = kb("status", "--url", url)
    assert r.exit_code == 0 and f"schema version 0 of {latest_version()}" in r.output and "kb db upgrade" in r.output
    r = kb("upgrade", "--url", url)
    assert r.exit_code == 0 and "applied 1:" in r.output and f"schema version {latest_version()}" in r.output
    r = kb("upgrade", env={"KB_DATABASE_URL": url})
    assert r.exit_code == 0 and "(up to date)" in r.output


def test_bad_urls_and_missing_files_are_clear_errors(tmp_path):
    r = kb("status", "--url", "mysql://db/kb")
    assert r.exit_code == 1 and "unsupported database URL" in r.output
    r = kb("status", "--url", "postgresql+psycopg://kb:S3cretPassw0rd@db.internal/kb")  # SQLAlchemy's spelling
    assert r.exit_code == 1 and "postgresql+psycopg://db.internal/kb" in r.output and "S3cret" not in r.output
    r = kb("copy", "--from", f"sqlite:///{tmp_path / 'none.sqlite3'}", "--to", f"sqlite:///{tmp_path / 'b'}")
    assert r.exit_code == 1 and "no SQLite database" in r.output


def _shop(path):
    store = Store(path)
    accounts = Accounts(store)
    accounts.add("anna", "agent", PASSWORD)
    accounts.add("eva", "editor", PASSWORD)
    accounts.remove("anna")  # ids 1 and 2 used; 1 is gone
    accounts.create_token("eva", "bot")
    token = store.log_search("Paket weg 50% Rabatt?", "de", True, ["a"], "portal")
    store.add_feedback("a", False, "zu kurz", "de", token)
    store.add_contact_request("Wo bleibt es?", "k@example.de", "de", "Paket", ["a"], token)
    store.count_view("a")
    store.ensure_schema("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                        "body TEXT NOT NULL, score REAL); CREATE INDEX IF NOT EXISTS notes_body ON notes(body);")
    with store.transaction() as db:
        db.execute("INSERT INTO notes (body, score) VALUES ('another module''s row', 0.25)")
    return store


def test_copy_a_shop_from_sqlite_to_postgresql(tmp_path, postgres_server):
    _shop(tmp_path / "kb.sqlite3")
    target = postgres_server.new_database()
    r = kb("copy", "--from", f"sqlite:///{tmp_path / 'kb.sqlite3'}", "--to", target)
    assert r.exit_code == 0, r.output
    assert "Copied 7 rows in 8 tables" in r.output and "search_counts" in r.output  # 8: the hourly counts, empty
    moved = Store(target)
    accounts = Accounts(moved)
    assert accounts.authenticate("eva", PASSWORD).id == 2 and accounts.get(1) is None
    assert [t.name for t in accounts.tokens()] == ["bot"]
    assert accounts.add("bob", "agent", PASSWORD).id == 3  # ids continue after the copied ones
    search = moved.query("SELECT * FROM searches")[0]
    assert search["query"] == "Paket weg 50% Rabatt?" and search["answered"] == 1
    assert moved.query("SELECT comment FROM feedback")[0]["comment"] == "zu kurz"
    assert moved.contact_requests()[0]["email"] == "k@example.de"
    assert moved.query("SELECT body, score FROM notes")[0]["score"] == 0.25
    r = kb("copy", "--from", f"sqlite:///{tmp_path / 'kb.sqlite3'}", "--to", target)
    assert r.exit_code == 1 and "not empty" in r.output and "nothing was copied" in r.output


def _migrated_by_a_newer_release(url) -> int:
    """The database as a newer kb leaves it: one migration more than this kb knows."""
    newer = latest_version() + 1
    store = Store(url)
    with store.transaction() as db:
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                   (newer, "a newer release's migration", "2030-01-01T00:00:00Z"))
    return newer


def _schema_rows(url):
    return [tuple(r) for r in Store(url, migrate=False).query("SELECT * FROM schema_migrations ORDER BY version")]


def test_a_database_a_newer_release_migrated_is_said_and_left_alone(store_url, caplog):
    newer = _migrated_by_a_newer_release(store_url)
    said = (f"the database's schema ({newer}) is newer than this kb knows ({latest_version()}): "
            "this is an older release than the one that migrated it; upgrade kb")
    before = _schema_rows(store_url)
    r = kb("upgrade", "--url", store_url)
    assert r.exit_code == 1 and said in r.output and "up to date" not in r.output
    assert _schema_rows(store_url) == before  # nothing applied, nothing recorded
    r = kb("status", "--url", store_url)
    assert r.exit_code == 1 and said in r.output and f"schema version {newer} (this kb knows" in r.output
    assert "a newer release's migration" in r.output
    # a replica of the older release keeps serving beside it (a rolling upgrade), and says so
    store = Store(store_url)
    assert said in caplog.text and "keeps running" in caplog.text and store.schema_warning == said
    assert store.log_search("Paket", "de", True, ["a"], "portal")
    assert _schema_rows(store_url) == before
