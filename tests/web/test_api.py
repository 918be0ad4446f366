"""The JSON API: shapes, every client error as a clear 4xx, writes read back."""
import re

import pytest

from conftest import csrf_token


def test_search_shape(client, db):
    r = client.get("/api/search?q=wann+kommt+mein+paket&limit=2")
    assert r.status_code == 200 and r.is_json
    body = r.get_json()
    assert {"query", "lang", "answered", "did_you_mean", "results"} <= set(body)
    assert body["lang"] == "de" and isinstance(body["answered"], bool)
    assert 1 <= len(body["results"]) <= 2
    top = body["results"][0]
    assert {"id", "title", "url", "lang", "category", "score", "section", "snippet"} <= set(top)
    assert top["id"] == "de/lieferzeit" and top["url"].startswith("/articles/de/lieferzeit?")
    assert db("SELECT channel FROM searches") == [{"channel": "api"}]


def test_search_filters_and_never_returns_internal_articles(client):
    body = client.get("/api/search?q=Kulanz+Agenten+15+EUR&limit=10").get_json()
    assert all(h["id"] != "intern/kulanz" for h in body["results"])
    assert "Kulanzgrenzen" not in str(body["results"]) and "Teamleitung" not in str(body["results"])
    body = client.get("/api/search?q=Lieferung&category=rueckgabe").get_json()
    assert {h["category"] for h in body["results"]} == {"Rückgabe"}


def test_spelling_corrections_never_reveal_internal_words(client):
    """"Teamleitung" occurs only in the internal fixture article: an anonymous search
    for a typo of it must not learn the word (issue 20)."""
    # two edits from "Teamleitung": one edit ("teamleitng") is the German dictionary's correction
    for q in ["teamleitg", "Teamlitug Kulanzgrenze", "kulanzgrenzn agenten"]:
        body = client.get("/api/search", query_string={"q": q}).get_data(as_text=True).lower()
        assert "teamleitung" not in body and "kulanzgrenzen" not in body, q


def test_an_applied_correction_reports_both_questions(client):
    body = client.get("/api/search?q=rturn+labl").get_json()
    assert body["query"] == "return label" and body["original_query"] == "rturn labl"
    assert body["answered"] is True and body["results"][0]["id"] == "en/returns"
    typed = client.get("/api/search?q=rturn+labl&exact=1").get_json()
    assert typed["query"] == "rturn labl" and typed["original_query"] is None
    assert typed["did_you_mean"] == "return label"


@pytest.mark.parametrize("query, field", [
    ("", "q"), ("q=", "q"), ("q=%20%20", "q"), ("q=" + "a" * 501, "q"),
    ("q=%F0%9F%98%80%F0%9F%98%80", "q"), ("q=%3F%3F%3F", "q"), ("q=%3A-(", "q"),  # emoji, "???", ":-(" alone
    ("q=hallo&lang=xx", "lang"), ("q=hallo&limit=0", "limit"), ("q=hallo&limit=51", "limit"),
    ("q=hallo&limit=abc", "limit"), ("q=hallo&category=nope", "category"),
    ("q=hallo&limit=%2B5", "limit"), ("q=hallo&limit=%D9%A5", "limit"), ("q=hallo&limit=%205", "limit"),
])
def test_search_rejects_bad_input(client, query, field):
    r = client.get("/api/search?" + query)
    assert r.status_code == 400 and r.is_json
    assert r.get_json()["field"] == field and r.get_json()["error"]


@pytest.mark.parametrize("sent", ["DE", "de-DE", "de_AT"])
def test_search_takes_a_language_as_browsers_send_it(client, sent):
    r = client.get(f"/api/search?q=lieferzeit&lang={sent}")
    assert r.status_code == 200 and r.get_json()["lang"] == "de"


def test_suggest(client):
    body = client.get("/api/suggest?q=lief&lang=de").get_json()
    assert [s["title"] for s in body["suggestions"]] == ["Wie lange dauert die Lieferung?"]
    assert body["suggestions"][0]["url"] == "/articles/de/lieferzeit"
    assert client.get("/api/suggest?q=kulanz").get_json()["suggestions"] == []
    assert client.get("/api/suggest?q=").status_code == 400
    assert client.get("/api/suggest?q=" + "x" * 101).status_code == 400


