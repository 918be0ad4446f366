"""What replicas need: a write-checking /readyz with the build id, one secret key, shared limits.

Real PostgreSQL and Redis servers (tests/db_servers.py); the two-replica load
test with `kb serve` processes is tests/test_replicas.py.
"""
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from kb.ops.accounts import Accounts
from web.conftest import ROOT, csrf_token

PASSWORD = "correct horse battery"


def test_readiness_reports_a_database_that_reads_but_cannot_write(app, client, monkeypatch):
    """A read-only mount (or a full disk) answers SELECT 1 but loses every vote: not 'ok'."""
    from kb.web import ops
    store = app.extensions["kb.store"]
    assert client.get("/readyz").get_json()["database"] == "ok"
    monkeypatch.setattr(ops, "WRITE_CHECK_SECONDS", 0.0)  # the next call checks again

    def read_only_connect():
        db = sqlite3.connect(f"file:{store.path}?mode=ro", uri=True, timeout=0.2, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db
    store.backend.connect = read_only_connect
    store._local = threading.local()
    r = client.get("/readyz")
    body = r.get_json()
    assert r.status_code == 200 and body["status"] == "degraded"
    assert "not writable" in body["database"]
    assert client.get("/api/search?q=Lieferung").status_code == 200  # searching still works


def test_a_flood_of_readiness_calls_writes_to_the_database_once(app, client, monkeypatch):
    store = app.extensions["kb.store"]
    checks = []
    monkeypatch.setattr(store, "check_writable", lambda: checks.append(1))
    assert all(client.get("/readyz").get_json()["database"] == "ok" for _ in range(20))
    assert len(checks) == 1


def test_readiness_reports_the_build_it_serves(app, client):
    body = client.get("/readyz").get_json()
    assert body["build"] == app.extensions["kb.live"].current.build.name == body["index"]["build"]
    assert body["database_engine"] == "sqlite" and body["replica"]


# a health check gives up after 3 s: /readyz answers well within it whatever the database does
READY_WITHIN = 1.5
STALL_SECONDS = 6.0  # longer than a write check's own wait (ops.CHECK_WAIT) and its connect timeout
RECOVERY_SECONDS = 20.0
PROBES_AT_ONCE = 4


def _timed_readyz(app, answers: list) -> None:
    started = time.monotonic()
    body = app.test_client().get("/readyz").get_json()
    answers.append((time.monotonic() - started, body))


def test_readiness_answers_at_once_while_postgresql_stalls_and_recovers(built_index, tmp_path, monkeypatch,
                                                                      postgres_server):
    """A frozen PostgreSQL (connections open, nothing answers): every /readyz answers within
    READY_WITHIN, 'degraded' with the write check pending or failed; probes at once never
    start more than one check; once PostgreSQL answers again it is 'ready', without a restart."""
    from kb.web import ops
    monkeypatch.setenv("KB_SECRET_KEY", "0123456789abcdef" * 4)
    monkeypatch.setattr(ops, "WRITE_CHECK_SECONDS", 0.5)  # the test sees several checks in a few seconds
    app = _replica(built_index, tmp_path, postgres_server.new_database(), "stall")
    assert app.test_client().get("/readyz").get_json()["status"] == "ready"
    answers: list = []
    checks_at_once = 0
    with postgres_server.frozen():
        deadline = time.monotonic() + STALL_SECONDS
        while time.monotonic() < deadline:
            probes = [threading.Thread(target=_timed_readyz, args=(app, answers)) for _ in range(PROBES_AT_ONCE)]
            for probe in probes:
                probe.start()
            checks_at_once = max(checks_at_once, sum(t.name == "kb-write-check" for t in threading.enumerate()))
            for probe in probes:
                probe.join()
    assert max(seconds for seconds, _ in answers) < READY_WITHIN
    assert checks_at_once == 1
    last = answers[-1][1]
    assert last["status"] == "degraded" and last["database"] != "ok" and last["index"]["articles"]
    assert any("write check pending" in body["database"] for _, body in answers)
    deadline = time.monotonic() + RECOVERY_SECONDS
    while app.test_client().get("/readyz").get_json()["status"] != "ready" and time.monotonic() < deadline:
        time.sleep(0.2)
    body = app.test_client().get("/readyz").get_json()
    assert body["status"] == "ready" and body["database"] == "ok"


def _replica(built_index, tmp_path, url, name, **config):
    from kb.web import create_app
    return create_app({"KB_INDEX": str(built_index), "INSTANCE": str(tmp_path / name), "DATABASE": url,
                       "KB_SITE": str(ROOT / "site.yml"), "RATELIMIT_ENABLED": False, **config})


def test_a_shared_database_needs_the_secret_key_from_the_environment(built_index, tmp_path, monkeypatch,
                                                                   postgres_server):
    from kb.web.deployment import ConfigurationError
    monkeypatch.delenv("KB_SECRET_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="KB_SECRET_KEY is required"):
        _replica(built_index, tmp_path, postgres_server.new_database(), "a")
    assert not (tmp_path / "a" / "secret_key").exists()  # no key of its own was generated


def test_a_bad_database_url_is_a_clear_error(built_index, tmp_path):
    from kb.web.deployment import ConfigurationError
    with pytest.raises(ConfigurationError, match="KB_DATABASE_URL"):
        _replica(built_index, tmp_path, "mysql://db/kb", "a")


def test_sessions_and_csrf_tokens_work_across_replicas(built_index, tmp_path, monkeypatch, postgres_server):
    monkeypatch.setenv("KB_SECRET_KEY", "one secret for every replica " * 2)
    url = postgres_server.new_database()
    one, two = _replica(built_index, tmp_path, url, "one"), _replica(built_index, tmp_path, url, "two")
    Accounts(one.extensions["kb.store"]).add("anna", "agent", PASSWORD)
    a, b = one.test_client(), two.test_client()
    token = csrf_token(a.get("/agent/login").get_data(as_text=True))
    b.set_cookie("session", a.get_cookie("session").value)  # the balancer sends the next request to two
    r = b.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    assert r.status_code in (302, 303) and "login" not in r.headers["Location"]
    a.set_cookie("session", b.get_cookie("session").value)  # and the one after that back to one
    assert a.get("/agent/").status_code == 200


def _feedback(client, address):
    return client.post("/api/feedback", json={"article_id": "en/returns", "helpful": True},
                       environ_base={"REMOTE_ADDR": address}).status_code


def test_redis_keeps_one_budget_per_client_for_all_replicas(make_app, redis_server):
    limited = {"RATE_LIMIT_WRITE": "3 per minute", "RATELIMIT_STORAGE_URI": redis_server.url,
               "RATELIMIT_ENABLED": True}
    first = make_app(**limited).test_client()
    assert [_feedback(first, "10.0.0.1") for _ in range(2)] == [201, 201]
    # a second replica: a new limiter storage that only shares Redis with the first
    second = make_app(**limited).test_client()
    assert [_feedback(second, "10.0.0.1") for _ in range(2)] == [201, 429]
    assert _feedback(second, "10.0.0.2") == 201  # another client: its own budget
    limits = second.get("/readyz").get_json()["rate_limits"]
    assert limits == {"storage": redis_server.url, "reachable": True}


def test_limits_count_in_memory_while_redis_is_down(make_app, caplog):
    from db_servers import free_port
    down = f"redis://:secret@127.0.0.1:{free_port()}/0"
    app = make_app(RATE_LIMIT_WRITE="2 per minute", RATELIMIT_STORAGE_URI=down, RATELIMIT_ENABLED=True)
    assert "cannot be reached; each server counts in its own memory" in caplog.text and "secret" not in caplog.text
    client = app.test_client()
    assert [_feedback(client, "x") for _ in range(3)] == [201, 201, 429]
    assert client.get("/api/search?q=Lieferung").status_code == 200
    ready = client.get("/readyz").get_json()  # an operator sees each replica counting alone
    assert ready["status"] == "degraded" and ready["rate_limits"]["reachable"] is False
    assert "secret" not in ready["rate_limits"]["storage"] and "127.0.0.1" in ready["rate_limits"]["storage"]


@pytest.mark.parametrize("storage", ["reddis://127.0.0.1:6379", "127.0.0.1:6379", "redis:/127.0.0.1:6379",
                                     "memcached://127.0.0.1:11211", "redis://:pw@127.0.0.1:notaport/0",
                                     "redis://127.0.0.1:99999/0", "redis://[::1/0"])
def test_a_rate_limit_storage_that_cannot_work_is_refused_with_a_message(make_app, storage):
    from kb.web.deployment import ConfigurationError
    with pytest.raises(ConfigurationError, match="KB_RATE_LIMIT_STORAGE=.* cannot be used .*redis://host:6379/0") as raised:
        make_app(RATELIMIT_STORAGE_URI=storage, RATELIMIT_ENABLED=True)
    assert ":pw@" not in str(raised.value)


def test_only_the_configured_proxy_may_report_client_addresses(monkeypatch):
    from kb.web.deployment import proxy_settings
    monkeypatch.delenv("KB_TRUSTED_PROXY", raising=False)
    assert proxy_settings() == {"clear_untrusted_proxy_headers": True}
    monkeypatch.setenv("KB_TRUSTED_PROXY", "10.0.0.5")
    settings = proxy_settings()
    assert settings["trusted_proxy"] == "10.0.0.5" and settings["trusted_proxy_count"] == 1
    assert settings["trusted_proxy_headers"] == {"x-forwarded-for", "x-forwarded-proto"}


def test_a_build_copied_to_a_replica_is_switched_to_atomically(built_index, make_app, tmp_path):
    """The second way to feed replicas (deploy/README.md): copy the build folder, then rename `current`."""
    import os
    import shutil
    build = (built_index / "current").resolve()
    replica_index = tmp_path / "replica-index"
    shutil.copytree(build, replica_index / build.name, symlinks=True)
    os.symlink(build.name, replica_index / "current")
    app = make_app(KB_INDEX=str(replica_index), RATELIMIT_ENABLED=False)
    client = app.test_client()
    assert client.get("/readyz").get_json()["build"] == build.name
    newer = build.name + "-copied"
    shutil.copytree(build, replica_index / newer, symlinks=True)  # copied first, not yet served
    assert client.get("/readyz").get_json()["build"] == build.name
    os.symlink(newer, replica_index / ".current-new")
    os.replace(replica_index / ".current-new", replica_index / "current")  # `mv -T`: one rename
    assert app.extensions["kb.live"].reload()
    body = client.get("/readyz").get_json()
    assert body["build"] == newer and body["status"] == "ready"
    assert client.get("/api/search?q=Lieferung").status_code == 200


def test_the_portal_api_and_insights_on_postgresql(built_index, tmp_path, monkeypatch, postgres_server):
    """Every route that writes or reads the store, once on PostgreSQL."""
    monkeypatch.setenv("KB_SECRET_KEY", "0123456789abcdef" * 4)
    app = _replica(built_index, tmp_path, postgres_server.new_database(), "pg")
    Accounts(app.extensions["kb.store"]).add("eva", "editor", PASSWORD)
    client = app.test_client()
    search = client.get("/api/search?q=Lieferung&limit=2").get_json()
    assert search["search_id"]
    assert client.get(search["results"][0]["url"]).status_code == 200  # an article view is counted
    assert client.post("/api/feedback", json={"article_id": search["results"][0]["id"], "helpful": False,
                                              "comment": "zu kurz", "search_id": search["search_id"]}).status_code == 201
    r = client.post("/api/contact", json={"question": "Wo bleibt es?", "consent": True,
                                          "search_id": search["search_id"]})
    assert r.status_code == 201
    client.set_cookie("lang", "en")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "eva", "password": PASSWORD})
    assert "Wo bleibt es?" in client.get("/agent/inbox").get_data(as_text=True)
    page = client.get("/agent/insights")
    assert page.status_code == 200 and "zu kurz" in page.get_data(as_text=True)
    for name in ("top-searches", "unanswered", "not-helpful", "articles", "deflection"):
        assert client.get(f"/agent/insights/{name}.csv").status_code == 200, name


