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
    # 10: the hourly counts, the purge runs and who has a request open, empty
    assert "Copied 7 rows in 9 tables" in r.output and "search_counts" in r.output
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


def _shop_on_every_table_kind(url):
    """A shop started once (every table), with rows in the store's and the modules' tables."""
    from kb.ops import learning
    from kb.ops.all_tables import create_all_tables
    from kb.ops.article_moves import ArticleMoves
    from kb.ops.article_review import Reviews
    from kb.ops.contact_details import ContactDetails
    from kb.ops.handoff.outbox import Outbox
    store = Store(url)
    create_all_tables(store)
    accounts = Accounts(store)
    accounts.add("anna", "agent", PASSWORD)
    accounts.add("eva", "editor", PASSWORD)
    accounts.create_token("eva", "bot")
    for n in range(3):
        token = store.log_search(f"Paket weg {n}", "de", n != 1, ["a"], "portal", hedged=n == 2)
        store.add_feedback("a", n == 0, "zu kurz" if n else None, "de", token)
    ref = store.add_contact_request("Wo bleibt es?", "k@example.de", "de", "Paket", ["a"])
    ContactDetails(store).save(ref, "123-456", False)
    Outbox(store).enqueue(ref, {"question": "Wo bleibt es?"}, ("email",))
    store.count_view("a")
    ArticleMoves(store).record("de/alt", "de/neu")
    Reviews(store).request("de/neu", "eva", "v1")
    learning.record_copy(store, "paket verloren", "de", "a", "anna")
    return store


def _contents(url) -> dict:
    """Every table's rows (bookkeeping left out), in a comparable order."""
    from kb.ops.db_copy import SKIPPED_TABLES, _all_tables
    store = Store(url, migrate=False)
    return {t: sorted(map(tuple, store.query(f'SELECT * FROM "{t}"')), key=repr)
            for t in sorted(_all_tables(store) - SKIPPED_TABLES)}


def test_a_backup_round_trip_postgresql_to_a_new_sqlite_file_and_back(tmp_path, postgres_server):
    """The restore drill of README's "Backups": PostgreSQL -> a SQLite file that does not exist
    yet (nor its folder) -> a fresh PostgreSQL; every table's rows arrive as they left."""
    source = postgres_server.new_database()
    _shop_on_every_table_kind(source)
    backup = tmp_path / "backups" / "kb.sqlite3"
    r = kb("copy", "--from", source, "--to", f"sqlite:///{backup}")
    assert r.exit_code == 0, r.output
    restored = postgres_server.new_database()
    r = kb("copy", "--from", f"sqlite:///{backup}", "--to", restored)
    assert r.exit_code == 0, r.output
    original = _contents(source)
    assert {t: len(rows) for t, rows in _contents(f"sqlite:///{backup}").items()} == \
        {t: len(rows) for t, rows in original.items()}
    assert _contents(restored) == original
    assert f"Copied {sum(map(len, original.values()))} rows in {len(original)} tables" in r.output
    assert len(original) >= 15 and original["api_tokens"] and original["handoff_outbox"]
    moved = Accounts(Store(restored))
    assert moved.authenticate("eva", PASSWORD).id == 2 and moved.add("bob", "agent", PASSWORD).id == 3
    assert kb("status", "--url", restored).exit_code == 0


def _at_version(url, version):
    with Store(url, migrate=False).transaction() as db:
        db.execute("DELETE FROM schema_migrations WHERE version > ?", (version,))
        if version > latest_version():
            db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'newer', 'now')",
                       (version,))


def test_a_copy_refuses_other_schema_versions_and_empty_sources_and_creates_nothing(tmp_path):
    source = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    _shop(tmp_path / "kb.sqlite3")
    target = tmp_path / "new" / "backup.sqlite3"
    known = latest_version()
    newer_target = f"sqlite:///{tmp_path / 'newer.sqlite3'}"
    Store(newer_target)
    _at_version(newer_target, known + 1)
    r = kb("copy", "--from", source, "--to", newer_target)
    assert r.exit_code == 1 and "the target: the database's schema" in r.output and "upgrade kb" in r.output
    _at_version(source, known + 1)
    r = kb("copy", "--from", source, "--to", f"sqlite:///{target}")
    assert r.exit_code == 1 and f"schema ({known + 1}) is newer than this kb knows ({known})" in r.output
    assert not (tmp_path / "new").exists()
    _at_version(source, known - 1)
    r = kb("copy", "--from", source, "--to", f"sqlite:///{target}")
    assert r.exit_code == 1 and f"schema is version {known - 1}, this kb's is {known}" in r.output
    assert "kb db upgrade --url" in r.output and not (tmp_path / "new").exists()
    empty = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    Store(empty)
    r = kb("copy", "--from", empty, "--to", f"sqlite:///{target}")
    assert r.exit_code == 1 and "has no rows in any of its" in r.output and "Copied" not in r.output
    assert not (tmp_path / "new").exists()


