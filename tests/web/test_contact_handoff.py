"""The contact form as customers use it, what reaches the agent, and the hand-off to the helpdesk."""
import json
import re
from html import unescape

import pytest

from conftest import csrf_token
from kb.ops.handoff.payload import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from kb.ops.handoff.settings import HandoffSettings
from kb.ops.handoff.worker import deliver_due
from webhook_desks import post_server

DE = {"Accept-Language": "de"}
PASSWORD = "correct horse battery"
SECRET = "webhook-secret-0123456789"


class Hook:
    def __init__(self):
        self.received = []
        self.server = post_server(self._answer)
        self.port = self.server.server_address[1]

    def _answer(self, headers, body: bytes) -> int:
        self.received.append((headers, body))
        return 204


@pytest.fixture()
def hook():
    h = Hook()
    yield h
    h.server.shutdown()
    h.server.server_close()


def _search(client, q="Wer gewann die Fußball-WM 1954?"):
    html = client.get("/search", query_string={"q": q}, headers=DE).get_data(as_text=True)
    found = re.search(r'name="s" value="([^"]+)"', html) or re.search(r'/contact\?s=([^&"]+)', html)
    return html, found.group(1)


def _sign_in(app, client):
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})


def test_no_reply_address_must_be_a_choice_and_the_agent_sees_it(app, client, db):
    html, search_id = _search(client)
    form = {"csrf_token": csrf_token(html), "s": search_id, "question": "Wann kommt meine Lieferung?",
            "consent": "yes"}
    r = client.post("/contact", data=form, headers=DE)
    assert r.status_code == 400
    assert "Bitte geben Sie eine E-Mail-Adresse für unsere Antwort an" in r.get_data(as_text=True)
    assert db("SELECT * FROM contact_requests") == []
    both = client.post("/contact", data={**form, "no_reply": "yes", "email": "k@example.de"}, headers=DE)
    assert both.status_code == 400 and "Sie haben eine E-Mail-Adresse angegeben und" in both.get_data(as_text=True)
    assert db("SELECT * FROM contact_requests") == []
    r = client.post("/contact", data={**form, "no_reply": "yes"}, headers=DE)
    assert r.status_code == 303 and "noreply=1" in r.headers["Location"]
    sent = client.get(r.headers["Location"], headers=DE).get_data(as_text=True)
    assert "Sie haben keine Antwortadresse angegeben" in sent
    _sign_in(app, client)
    inbox = client.get("/agent/inbox").get_data(as_text=True)
    assert "keine Antwortadresse" in inbox
    request_id = db("SELECT id FROM contact_requests")[0]["id"]
    item = client.get(f"/agent/inbox/{request_id}").get_data(as_text=True)
    assert "keine Antwortadresse" in item and "möchte keine Antwort" in item


def test_order_number_is_kept_as_typed_and_its_shape_checked(app, client, db):
    html, search_id = _search(client)
    form = {"csrf_token": csrf_token(html), "s": search_id, "question": "Paket fehlt, Bestellung 100-2345",
            "email": "kunde@example.de", "consent": "yes"}
    r = client.post("/contact", data={**form, "order_number": "=cmd|' /C calc'!A0"}, headers=DE)
    assert r.status_code == 400 and "Die Bestellnummer sieht nicht richtig aus" in r.get_data(as_text=True)
    assert "Paket fehlt" in r.get_data(as_text=True)                       # nothing typed is lost
    r = client.post("/contact", data={**form, "order_number": " HK-2026/0042 "}, headers=DE)
    assert r.status_code == 303
    row = db("SELECT * FROM contact_requests")[0]
    assert "100-2345" not in row["question"]                               # the free text stays masked
    # the typed one as typed, then the one the question gives as an order
    assert db("SELECT order_number FROM contact_details")[0]["order_number"] == "HK-2026/0042, 100-2345"
    _sign_in(app, client)
    item = client.get(f"/agent/inbox/{row['id']}").get_data(as_text=True)
    assert "HK-2026/0042, 100-2345" in item