def test_a_replica_older_than_the_database_schema_serves_and_says_so(make_app, tmp_path, caplog):
    """A rolling upgrade: the first new replica migrated; an old one starts, warns, and serves."""
    from kb.ops.database import Store
    from kb.ops.migrations import latest_version
    with Store(tmp_path / "kb.sqlite3").transaction() as db:
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'newer', 'now')",
                   (latest_version() + 1,))
    client = make_app(RATELIMIT_ENABLED=False).test_client()
    assert f"newer than this kb knows ({latest_version()})" in caplog.text
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready" and "upgrade kb" in body["database_schema"]
    assert client.get("/api/search?q=Lieferung").status_code == 200


class _SlowStore:
    """A store whose write check waits until released: the first check is still under way."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def check_writable(self) -> None:
        self.release.wait(5)

    def release_connection(self) -> None:
        pass


def test_the_first_pending_write_check_says_that_no_check_answered_before(monkeypatch):
    """Before any check ended there is no earlier result: not "(the check before: ok)"."""
    from kb.web import ops
    monkeypatch.setattr(ops, "ANSWER_WAIT", 0.05)
    check, store = ops._WriteCheck(), _SlowStore()
    first = check(store)
    assert first.startswith("write check pending") and "no check before it" in first and "ok" not in first
    assert "no check before it" in check(store)  # a probe at once after it: still pending, still no result
    store.release.set()
    deadline = time.monotonic() + 5
    while check(store) != "ok" and time.monotonic() < deadline:
        time.sleep(0.02)
    assert check(store) == "ok"


SCHEMA_SEEN_WITHIN = 5.0


def test_a_replica_reports_a_schema_a_newer_release_migrated_after_it_started(built_index, tmp_path, monkeypatch,
                                                                            store_url):
    """The rolling upgrade: this replica started first, then a newer release migrated the
    database; /readyz says database_schema within a write check's interval."""
    from kb.ops.database import Store
    from kb.ops.migrations import latest_version
    from kb.web import ops
    monkeypatch.setenv("KB_SECRET_KEY", "0123456789abcdef" * 4)
    monkeypatch.setattr(ops, "WRITE_CHECK_SECONDS", 0.1)
    app = _replica(built_index, tmp_path, store_url, "older")
    client = app.test_client()
    assert "database_schema" not in client.get("/readyz").get_json()
    newer = latest_version() + 1
    with Store(store_url, migrate=False).transaction() as db:  # the newer release's migration
        db.execute("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'newer', 'now')", (newer,))
    deadline = time.monotonic() + SCHEMA_SEEN_WITHIN
    body = client.get("/readyz").get_json()
    while "database_schema" not in body and time.monotonic() < deadline:
        time.sleep(0.05)
        body = client.get("/readyz").get_json()
    assert f"schema ({newer}) is newer than this kb knows" in body["database_schema"]
    assert body["database"] == "ok"  # it keeps serving beside the newer schema
