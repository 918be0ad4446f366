"""A real app on a real (small) index and a real SQLite file, per test."""
import re
import sqlite3
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture()
def make_app(built_index, tmp_path):
    from kb.web import create_app

    def make(**overrides):
        return create_app({
            "KB_INDEX": str(built_index), "INSTANCE": str(tmp_path / "instance"),
            "DATABASE": str(tmp_path / "kb.sqlite3"), "KB_SITE": str(ROOT / "site.yml"),
            "SECRET_KEY": "test-secret", **overrides,
        })
    return make


@pytest.fixture()
def app(make_app):
    """Rate limits off: tests send many requests from one address (limits have their own tests)."""
    return make_app(RATELIMIT_ENABLED=False)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def db(app):
    """Read what the app wrote, through a separate connection."""
    def rows(sql, params=()):
        con = sqlite3.connect(app.config["DATABASE"])
        con.row_factory = sqlite3.Row
        try:
            return [dict(r) for r in con.execute(sql, params)]
        finally:
            con.close()
    return rows


PASSWORD = "correct horse battery"


@pytest.fixture()
def accounts(app):
    """Anna (agent) and Eva (editor), both with PASSWORD."""
    acc = app.extensions["kb.accounts"]
    acc.add("anna", "agent", PASSWORD)
    acc.add("eva", "editor", PASSWORD)
    return acc


def csrf_token(html: str) -> str:
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)