def test_every_order_number_of_the_question_reaches_the_agent_and_the_inbox_search(app, client, db):
    html, search_id = _search(client)
    client.post("/contact", data={"csrf_token": csrf_token(html), "s": search_id, "consent": "yes", "no_reply": "yes",
                                  "question": "Bestellung 100-1234 und nochmal 100-1235 sind nicht angekommen"},
                headers=DE)
    row = db("SELECT * FROM contact_requests")[0]
    assert row["question"] == "Bestellung [number] und nochmal [number] sind nicht angekommen"
    assert db("SELECT order_number FROM contact_details")[0]["order_number"] == "100-1234, 100-1235"
    _sign_in(app, client)
    item = client.get(f"/agent/inbox/{row['id']}").get_data(as_text=True)
    assert "100-1234, 100-1235" in item
    link = f'href="/agent/inbox/{row["id"]}?'  # the list's links carry its filters
    for searched, found in (("100-1235", True), ("100-1234", True), ("100-9999", False)):
        page = client.get("/agent/inbox", query_string={"q": searched, "status": "all"}).get_data(as_text=True)
        assert (link in page) == found, searched


def test_the_request_lists_only_the_articles_the_page_showed(app, client, db):
    catalog = app.extensions["kb.live"].current.catalog
    public = [a["id"] for a in catalog.articles if a["audience"] == "public"]
    assert len(public) > 3
    token = app.extensions["kb.store"].log_search("versand", "de", True, public, "portal")
    # the page shows a stored search only to who knows its wording (the search page's link has it)
    page = client.get("/contact", query_string={"s": token, "q": "versand"}, headers=DE).get_data(as_text=True)
    seen = re.search(r"Diese Artikel haben Sie gesehen:(.*?)</p>", page, re.S).group(1)
    assert seen.count("<a ") == 3
    html = csrf_token(page)
    client.post("/contact", data={"csrf_token": html, "s": token, "question": "Versand?", "consent": "yes",
                                  "no_reply": "yes"}, headers=DE)
    assert json.loads(db("SELECT shown FROM contact_requests")[0]["shown"]) == public[:3]


def test_contact_request_is_handed_to_the_webhook_and_the_inbox_shows_it(make_app, hook, db):
    settings = HandoffSettings(webhook_url=f"http://127.0.0.1:{hook.port}/desk", webhook_secret=SECRET)
    app = make_app(RATELIMIT_ENABLED=False, HANDOFF=settings, KB_BASE_URL="https://hilfe.example.de")
    client = app.test_client()
    html, search_id = _search(client)
    client.post("/contact", data={"csrf_token": csrf_token(html), "s": search_id, "consent": "yes",
                                  "question": "Wo ist mein Paket? Bestellung 100-2346", "email": "kunde@example.de",
                                  "order_number": "100-2345"}, headers=DE)
    ref = db("SELECT ref FROM contact_requests")[0]["ref"]
    _sign_in(app, client)
    assert "in der Warteschlange" in client.get("/agent/inbox").get_data(as_text=True)
    report = deliver_due(app.extensions["kb.outbox"], settings)
    assert report.sent == 1
    [(headers, body)] = hook.received
    assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    data = json.loads(body)
    assert data["ref"] == ref and data["reply_to"] == "kunde@example.de"
    assert data["order_number"] == "100-2345, 100-2346" and "100-2346" not in data["question"]
    assert data["search"] == "Wer gewann die Fußball-WM 1954?" and len(data["articles_seen"]) <= 3
    assert data["agent_url"] == "https://hilfe.example.de/agent/inbox/1"  # never the request's Host
    assert all(a["url"].startswith("https://hilfe.example.de/articles/") for a in data["articles_seen"])
    assert "zugestellt" in client.get("/agent/inbox").get_data(as_text=True)
    r = client.post("/api/contact", json={"question": "Wo bleibt meine Erstattung?", "consent": True},
                    headers={"Host": "login-shop.evil.example"})
    assert r.status_code in (200, 201, 202), r.get_data(as_text=True)
    assert deliver_due(app.extensions["kb.outbox"], settings).sent == 1
    assert json.loads(hook.received[-1][1])["agent_url"] == "https://hilfe.example.de/agent/inbox/2"


