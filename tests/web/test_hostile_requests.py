"""Findings of the attack run (issue 20): each request here once did harm; now each gets a clear answer."""
import re
from pathlib import Path

import pytest

from conftest import csrf_token

PASSWORD = "correct horse battery"
DE = {"Accept-Language": "de"}


@pytest.fixture()
def agent(app, client):
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    client.set_cookie("lang", "en")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    return client


def test_404_language_links_stay_on_this_site(client):
    for path in ("/%5Cevil.example", "/%5C%5Cevil.example", "/%2F%2Fevil.example",
                 "/articles/%5Cevil.example"):
        r = client.get(path)
        if r.status_code == 308:  # Werkzeug merges the slashes first
            assert r.headers["Location"].startswith("/") and not r.headers["Location"].startswith("//")
            continue
        assert r.status_code == 404
        links = re.findall(r'href="([^"]*lang=[^"]*)"', r.get_data(as_text=True))
        assert links, path
        for href in links:
            assert href.startswith("/") and not href.startswith("//") and "\\" not in href, (path, href)
    html = client.get("/articles/de/lieferzeit?section=x", headers=DE).get_data(as_text=True)
    assert 'href="/articles/en/delivery?lang=en"' in html or "/articles/de/lieferzeit?section=x&amp;lang=en" in html


def test_line_breaks_in_next_after_sign_in_go_to_the_workspace(app, client):
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    for target in ("/agent/inbox\r\nSet-Cookie: x=1", "/agent/\n", "/\\evil.example", "/agent/\x00"):
        token = csrf_token(client.get("/agent/login").get_data(as_text=True))
        r = client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD,
                                               "next": target})
        assert r.status_code == 303 and r.headers["Location"] == "/agent/", target
        assert "x=1" not in str(r.headers)


@pytest.mark.parametrize("path", ["/api/feedback", "/api/contact"])
def test_json_nested_a_thousand_levels_is_refused(client, path):
    for deep in ('{"a":' * 1000 + "1" + "}" * 1000, "[" * 100_000 + "]" * 100_000,
                 '{"question": ' + "[" * 5000 + "]" * 5000 + ', "consent": true}'):
        r = client.post(path, data=deep, content_type="application/json")
        assert r.status_code in (400, 413) and r.is_json, r.get_data(as_text=True)[:200]


def test_huge_inbox_ids_are_unknown_not_errors(agent):
    assert agent.get("/agent/inbox/99999999999999999999999").status_code == 404
    token = csrf_token(agent.get("/agent/").get_data(as_text=True))
    r = agent.post("/agent/inbox/99999999999999999999999/status", data={"csrf_token": token, "status": "answered"})
    assert r.status_code == 404
    for huge in (2**63, 2**64, 10**30):
        r = agent.post(f"/agent/inbox/{huge}/answered-with", data={"csrf_token": token, "article": "de/lieferzeit"})
        assert r.status_code == 404
    assert agent.get(f"/agent/inbox/{2**63 - 1}").status_code == 404  # the largest id still gets a normal look-up


def test_absolute_links_never_come_from_the_host_header(make_app, agent):
    evil = {"Host": "evil.example"}
    r = agent.get("/sitemap.xml", headers=evil)
    assert r.status_code == 404 and "KB_BASE_URL" in r.get_data(as_text=True)
    agent.set_cookie("session", agent.get_cookie("session").value, domain="evil.example")
    html = agent.get("/agent/?q=Lieferzeit", headers=evil).get_data(as_text=True)
    copied = re.findall(r'<textarea[^>]*copy-source[^>]*>(.*?)</textarea>', html, re.S)
    assert copied and all("evil.example" not in c for c in copied)
    linked = [c for c in copied if "/articles/" in c]  # internal articles' copies carry no customer link
    assert linked and all(re.search(r"Mehr[^:]*: /articles/", c) for c in linked)
    app = make_app(RATELIMIT_ENABLED=False, KB_BASE_URL="https://hilfe.example.de/")
    r = app.test_client().get("/sitemap.xml", headers=evil)
    assert r.status_code == 200 and b"evil.example" not in r.data
    assert b"<loc>https://hilfe.example.de/articles/de/lieferzeit</loc>" in r.data


def test_a_bad_base_url_is_a_clear_start_error(make_app):
    from kb.web.site import SiteConfigError
    for bad in ("hilfe.example.de", "javascript:alert(1)", "https://hilfe.example.de/help?x=1", "https://u:p@h.example"):
        with pytest.raises(SiteConfigError, match="public base URL"):
            make_app(KB_BASE_URL=bad)