def test_article_and_categories(client):
    body = client.get("/api/articles/de/lieferzeit").get_json()
    assert body["title"] == "Wie lange dauert die Lieferung?" and body["updated"] == "2026-10-01"
    assert '<h2 id="lieferung-ins-ausland">' in body["html"]
    assert body["translations"]["en"]["id"] == "en/delivery"
    for missing in ("intern/kulanz", "de/entwurf", "de/nope"):
        r = client.get(f"/api/articles/{missing}")
        assert r.status_code == 404 and r.is_json and "Kulanz" not in r.get_data(as_text=True)
    cats = client.get("/api/categories").get_json()["categories"]
    assert {(c["slug"], c["lang"]) for c in cats} == {("versand", "de"), ("rueckgabe", "de"),
                                                      ("shipping", "en"), ("returns", "en")}
    assert client.get("/api/categories?lang=fr").status_code == 400


def test_feedback(client, db):
    r = client.post("/api/feedback", json={"article_id": "en/returns", "helpful": False,
                                           "comment": "call me on 0171 2345678"})
    assert r.status_code == 201 and r.get_json()["ok"]
    row = db("SELECT * FROM feedback")[0]
    assert row["article_id"] == "en/returns" and row["helpful"] == 0 and "2345678" not in row["comment"]


@pytest.mark.parametrize("body, fragment", [
    (b"{not json", "not valid JSON"), (b"[1, 2]", "JSON object"), (b'"text"', "JSON object"),
    (b'{"article_id": "en/returns"}', "helpful"), (b'{"article_id": "en/returns", "helpful": "maybe"}', "helpful"),
    (b'{"article_id": "en/returns", "helpful": "yes"}', "JSON boolean"),
    (b'{"article_id": "en/returns", "helpful": "false"}', "JSON boolean"),  # a string, not false
    (b'{"article_id": "en/returns", "helpful": 1}', "JSON boolean"),
    (b'{"article_id": "en/returns", "helpful": true, "ballot": "short"}', "ballot"),
    (b'{"article_id": "intern/kulanz", "helpful": true}', "unknown article"),
    (b'{"article_id": 5, "helpful": true}', "must be text"),
    (b'{"article_id": "en/returns", "helpful": true, "comment": "' + b"x" * 2001 + b'"}', "too long"),
])
def test_feedback_rejects_bad_input(client, db, body, fragment):
    r = client.post("/api/feedback", data=body, content_type="application/json")
    assert r.status_code == 400 and fragment in r.get_json()["error"]
    assert db("SELECT * FROM feedback") == []


def test_an_answer_by_a_known_phrasing_says_so(client):
    """A front-matter question answers however low the similarities' estimate: clients see why."""
    body = client.get("/api/search?q=wann+kommt+mein+paket&lang=de").get_json()
    plain = client.get("/api/search?q=Lieferzeit+nach+Österreich+mit+DHL&lang=de").get_json()
    assert body["answered"] and body["known_phrasing"] is True
    assert plain["known_phrasing"] is False