def test_inbox_filters_counts_search_and_local_time(app, client, db):
    store = app.extensions["kb.store"]
    store.add_contact_request("Rücksendung klappt nicht", "a@example.de", "de", None, [])
    store.add_contact_request("Where is my parcel?", "b@example.com", "en", None, [])
    store.add_contact_request("Rechnung fehlt", None, "de", None, [])
    store.add_contact_request("Überweisung nicht angekommen", None, "de", None, [])
    import sqlite3
    con = sqlite3.connect(app.config["DATABASE"])
    con.execute("UPDATE contact_requests SET at = '2026-07-01T08:31Z'")   # summer: Berlin is UTC+2
    con.execute("UPDATE contact_requests SET status = 'answered' WHERE question LIKE 'Rechnung%'")
    con.commit()
    con.close()
    _sign_in(app, client)
    page = client.get("/agent/inbox").get_data(as_text=True)
    assert "01.07.2026 10:31" in page and "08:31Z" not in page
    assert re.search(r'offen <span class="count">3</span>', page)
    assert re.search(r'beantwortet <span class="count">1</span>', page)
    page = client.get("/agent/inbox", query_string={"language": "en"}).get_data(as_text=True)
    assert "Where is my parcel?" in page and "Rücksendung" not in page
    page = client.get("/agent/inbox", query_string={"lang": "en"}).get_data(as_text=True)  # the page's language
    assert '<html lang="en"' in page and "Where is my parcel?" in page and "Rücksendung" in page
    page = client.get("/agent/inbox", query_string={"q": "RÜCKSENDUNG", "status": "all"}).get_data(as_text=True)
    assert "Rücksendung klappt nicht" in page and "Where is my parcel" not in page
    page = client.get("/agent/inbox", query_string={"q": "überweisung", "status": "all"}).get_data(as_text=True)
    assert "Überweisung nicht angekommen" in page and "Rechnung fehlt" not in page
    for typed in ("ueberweisung", "angekommen Überweisung"):  # umlauts written out; words in any order
        page = client.get("/agent/inbox", query_string={"q": typed, "status": "all"}).get_data(as_text=True)
        assert "Überweisung nicht angekommen" in page and "Rechnung fehlt" not in page, typed
    page = client.get("/agent/inbox", query_string={"q": "rechnung klappt", "status": "all"}).get_data(as_text=True)
    assert "Rechnung fehlt" not in page and "Rücksendung klappt" not in page  # every word, in one request
    ref = db("SELECT ref FROM contact_requests WHERE question LIKE 'Rechnung%'")[0]["ref"]
    app.extensions["kb.contact_details"].save(ref, "HK-2026/0042", False)
    for typed in ("hk-2026/0042", "0042"):  # the order number's own field, not the masked question
        page = client.get("/agent/inbox", query_string={"q": typed, "status": "all"}).get_data(as_text=True)
        assert "Rechnung fehlt" in page and "Überweisung" not in page
    page = client.get("/agent/inbox", query_string={"q": "100%_", "status": "all"}).get_data(as_text=True)
    assert "Keine Anfragen" in page or "No requests" in page
    assert client.get("/agent/inbox", query_string={"language": "xx"}).status_code == 400


def test_insights_speak_german_link_titles_explain_rates_and_skip_empty_days(app, client):
    store = app.extensions["kb.store"]
    for q in ("rückerstatung", "ruckerstattung", "Rückerstattung"):
        store.log_search(q, "de", False, [], "portal")
    store.count_view("de/lieferzeit")
    store.add_feedback("de/lieferzeit", False, "veraltet", "de")
    store.add_contact_request("Frage", None, "de", None, [])
    app.extensions["kb.accounts"].add("eva", "editor", PASSWORD)
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "eva", "password": PASSWORD})
    html = client.get("/agent/insights?days=30").get_data(as_text=True)
    assert ">Schlüsselwörter</th>" not in html  # the grouping's stems: in the CSV only
    for header in ("Beantwortet", "Formulierungen", "Anteil hilfreich", "Selbsthilfequote"):
        assert f">{header}</th>" in html
    assert "answered share" not in html and "wordings<" not in html
    assert "Selbsthilfequote = Suchen, die bei einem als hilfreich bewerteten Artikel endeten" in html
    assert '<a href="/articles/de/lieferzeit">' in html and ">de/lieferzeit<" not in html
    unanswered = html.split('id="t-unanswered"')[1].split("</section>")[0]
    assert unanswered.count("<tr>") == 2            # header + one group for all three spellings
    deflection = html.split('id="t-deflection"')[1].split("</section>")[0]
    assert deflection.count("<tr>") == 2            # header + today; 29 empty days left out
    r = client.get("/search", query_string={"q": "x" * 2001})
    assert r.status_code == 400 and "Ihre Frage ist zu lang (höchstens 2000 Zeichen)" in r.get_data(as_text=True)


def test_403_page_is_in_the_ui_language(app, client):
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    r = client.get("/agent/insights")
    page = r.get_data(as_text=True)
    assert r.status_code == 403 and "Sie haben keinen Zugriff auf diese Seite" in page
    assert "You don't have the permission" not in page