def test_base_url_from_site_settings(make_app, tmp_path):
    site = tmp_path / "site.yml"
    site.write_text((Path(__file__).resolve().parents[2] / "site.yml").read_text(encoding="utf-8")
                    + "\nbase_url: https://hilfe.example.de\n", encoding="utf-8")
    app = make_app(RATELIMIT_ENABLED=False, KB_SITE=str(site))
    assert b"<loc>https://hilfe.example.de/</loc>" in app.test_client().get("/sitemap.xml").data
    app = make_app(RATELIMIT_ENABLED=False, KB_SITE=str(site), KB_BASE_URL="https://help.example.com")
    assert b"<loc>https://help.example.com/</loc>" in app.test_client().get("/sitemap.xml").data  # the setting wins


def test_search_token_alone_does_not_reveal_the_search(client):
    q = "Wer gewann die Fußball-WM 1954 mit Reizwäsche?"
    html = client.get("/search", query_string={"q": q}, headers=DE).get_data(as_text=True)
    token = re.search(r'name="s" value="([^"]+)"', html).group(1)
    stranger = client.application.test_client()
    page = stranger.get(f"/contact?s={token}", headers=DE).get_data(as_text=True)
    assert "Reizwäsche" not in page
    form = {"csrf_token": csrf_token(page), "s": token, "question": ""}
    page = stranger.post("/contact", data=form, headers=DE).get_data(as_text=True)  # the error page neither
    assert "Reizwäsche" not in page
    own = client.get("/contact", query_string={"s": token, "q": q}, headers=DE).get_data(as_text=True)
    assert "Reizwäsche" in own  # the search page's own link still shows the customer their search


def test_contact_email_cannot_add_recipients(app, client, db, agent):
    for bad in ("x@example.com?cc=attacker%40evil.example&subject=Hi", "x?cc=a@evil.example@example.com",
                "Max <max@example.com>", "max@example", "max@@example.com", "a b@example.com"):
        r = client.post("/api/contact", json={"question": "Wo ist mein Paket?", "consent": True, "email": bad})
        assert r.status_code == 400 and r.get_json()["field"] == "email", bad
    assert db("SELECT * FROM contact_requests") == []
    store = app.extensions["kb.store"]
    store.add_contact_request("Frage", "x?cc=a@evil.example", "de", None, [])  # stored before strict checks
    request_id = db("SELECT id FROM contact_requests")[0]["id"]
    html = agent.get(f"/agent/inbox/{request_id}").get_data(as_text=True)
    assert 'href="mailto:x%3Fcc%3Da@evil.example"' in html
    r = client.post("/api/contact", json={"question": "Wo?", "consent": True, "email": "Kunde@Example.DE"})
    assert r.status_code == 201


def test_control_characters_never_reach_the_database(client, db):
    r = client.post("/api/contact", json={"question": "\x00" * 50, "consent": True})
    assert r.status_code == 400 and "readable" in r.get_json()["error"]
    for invisible in ("\u202e\u200b\u0007", "\u200b\ufeff\u2060", "\u200d \u200c"):  # nothing anyone can read
        r = client.post("/api/contact", json={"question": invisible, "consent": True})
        assert r.status_code == 400 and "readable" in r.get_json()["error"], invisible
    r = client.post("/api/contact", json={"question": "Wo ist\x00 mein\x1b[31m Paket\u202e?\r\nDanke", "consent": True})
    assert r.status_code == 201
    assert db("SELECT question FROM contact_requests")[0]["question"] == "Wo ist mein[31m Paket?\nDanke"
    r = client.post("/api/feedback", json={"article_id": "de/lieferzeit", "helpful": False, "comment": "zu\x07 kurz\x00"})
    assert r.status_code == 201
    page = client.get("/articles/de/lieferzeit", headers=DE).get_data(as_text=True)
    vote = client.post("/feedback", data={"csrf_token": csrf_token(page), "article_id": "de/lieferzeit",
                                          "helpful": "no"}, headers=DE)
    vote_token = re.search(r"[?&]t=([\w-]+)", vote.headers["Location"]).group(1)
    form = {"csrf_token": csrf_token(page), "article_id": "de/lieferzeit", "token": vote_token}
    assert client.post("/feedback/comment", data={**form, "comment": "\x00\x01\x02"}, headers=DE).status_code == 400
    assert client.post("/feedback/comment", data={**form, "comment": "\u200b\u200b"}, headers=DE).status_code == 400
    assert client.post("/feedback/comment", data={**form, "comment": "Tabelle\x0b fehlt\x7f"}, headers=DE).status_code == 303
    comments = sorted(r["comment"] for r in db("SELECT comment FROM feedback WHERE comment IS NOT NULL"))
    assert comments == ["Tabelle fehlt", "zu kurz"]


def test_nesting_depth_counts_brackets_outside_strings():
    from kb.web.api import nesting_depth
    assert nesting_depth(b'{"a": [1, {"b": 2}]}') == 3
    assert nesting_depth(b'{"a": "[[[[{{{{\\\\\\"[["}') == 1
    assert nesting_depth(b"[" * 5000 + b"]" * 5000) == 5000
    assert nesting_depth(b"") == 0
