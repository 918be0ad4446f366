"""Fixtures for the editor tests: an app whose articles folder is a writable copy with its own index."""
import shutil
from pathlib import Path

import pytest

from tests.web.conftest import ROOT, csrf_token

FIXTURES = ROOT / "tests" / "fixtures" / "articles"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="session")
def editor_index(tmp_path_factory, encoders):
    """One index of the fixture articles, copied per test (a build reuses its vectors: fast)."""
    from kb.encoders import DEFAULT_MODELS
    from kb.index.build import build_index
    base = tmp_path_factory.mktemp("editor-idx")
    shutil.copytree(FIXTURES, base / "articles")
    build_index(base / "articles", base / "index", lambda: encoders, DEFAULT_MODELS)
    return base / "index"


@pytest.fixture()
def editor_app(editor_index, tmp_path):
    """make(**config) -> app with articles in tmp_path/articles, users eva and otto (editors), anna (agent).

    At the end every re-index the test started has finished: a build still running
    in its thread beside the next test's app creation made CPython 3.11 fail
    compiling that app's URL rules (SystemError from ast.parse).
    """
    from kb.ops.accounts import Accounts
    from kb.web import create_app
    made = []

    def make(site: str | None = None, **overrides):
        articles = tmp_path / "articles"
        if not articles.exists():
            shutil.copytree(FIXTURES, articles)
            shutil.copytree(editor_index, tmp_path / "index", symlinks=True)
        site_file = tmp_path / "site.yml"
        site_file.write_text(site or (ROOT / "site.yml").read_text(encoding="utf-8"), encoding="utf-8")
        app = create_app({"KB_INDEX": str(tmp_path / "index"), "KB_ARTICLES": str(articles),
                          "INSTANCE": str(tmp_path / "instance"), "DATABASE": str(tmp_path / "kb.sqlite3"),
                          "KB_SITE": str(site_file), "SECRET_KEY": "test-secret", "RATELIMIT_ENABLED": False,
                          **overrides})
        accounts = Accounts(app.extensions["kb.store"])
        known = {user.username for user, _created in accounts.list()}
        for name, role in (("eva", "editor"), ("otto", "editor"), ("anna", "agent")):
            if name not in known:
                accounts.add(name, role, PASSWORD)
        made.append(app)
        return app
    yield make
    for app in made:
        assert app.extensions["kb.reindexer"].settle(timeout=120), "a re-index did not finish"


def sign_in(client, name: str) -> None:
    page = client.get("/agent/login").get_data(as_text=True)
    r = client.post("/agent/login", data={"username": name, "password": PASSWORD, "csrf_token": csrf_token(page)})
    assert r.status_code == 303, r.get_data(as_text=True)[:500]


def form_of(client, url: str) -> dict:
    """The fields of the article form at ``url``, as the browser would send them."""
    return fields_of(client.get(url).get_data(as_text=True))


def fields_of(html: str) -> dict:
    """The fields of the article form in a page (a GET's or a POST's answer)."""
    import re
    fields = {"csrf_token": csrf_token(html)}
    for name in ("base", "original", "id", "title", "category", "tags", "translation", "message",
                 "source"):
        m = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', html)
        if m:
            fields[name] = _unescape(m.group(1))
    for name in ("questions", "body", "summary"):
        m = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', html, re.S)
        fields[name] = _unescape(m.group(1)) if m else ""
    for name in ("lang", "audience"):
        m = re.search(rf'<select[^>]*name="{name}".*?<option value="([^"]*)" selected', html, re.S)
        if m:
            fields[name] = m.group(1)
    if re.search(r'name="draft" type="checkbox" checked', html):
        fields["draft"] = "on"
    return fields


def _unescape(text: str) -> str:
    import html
    return html.unescape(text)