def test_the_request_shows_who_answered_and_a_second_agent_is_told_not_overruled(app, client):
    store = app.extensions["kb.store"]
    store.add_contact_request("Rücksendung klappt nicht", "a@example.de", "de", None, [])
    rid = store.contact_requests()[0]["id"]
    _sign_in(app, client)  # anna
    app.extensions["kb.accounts"].add("ben", "agent", PASSWORD)
    ben = app.test_client()
    ben.set_cookie("lang", "de")
    token = csrf_token(ben.get("/agent/login").get_data(as_text=True))
    ben.post("/agent/login", data={"csrf_token": token, "username": "ben", "password": PASSWORD})
    stale = csrf_token(ben.get(f"/agent/inbox/{rid}").get_data(as_text=True))  # ben opens it too
    token = csrf_token(client.get(f"/agent/inbox/{rid}").get_data(as_text=True))
    assert client.post(f"/agent/inbox/{rid}/status", data={"csrf_token": token, "status": "answered"}).status_code == 303
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert re.search(r"beantwortet — anna, \d\d\.\d\d\.\d{4} \d\d:\d\d", page)
    r = ben.post(f"/agent/inbox/{rid}/status", data={"csrf_token": stale, "status": "answered"})
    page = ben.get(r.headers["Location"]).get_data(as_text=True)
    assert "anna hat diese Anfrage inzwischen auf „beantwortet“ gesetzt" in page
    assert store.contact_request(rid)["status_by"] == "anna"  # the first agent's stands


def _removed_addresses(app):
    """Three requests without an address: erased on request, removed by the retention period, none given."""
    from kb.ops.erasure import erase_address
    from kb.ops.retention import purge
    store = app.extensions["kb.store"]
    refs = {"erased": store.add_contact_request("Wo ist mein Paket?", "anna@example.de", "de", None, []),
            "purged": store.add_contact_request("Wo ist meine Rechnung?", "ben@example.de", "de", None, []),
            "none": store.add_contact_request("Wann öffnet der Laden?", None, "de", None, [])}
    app.extensions["kb.contact_details"].save(refs["none"], None, True)
    with store.transaction() as db:  # answered long before the retention period began
        db.execute("UPDATE contact_requests SET at = '2020-01-01T10:00Z', status = 'answered', "
                   "status_at = '2020-01-02T10:00Z' WHERE ref = ?", (refs["purged"],))
    assert purge(store, 90).emails == 1 and erase_address(store, "anna@example.de").requests == 1
    return {name: store.query("SELECT id FROM contact_requests WHERE ref = ?", (ref,))[0]["id"]
            for name, ref in refs.items()}


def test_the_inbox_says_an_address_was_removed_not_that_none_was_given(app, client):
    ids = _removed_addresses(app)
    _sign_in(app, client)
    inbox = client.get("/agent/inbox", query_string={"status": "all"}).get_data(as_text=True)
    assert "Antwortadresse auf Wunsch der Kundin / des Kunden gelöscht" in inbox
    assert "Antwortadresse nach Ablauf der Aufbewahrungsfrist gelöscht" in inbox
    assert inbox.count("keine Antwortadresse") == 1  # the request whose customer gave none
    pages = {name: client.get(f"/agent/inbox/{i}").get_data(as_text=True) for name, i in ids.items()}
    assert "Antwortadresse auf Wunsch der Kundin / des Kunden gelöscht" in pages["erased"]
    assert "Antwortadresse nach Ablauf der Aufbewahrungsfrist gelöscht" in pages["purged"]
    assert "keine Antwortadresse" not in pages["erased"] + pages["purged"]
    assert "keine Antwortadresse" in pages["none"] and "möchte keine Antwort" in pages["none"]
    client.set_cookie("lang", "en")
    english = unescape(client.get("/agent/inbox", query_string={"status": "all"}).get_data(as_text=True))
    assert "reply address erased on the customer's request" in english
    assert "reply address removed after the retention period" in english and english.count("no reply address") == 1


