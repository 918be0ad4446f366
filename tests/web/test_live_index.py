"""A server follows `kb index`; article Markdown cannot inject script."""
import re
import time

from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index

# a real tag carrying script: <script, an on* handler inside a tag, a javascript: URL
INJECTED = re.compile(r"<script(?! src=\"/static/app.js\")|<[^>]*\son\w+=|(href|src)=[\"']?javascript:", re.I)
HOSTILE = """---
title: "Gutschein <script>alert('t')</script> einlösen"
lang: de
category: Gutscheine
---
So lösen Sie einen Gutschein ein. <script>alert('body')</script>
<img src=x onerror="alert('img')">

## Code eingeben
Geben Sie den Code [hier](javascript:alert('link')) im Warenkorb ein.
"""


def test_server_switches_to_a_new_index_without_restart(articles_dir, tmp_path, encoders):
    from kb.web import create_app
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    app = create_app({"KB_INDEX": str(location), "INSTANCE": str(tmp_path / "inst"),
                      "DATABASE": str(tmp_path / "kb.sqlite3"), "SECRET_KEY": "x"})
    client = app.test_client()
    assert client.get("/api/articles/de/gutschein").status_code == 404
    question = "/api/search?q=Gutschein+einl%C3%B6sen"
    assert "de/gutschein" not in [h["id"] for h in client.get(question).get_json()["results"]]
    (articles_dir / "de" / "gutschein.md").write_text(HOSTILE, encoding="utf-8")
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    time.sleep(1.1)  # the server looks at most once a second
    r = client.get("/api/articles/de/gutschein")
    assert r.status_code == 200
    assert client.get("/readyz").get_json()["index"]["articles"] == 6
    # the same question again: answered by the new build, not from the old one's result cache
    assert client.get(question).get_json()["results"][0]["id"] == "de/gutschein"

    # and what the editor wrote is sanitised or escaped everywhere it is shown
    html = r.get_json()["html"]
    assert not INJECTED.search(html)
    for url in ("/articles/de/gutschein", "/categories/gutscheine", "/search?q=Gutschein+einl%C3%B6sen"):
        page = client.get(url).get_data(as_text=True)
        assert "Gutschein" in page and not INJECTED.search(page), url
    assert "Gutschein &lt;script&gt;" in client.get("/articles/de/gutschein").get_data(as_text=True)


def test_broken_new_build_keeps_the_old_one_serving(articles_dir, tmp_path, encoders):
    import os
    from kb.web import create_app
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    app = create_app({"KB_INDEX": str(location), "INSTANCE": str(tmp_path / "inst"),
                      "DATABASE": str(tmp_path / "kb.sqlite3"), "SECRET_KEY": "x"})
    live = app.extensions["kb.live"]
    good = live.current.build
    broken = tmp_path / "index" / "build-broken"
    broken.mkdir()
    (broken / "manifest.json").write_text("{not json")
    os.symlink(broken, location / "current.tmp")
    os.replace(location / "current.tmp", location / "current")
    assert live.reload() is False
    assert live.current.build == good and "manifest" in live.error
    client = app.test_client()
    assert client.get("/api/search?q=Lieferung").status_code == 200
    assert client.get("/readyz").get_json()["status"] == "degraded"


def test_no_request_fails_while_the_index_is_rebuilt_and_switched(articles_dir, tmp_path, encoders):
    import threading
    from kb.web import create_app
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    app = create_app({"KB_INDEX": str(location), "INSTANCE": str(tmp_path / "inst"),
                      "DATABASE": str(tmp_path / "kb.sqlite3"), "SECRET_KEY": "x",
                      "RATELIMIT_ENABLED": False})  # one address, thousands of requests
    statuses, stop = [], threading.Event()

    def hammer():
        client = app.test_client()
        while not stop.is_set():
            for url in ("/api/search?q=Lieferung+Österreich", "/articles/de/lieferzeit", "/api/suggest?q=lief"):
                statuses.append(client.get(url).status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        for n in range(3):  # three rebuilds, each published while requests run
            p = articles_dir / "de" / "lieferzeit.md"
            p.write_text(p.read_text(encoding="utf-8") + f"\nNachtrag {n}: Lieferung auch samstags.\n",
                         encoding="utf-8")
            build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
            time.sleep(1.2)
    finally:
        stop.set()
        for t in threads:
            t.join()
    live = app.extensions["kb.live"]
    assert live.current.build == (location / "current").resolve()
    assert len(statuses) > 30 and set(statuses) == {200}
    assert "Nachtrag 2" in app.test_client().get("/articles/de/lieferzeit").get_data(as_text=True)