def test_contact(client, db):
    search = client.get("/api/search?q=wann+kommt+mein+paket").get_json()
    r = client.post("/api/contact", json={"question": "Mein Paket HK-2026-7654321 fehlt", "consent": True,
                                          "email": "a@b.de", "lang": "de", "search_id": search["search_id"]})
    assert r.status_code == 201 and r.get_json()["ref"].startswith("K-")
    key = {"Idempotency-Key": "retry-key-0001"}
    sent = {"question": "Mein Paket HK-2026-7654322 fehlt auch", "consent": True, "email": "a@b.de", "lang": "de"}
    first = client.post("/api/contact", json=sent, headers=key)
    retried = client.post("/api/contact", json=sent, headers=key)
    assert first.status_code == 201 and retried.status_code == 200  # a client's retry: one request
    assert retried.get_json()["ref"] == first.get_json()["ref"] != r.get_json()["ref"]
    assert client.post("/api/contact", json=sent).status_code == 201  # without a key: each is a request
    assert db("SELECT COUNT(*) AS n FROM contact_requests")[0]["n"] == 3
    reused = client.post("/api/contact", json={**sent, "question": "Eine ganz andere Frage"}, headers=key)
    assert reused.status_code == 422 and reused.get_json()["field"] == "Idempotency-Key"  # never silently dropped
    assert first.get_json()["ref"] in reused.get_json()["error"]
    malformed = client.post("/api/contact", json=sent, headers={"Idempotency-Key": "x"})
    assert malformed.status_code == 400 and malformed.get_json()["field"] == "Idempotency-Key"
    assert db("SELECT COUNT(*) AS n FROM contact_requests")[0]["n"] == 3
    row = db("SELECT * FROM contact_requests ORDER BY id")[0]
    assert row["query"] == "wann kommt mein paket" and "7654321" not in row["question"]
    assert '"de/lieferzeit"' in row["shown"]
    for bad in ({"question": "x"}, {"question": "x", "consent": False}, {"question": "", "consent": True},
                {"question": "x", "consent": True, "email": "nope"}, {"question": "x", "consent": True, "lang": "fr"},
                {"question": "x", "consent": True, "lang": ["de"]}, {"question": "x", "consent": "true"},
                {"question": "x", "consent": True, "order_number": "100 2345; drop"}):
        r = client.post("/api/contact", json=bad)
        assert r.status_code == 400 and r.get_json()["field"] in ("question", "consent", "email", "lang", "order_number")
    assert len(db("SELECT * FROM contact_requests")) == 3  # none of the bad ones


def test_contact_keeps_the_order_number_and_tells_the_language_from_the_question(client, db):
    r = client.post("/api/contact", json={"question": "Wo ist mein Paket? Ich warte seit Tagen", "consent": True,
                                          "order_number": "100-2345"})
    assert r.status_code == 201
    ref = r.get_json()["ref"]
    row = db("SELECT * FROM contact_requests WHERE ref = ?", (ref,))[0]
    assert row["lang"] == "de"
    assert db("SELECT order_number FROM contact_details WHERE ref = ?", (ref,))[0]["order_number"] == "100-2345"


def test_contact_keeps_the_order_numbers_of_the_question_and_erasure_removes_them(app, client, db):
    from kb.ops.erasure import erase_address
    question = "Bestellung 100-1234 und nochmal 100-1235 fehlen, Tel. 0151 2345678"
    r = client.post("/api/contact", json={"question": question, "consent": True, "email": "kundin@example.de"})
    assert r.status_code == 201
    ref = r.get_json()["ref"]
    question = db("SELECT question FROM contact_requests WHERE ref = ?", (ref,))[0]["question"]
    assert "100-123" not in question and "2345678" not in question    # the text stays masked
    stored = db("SELECT order_number FROM contact_details WHERE ref = ?", (ref,))[0]["order_number"]
    assert stored == "100-1234, 100-1235"                               # the phone number is none
    report = erase_address(app.extensions["kb.store"], "kundin@example.de")
    assert report.order_numbers == 1
    assert db("SELECT order_number FROM contact_details WHERE ref = ?", (ref,))[0]["order_number"] is None