def test_an_erased_customers_hand_off_is_cancelled_and_never_reaches_the_helpdesk(make_app, hook, db):
    from kb.ops.erasure import erase_address
    settings = HandoffSettings(webhook_url=f"http://127.0.0.1:{hook.port}/desk", webhook_secret=SECRET)
    app = make_app(RATELIMIT_ENABLED=False, HANDOFF=settings)
    client = app.test_client()
    html, search_id = _search(client)
    client.post("/contact", data={"csrf_token": csrf_token(html), "s": search_id, "consent": "yes",
                                  "question": "Wo ist mein Paket? Ich heiße Anna Schmidt.",
                                  "email": "anna@example.de"}, headers=DE)
    report = erase_address(app.extensions["kb.store"], "anna@example.de")  # before the helpdesk was reachable
    assert (report.payloads, report.cancelled) == (1, 1)
    assert deliver_due(app.extensions["kb.outbox"], settings).sent == 0 and hook.received == []
    assert db("SELECT payload FROM handoff_outbox") == [{"payload": "{}"}]
    _sign_in(app, client)
    inbox = client.get("/agent/inbox").get_data(as_text=True)
    assert "Webhook: abgebrochen (Daten auf Wunsch der Kundin / des Kunden gelöscht)" in inbox
    assert "in der Warteschlange" not in inbox


def test_a_hand_off_undelivered_past_the_retention_period_is_dropped_and_the_inbox_says_so(make_app, hook):
    from kb.ops.retention import purge
    settings = HandoffSettings(webhook_url=f"http://127.0.0.1:{hook.port}/desk", webhook_secret=SECRET)
    app = make_app(RATELIMIT_ENABLED=False, HANDOFF=settings)
    client = app.test_client()
    html, search_id = _search(client)
    client.post("/contact", data={"csrf_token": csrf_token(html), "s": search_id, "consent": "yes",
                                  "question": "Wo ist mein Paket?", "email": "ben@example.de"}, headers=DE)
    store = app.extensions["kb.store"]
    with store.transaction() as db:  # the helpdesk has not taken it for a year
        db.execute("UPDATE handoff_outbox SET created_at = '2025-12-01T10:00:00Z', attempts = 900")
    assert purge(store, 90).undelivered == 1
    assert deliver_due(app.extensions["kb.outbox"], settings).sent == 0 and hook.received == []
    _sign_in(app, client)
    inbox = client.get("/agent/inbox").get_data(as_text=True)
    assert "Webhook: abgebrochen (innerhalb der Aufbewahrungsfrist nicht zugestellt)" in inbox
    assert "Wo ist mein Paket?" in inbox  # the request itself stays for the agents


def _main(page) -> str:
    """The page's own content, without the header's language link (which repeats the address)."""
    return page.get_data(as_text=True).split('<main id="main"')[1].split("</main>")[0]


def test_the_sent_page_confirms_only_a_reference_this_browser_sent(app, client, db):
    html, search_id = _search(client)
    r = client.post("/contact", data={"csrf_token": csrf_token(html), "s": search_id, "consent": "yes",
                                      "question": "Wo ist mein Paket?", "email": "kunde@example.de"}, headers=DE)
    ref = db("SELECT ref FROM contact_requests")[0]["ref"]
    sent = _main(client.get(r.headers["Location"], headers=DE))
    assert f"Ihre Vorgangsnummer lautet {ref}." in sent and "Danke, Ihre Anfrage wurde gesendet" in sent
    other = app.test_client()  # another browser: a shared link, or one made up ("we received K-…")
    pages = [other.get(f"/contact/sent?ref={asked}", headers=DE) for asked in (ref, "K-1234ABCD")]
    assert [p.status_code for p in pages] == [200, 200]
    texts = [_main(p) for p in pages]
    assert ref not in texts[0] and "K-1234ABCD" not in texts[1] and "Danke, Ihre Anfrage" not in texts[0] + texts[1]
    assert "Diese Seite zeigt die Vorgangsnummer einer Anfrage nur in dem Browser, der sie gesendet hat" in texts[0]
    assert texts[0] == texts[1]  # the same page whether the reference exists or not
    noreply = _main(other.get(f"/contact/sent?ref={ref}&noreply=1", headers=DE))
    assert noreply == texts[0] and "keine Antwortadresse" not in noreply
    made_up = _main(client.get("/contact/sent?ref=K-1234ABCD", headers=DE))
    assert "K-1234ABCD" not in made_up  # the sending browser, too, sees only its own references
    assert ref in _main(client.get(r.headers["Location"], headers=DE))  # a reload still does
    forged = _main(other.get(r.headers["Location"].replace("check=", "check=0") + "ä", headers=DE))
    assert forged == texts[0]  # a check changed, with any letters in it: no reference, no error
    with client.session_transaction() as cookie:  # the session holds a random key, not the reference
        assert ref not in json.dumps(dict(cookie))