def test_a_failed_copy_removes_the_file_it_created(tmp_path, postgres_server):
    """A PostgreSQL table no kb module knows cannot be made in SQLite: refused, and the new
    file (and its new folder) are gone, so no half-made backup stays behind."""
    source = postgres_server.new_database()
    _shop_on_every_table_kind(source).ensure_schema("CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY)")
    target = tmp_path / "new" / "backup.sqlite3"
    r = kb("copy", "--from", source, "--to", f"sqlite:///{target}")
    assert r.exit_code == 1 and "tables this kb does not know: notes" in r.output and "was removed" in r.output
    assert not (tmp_path / "new").exists()
    existing = tmp_path / "existing.sqlite3"
    Store(existing)  # a file the copy did not create stays, however the copy ends
    r = kb("copy", "--from", source, "--to", f"sqlite:///{existing}")
    assert r.exit_code == 1 and existing.exists() and "was removed" not in r.output


def test_the_full_schema_holds_every_table_a_module_creates(tmp_path):
    import re
    from pathlib import Path
    from kb.ops.all_tables import create_all_tables
    from kb.ops.db_copy import _all_tables
    ops = Path(__file__).resolve().parent.parent / "kb" / "ops"
    made = {name for path in ops.rglob("*.py")
            for name in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", path.read_text(encoding="utf-8"))}
    store = Store(tmp_path / "kb.sqlite3", migrate=False)
    create_all_tables(store)
    assert made and made <= _all_tables(store), made - _all_tables(store)


def test_a_read_snapshot_sees_one_moment_while_a_server_writes(store_url):
    """kb db copy reads its source so: a backup of a live database is consistent across tables."""
    store, server = Store(store_url), Store(store_url)  # two connections, as two processes
    server.log_search("eins", "de", True, ["a"], "portal")
    with store.read_snapshot():
        assert len(store.query("SELECT * FROM searches")) == 1
        server.log_search("zwei", "de", True, ["a"], "portal")
        server.count_view("a")
        assert len(store.query("SELECT * FROM searches")) == 1 and not store.query("SELECT * FROM article_views")
    assert len(store.query("SELECT * FROM searches")) == 2
    with store.transaction() as db:  # the connection is usable for writes after it
        db.execute("DELETE FROM article_views")


def _copy_target(request, store_url, tmp_path) -> str:
    """A new database of the source's engine."""
    if store_url.startswith("sqlite"):
        return f"sqlite:///{tmp_path / 'copy' / 'kb.sqlite3'}"
    return request.getfixturevalue("postgres_server").new_database()


def test_a_copy_reads_each_table_in_batches_and_copies_every_row(request, store_url, tmp_path, monkeypatch):
    """A large table is never read whole: with batches of 2 rows, tables of 3 and more rows
    are read in several batches, and every table arrives as it left (both engines)."""
    from kb.ops import db_copy
    monkeypatch.setattr(db_copy, "BATCH_ROWS", 2)
    batches: list[int] = []
    read_in_batches = Store.read_in_batches

    def counted(self, sql, params=(), rows=1000):
        for batch in read_in_batches(self, sql, params, rows):
            batches.append(len(batch))
            yield batch
    monkeypatch.setattr(Store, "read_in_batches", counted)
    source = _shop_on_every_table_kind(store_url)
    for n in range(4):
        source.log_search(f"Rücksendung {n}", "de", True, ["b"], "api")
    target = _copy_target(request, store_url, tmp_path)
    r = kb("copy", "--from", store_url, "--to", target)
    assert r.exit_code == 0, r.output
    assert max(batches) == 2 and batches.count(2) >= 3  # searches: 7 rows in 4 batches
    assert _contents(target) == _contents(store_url)


def test_a_copy_whose_check_fails_after_the_commit_says_the_rows_stay(tmp_path, postgres_server, monkeypatch):
    """The row counts are checked after the commit: a mismatch then is not "nothing was copied"."""
    from kb.ops import db_copy
    copy_rows = db_copy._copy_rows

    def one_row_too_many(source, target, tables):
        copied = copy_rows(source, target, tables)
        return [db_copy.Copied(c.table, c.rows + (c.table == "searches")) for c in copied]
    monkeypatch.setattr(db_copy, "_copy_rows", one_row_too_many)
    _shop(tmp_path / "kb.sqlite3")
    target = postgres_server.new_database()
    r = kb("copy", "--from", f"sqlite:///{tmp_path / 'kb.sqlite3'}", "--to", target)
    assert r.exit_code == 1 and "nothing was copied" not in r.output
    assert "the rows were committed, but table searches has 1 rows in the target where 2 were read" in r.output
    assert "The rows stay in" in r.output and "before copying again" in r.output
    r = kb("copy", "--from", f"sqlite:///{tmp_path / 'kb.sqlite3'}", "--to", f"sqlite:///{tmp_path / 'new.sqlite3'}")
    assert r.exit_code == 1 and "was removed" in r.output and not (tmp_path / "new.sqlite3").exists()