def test_a_json_null_body_is_no_object(client):
    r = client.post("/api/feedback", data="null", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "the request body must be a JSON object"
    r = client.post("/api/feedback", data="{nope", content_type="application/json")
    assert r.status_code == 400 and r.get_json()["error"] == "the request body is not valid JSON"


def test_http_errors_are_json_without_tracebacks(client):
    r = client.get("/api/feedback")
    assert r.status_code == 405 and r.is_json and "POST" in r.headers["Allow"]  # HTTP asks for Allow
    r = client.put("/contact")
    assert r.status_code == 405 and "GET" in r.headers["Allow"] and "POST" in r.headers["Allow"]
    r = client.get("/api/nothing-here")
    assert r.status_code == 404 and r.is_json
    r = client.post("/api/feedback", data=b"{" + b" " * 100_000 + b"}", content_type="application/json")
    assert r.status_code == 413 and r.is_json and "Traceback" not in r.get_data(as_text=True)
    # one shape for every error: the field is named, or null where none is to blame
    assert r.get_json()["field"] is None and client.get("/api/nothing-here").get_json()["field"] is None
    r = client.post("/api/feedback", data="article_id=de/lieferzeit&helpful=true",
                    content_type="application/x-www-form-urlencoded")
    assert r.status_code == 415 and r.get_json()["status"] == 415 and "Content-Type" in r.get_json()["error"]


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["index"]["articles"] == 5 and ready["database"] == "ok"


def test_locked_database_does_not_stop_search(app, client, db):
    import sqlite3
    app.extensions["kb.store"].timeout = 0.2
    blocker = sqlite3.connect(app.config["DATABASE"], isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        found = client.get("/api/search?q=Lieferung")
        assert found.status_code == 200 and "Retry-After" not in found.headers  # answers, just not logged
        assert client.get("/search?q=Lieferung").status_code == 200
        r = client.post("/api/feedback", json={"article_id": "en/returns", "helpful": True})
        # the app's own "a few seconds", not the rate limiter's window
        assert r.status_code == 503 and r.headers["Retry-After"] == "5" and "try again" in r.get_json()["error"]
        r = client.post("/api/contact", json={"question": "Hallo", "consent": True})
        assert r.status_code == 503
        token = csrf_token(client.get("/contact?lang=de").get_data(as_text=True))
        r = client.post("/contact?lang=de", data={"csrf_token": token, "question": "Wo bleibt mein Sofa? Seit Tagen.",
                                                  "email": "kunde@example.de", "consent": "yes"})
        page = r.get_data(as_text=True)  # the form again with what was typed, sent again in a moment
        assert r.status_code == 503 and r.headers["Retry-After"] == "5" and "Es wurde nichts gespeichert" in page
        assert "Wo bleibt mein Sofa? Seit Tagen." in page and 'value="kunde@example.de"' in page
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert db("SELECT COUNT(*) AS n FROM feedback")[0]["n"] == 0
    assert client.post("/api/feedback", json={"article_id": "en/returns", "helpful": True}).status_code == 201


def test_rate_limits_answer_429_with_retry_after(make_app, db, caplog):
    app = make_app(RATE_LIMIT_WRITE="3 per minute", RATE_LIMIT_SEARCH="5 per minute")
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "203.0.113.7"
    caplog.set_level("INFO", logger="flask-limiter")
    codes = [client.post("/api/feedback", json={"article_id": "en/returns", "helpful": True}).status_code
             for _ in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    logged = "\n".join(r.getMessage() for r in caplog.records if r.name == "flask-limiter")
    assert "exceeded" in logged and "203.0.113.7" not in logged  # counted by address, never stored
    assert not re.search(r"[0-9a-f]{32}", logged)  # nor the day's digest that stands for it
    r = client.post("/api/contact", json={"question": "x", "consent": True})
    assert r.status_code == 429 and r.is_json and int(r.headers["Retry-After"]) > 0
    assert len(db("SELECT * FROM feedback")) == 3
    codes = [client.get("/api/search?q=Lieferung").status_code for _ in range(6)]
    assert codes[-1] == 429 and codes[0] == 200
    page = client.get("/search?q=Lieferung", headers={"Accept-Language": "de"})
    assert page.status_code == 429  # portal and API share the budget
    assert "Zu viele Anfragen" in page.get_data(as_text=True) and int(page.headers["Retry-After"]) > 0
    assert client.get("/api/suggest?q=lief").status_code == 200  # typing has its own, larger budget
    token = csrf_token(client.get("/contact", headers={"Accept-Language": "de"}).get_data(as_text=True))
    r = client.post("/contact", data={"csrf_token": token, "question": "Wo bleibt mein Sofa? Seit zwei Wochen nichts.",
                                      "email": "kunde@example.de", "consent": "yes"}, headers={"Accept-Language": "de"})
    page = r.get_data(as_text=True)  # the form again, with what was typed: sent a moment later, not typed again
    assert r.status_code == 429 and "Zu viele Anfragen" in page and "Seit zwei Wochen nichts." in page
    assert 'value="kunde@example.de"' in page and int(r.headers["Retry-After"]) > 0


def test_the_shops_name_from_site_yml_is_not_read_by_the_encoders(client):
    """site.yml names the shop Hafenkorb: a question that names it ranks as the question."""
    def ranked(q):
        found = client.get("/api/search", query_string={"q": q, "lang": "de"}).get_json()
        return [(r["id"], r["score"]) for r in found["results"]]
    assert ranked("Hafenkorb: wie lange dauert die Lieferung") == ranked("wie lange dauert die Lieferung")
    assert ranked("Hafenkorb: wie lange dauert die Lieferung")


def test_one_client_repeating_a_search_and_its_vote_is_one_piece_of_evidence(make_app):
    """Learned questions need many customers' words: a client that searches the same wording
    again and votes the same article helpful is counted once a day (its vote is kept)."""
    from kb.content.phrasing import fold
    from kb.ops import learning
    app = make_app(RATELIMIT_ENABLED=True, RATE_LIMIT_WRITE="100 per minute", RATE_LIMIT_SEARCH="100 per minute")
    store = app.extensions["kb.store"]

    def vote(query, address, helpful=True):
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = address
        found = client.get("/api/search", query_string={"q": query, "lang": "de"}).get_json()
        r = client.post("/api/feedback", json={"article_id": "de/lieferzeit", "helpful": helpful,
                                               "search_id": found["search_id"]})
        assert r.status_code == 201

    for _ in range(3):
        vote("wie buche ich einen flug nach mallorca", "203.0.113.9")
    vote("wie buche ich einen flugg nach mallorka", "203.0.113.9")  # a typo is the same wording
    vote("wann kommt mein sofa", "203.0.113.9")  # another wording from the same client counts
    vote("wie buche ich einen flug nach mallorca", "203.0.113.10")  # another client counts
    for _ in range(3):  # nor does one client's "not helpful", said again, push a wording out
        vote("wann kommt mein sofa", "203.0.113.11", helpful=False)

    def counted(query):
        return sum(e.weight for e in learning.evidence(store)
                   if e.article_id == "de/lieferzeit" and fold(e.phrasing).startswith(fold(query)[:20]))
    assert counted("wie buche ich einen flug nach mallorca") == 2 and counted("wann kommt mein sofa") == 0
    assert len(store.query("SELECT * FROM feedback")) == 9  # every vote is kept


def test_the_shops_own_pages_on_another_origin_may_call_the_api(make_app):
    """KB_CORS_ORIGINS names the shop's origins: a widget there searches and votes (the
    browser's preflight answered); other origins, and the staff pages, are not named."""
    import pytest as _pytest

    from kb.web.deployment import ConfigurationError
    app = make_app(RATELIMIT_ENABLED=False, KB_CORS_ORIGINS="https://www.shop.example, https://shop.example:8443")
    client = app.test_client()
    shop = {"Origin": "https://www.shop.example"}
    found = client.get("/api/search?q=Lieferung", headers=shop)
    assert found.headers["Access-Control-Allow-Origin"] == "https://www.shop.example"
    assert "Origin" in found.headers["Vary"] and "Access-Control-Allow-Credentials" not in found.headers
    asked = client.options("/api/feedback", headers={**shop, "Access-Control-Request-Method": "POST",
                                                      "Access-Control-Request-Headers": "content-type"})
    assert asked.status_code == 200 and "POST" in asked.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in asked.headers["Access-Control-Allow-Headers"]
    voted = client.post("/api/feedback", json={"article_id": "en/returns", "helpful": True}, headers=shop)
    assert voted.status_code == 201 and voted.headers["Access-Control-Allow-Origin"] == "https://www.shop.example"
    assert client.get("/api/search?q=x", headers={"Origin": "https://shop.example:8443"}).headers[
        "Access-Control-Allow-Origin"] == "https://shop.example:8443"
    for other in ("https://evil.example", "http://www.shop.example", "null"):
        assert "Access-Control-Allow-Origin" not in client.get("/api/search?q=x", headers={"Origin": other}).headers
    assert "Access-Control-Allow-Origin" not in client.get("/agent/login", headers=shop).headers
    plain = make_app(RATELIMIT_ENABLED=False).test_client().get("/api/search?q=x", headers=shop)
    assert "Access-Control-Allow-Origin" not in plain.headers  # none named: none allowed
    for bad in ("www.shop.example", "https://shop.example/hilfe", "ftp://shop.example"):
        with _pytest.raises(ConfigurationError, match="KB_CORS_ORIGINS"):
            make_app(KB_CORS_ORIGINS=bad)
