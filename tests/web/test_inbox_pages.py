"""The inbox as two agents use it, on SQLite and PostgreSQL: pages and order kept in the URL, the
way back and on to the next request, a stale page's status change refused, who has a request
open, and the preview of a pasted mail (kb/web/agent/inbox.py, kb/templates/agent/inbox*.html)."""
import re
from datetime import datetime, timedelta, timezone
from html import unescape
from urllib.parse import parse_qs, urlsplit

import pytest

from conftest import PASSWORD, csrf_token

REQUESTS = 230
START = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)
SHARED_SECRET = "inbox-tests-0123456789-abcdefghijklmnop"


@pytest.fixture()
def shop(make_app, store_url, monkeypatch):
    """The app on either engine, with the agents anna and ben."""
    monkeypatch.setenv("KB_SECRET_KEY", SHARED_SECRET)  # a shared database takes the key from the environment
    app = make_app(RATELIMIT_ENABLED=False, DATABASE=store_url)
    for name in ("anna", "ben"):
        app.extensions["kb.accounts"].add(name, "agent", PASSWORD)
    return app


def _agent(app, name):
    """A browser of its own, signed in as ``name``, reading German."""
    client = app.test_client()
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    assert client.post("/agent/login", data={"csrf_token": token, "username": name,
                                             "password": PASSWORD}).status_code == 303
    return client


def _fill(app, n=REQUESTS):
    """``n`` open requests, one a minute from START, every fifth in English; their ids, oldest first."""
    store = app.extensions["kb.store"]
    with store.transaction() as db:
        for i in range(n):
            at = (START + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%MZ")
            db.execute("INSERT INTO contact_requests (ref, at, question, lang, shown) VALUES (?, ?, ?, ?, '[]')",
                       (f"K-{i:05d}", at, f"Anfrage {i}: wo ist mein Paket?", "en" if i % 5 == 0 else "de"))
    return [r["id"] for r in store.query("SELECT id FROM contact_requests ORDER BY id")]


def _page(client, url):
    html = client.get(url).get_data(as_text=True)
    return html, re.findall(r">(K-\d{5})</a>", html)


def _link(html, rel):
    found = re.search(rf'<a href="([^"]+)" rel="{rel}"', html)
    return unescape(found.group(1)) if found else None


def _args(url):
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def test_more_than_200_open_requests_oldest_first_page_by_page(shop):
    _fill(shop)
    anna = _agent(shop, "anna")
    html, refs = _page(anna, "/agent/inbox")
    assert refs[0] == "K-00000" and len(refs) == 50  # the longest waiting first
    assert "1–50 von 230 Anfragen" in html and "älteste zuerst" in html and _link(html, "prev") is None
    seen, url = list(refs), _link(html, "next")
    while url:
        html, refs = _page(anna, url)
        seen += refs
        url = _link(html, "next")
    assert seen == [f"K-{i:05d}" for i in range(REQUESTS)]  # every one reached, once, in order
    assert "201–230 von 230 Anfragen" in html
    html, refs = _page(anna, _link(html, "prev"))
    assert refs[0] == "K-00150" and "151–200 von 230 Anfragen" in html
    html, refs = _page(anna, "/agent/inbox?sort=newest")
    assert refs[0] == "K-00229" and "neueste zuerst" in html and "sort=newest" in _link(html, "next")
    html, refs = _page(anna, "/agent/inbox?status=answered")
    assert "Keine Anfragen." in html  # answered: newest first by default, and none yet
    assert anna.get("/agent/inbox?sort=sideways").status_code == 400
    for bad in ("K-00001", "²", "-1", str(2**63)):
        assert anna.get("/agent/inbox", query_string={"after": bad}).status_code == 400, bad


def test_filters_sort_and_page_travel_with_every_link(shop):
    ids = _fill(shop)
    anna = _agent(shop, "anna")
    html, refs = _page(anna, "/agent/inbox?language=en&q=paket&sort=newest")
    assert refs[0] == "K-00225" and len(refs) == 46 and "1–46 von 46 Anfragen" in html
    html, refs = _page(anna, "/agent/inbox?language=de&q=paket")
    assert "1–50 von 184 Anfragen" in html and refs[-1] == "K-00062"  # every fifth is English
    second = _link(html, "next")
    assert _args(second) == {"language": "de", "q": "paket", "after": str(ids[62])}
    html, refs = _page(anna, second)
    assert refs[0] == "K-00063" and "51–100 von 184 Anfragen" in html
    item = re.search(r'href="(/agent/inbox/\d+\?[^"]+)">K-00063<', html).group(1)
    page = anna.get(unescape(item)).get_data(as_text=True)
    back = unescape(re.search(r'<a href="([^"]+)">← Posteingang</a>', page).group(1))
    assert _args(back) == {"language": "de", "q": "paket", "after": str(ids[62])}
    assert back.endswith(f"#r-{ids[63]}")  # back to the page it was opened from, at its row
    assert "Vorherige Anfrage (K-00062)" in page and "Nächste Anfrage (K-00064)" in page  # K-00065: English
    following = _link(page, "next")
    assert _args(following) == {"language": "de", "q": "paket", "after": str(ids[63])}
    page = anna.get(following).get_data(as_text=True)
    assert "Anfrage K-00064" in page and "Nächste Anfrage (K-00066)" in page
    assert _args(_link(page, "prev")) == {"language": "de", "q": "paket", "before": str(ids[64])}
    html, refs = _page(anna, unescape(re.search(r'<a href="([^"]+)">← Posteingang</a>', page).group(1)))
    assert refs[0] == "K-00064"  # back on a page that shows the request the agent was on
    page = anna.get(f"/agent/inbox/{ids[0]}").get_data(as_text=True)
    assert _link(page, "prev") is None and "Nächste Anfrage (K-00001)" in page


def _status(client, rid, page, status, query=None):
    form = {"csrf_token": csrf_token(page), "status": status,
            "shown_status": re.search(r'name="shown_status" value="(\w+)"', page).group(1),
            "shown_version": re.search(r'name="shown_version" value="(\d+)"', page).group(1)}
    r = client.post(f"/agent/inbox/{rid}/status", query_string=query, data=form)
    assert r.status_code == 303
    return r.headers["Location"], client.get(r.headers["Location"]).get_data(as_text=True)


def test_a_stale_reopen_does_not_overwrite_a_colleagues_newer_decision(shop):
    """anna answers; ben's page shows answered + Reopen; anna reopens and answers again with an
    article; ben's Reopen from his old page is refused and says what anna did."""
    store = shop.extensions["kb.store"]
    store.add_contact_request("Wo ist mein Paket? Es ist seit einer Woche unterwegs.", "k@example.de", "de", None, [])
    rid = store.contact_requests()[0]["id"]
    anna, ben = _agent(shop, "anna"), _agent(shop, "ben")
    _status(anna, rid, anna.get(f"/agent/inbox/{rid}").get_data(as_text=True), "answered")
    stale = ben.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert "Wieder öffnen" in stale
    _location, page = _status(anna, rid, anna.get(f"/agent/inbox/{rid}").get_data(as_text=True), "open")
    assert "Wieder geöffnet." in page
    r = anna.post(f"/agent/inbox/{rid}/answered-with", data={"csrf_token": csrf_token(page),
                                                             "article": "de/lieferzeit"})
    assert r.status_code == 303 and store.contact_request(rid)["status"] == "answered"
    _location, page = _status(ben, rid, stale, "open")
    assert "anna hat diese Anfrage inzwischen auf „beantwortet“ gesetzt" in page and "Wieder geöffnet." not in page
    row = store.contact_request(rid)
    assert (row["status"], row["status_by"]) == ("answered", "anna")  # anna's decision stands
    _location, page = _status(ben, rid, page, "open")  # from the page that shows it as it is now
    assert "Wieder geöffnet." in page and store.contact_request(rid)["status_by"] == "ben"


def test_a_stale_mark_as_answered_is_refused_too_and_a_double_click_is_quiet(shop):
    store = shop.extensions["kb.store"]
    store.add_contact_request("Rechnung fehlt", "k@example.de", "de", None, [])
    rid = store.contact_requests()[0]["id"]
    anna, ben = _agent(shop, "anna"), _agent(shop, "ben")
    stale = ben.get(f"/agent/inbox/{rid}").get_data(as_text=True)  # shows it open
    _location, page = _status(anna, rid, anna.get(f"/agent/inbox/{rid}").get_data(as_text=True), "answered")
    _status(anna, rid, page, "open")  # anna changed her mind: open again, but not the open ben saw
    _location, page = _status(ben, rid, stale, "answered")
    assert "anna hat diese Anfrage inzwischen auf „offen“ gesetzt" in page
    assert store.contact_request(rid)["status"] == "open"
    fresh = anna.get(f"/agent/inbox/{rid}").get_data(as_text=True)  # open, as it is
    _location, page = _status(anna, rid, fresh, "answered")
    _location, page = _status(anna, rid, fresh, "answered")  # the same form again: a double click
    assert "inzwischen" not in page and "Als beantwortet markiert." not in page
    _status(anna, rid, page, "open")  # in another window she reopens it
    _location, page = _status(anna, rid, fresh, "answered")  # and this window still shows the open of before
    assert "Sie haben diese Anfrage inzwischen in einem anderen Fenster auf „offen“ gesetzt" in page
    assert store.contact_request(rid)["status"] == "open"
    listed = anna.get(f"/agent/inbox/{rid}?status=all&sort=oldest").get_data(as_text=True)
    location, _page = _status(anna, rid, listed, "answered", query={"status": "all", "sort": "oldest"})
    assert _args(location) == {"status": "all", "sort": "oldest"}  # the way back to the list is kept
    assert anna.post(f"/agent/inbox/{rid}/status", data={"csrf_token": csrf_token(fresh), "status": "open",
                                                         "shown_status": "open", "shown_version": "x"}).status_code == 400


def _answered_with(client, rid, page, article="de/lieferzeit"):
    """The "answered with" form of ``page`` sent as it is: its action (the list's place) and the
    status and version it showed."""
    form = re.search(r'<form method="post" action="([^"]+/answered-with(?:\?[^"]*)?)">(.*?)</form>', page, re.S)
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)">', form.group(2)))
    r = client.post(unescape(form.group(1)), data={**fields, "article": article})
    assert r.status_code == 303
    return r.headers["Location"], client.get(r.headers["Location"]).get_data(as_text=True)


def test_a_stale_answered_with_is_refused_but_its_articles_are_recorded(shop):
    """ben opens a request (open, version 0); anna answers and reopens it (open, version 2); ben's
    "answered with" from his old page records his article but leaves the request open, and says
    what anna did; from a fresh page it marks the request answered."""
    from kb.ops import learning
    store = shop.extensions["kb.store"]
    store.add_contact_request("Wann kommt meine Lieferung?", "k@example.de", "de", None, [])
    rid = store.contact_requests()[0]["id"]
    anna, ben = _agent(shop, "anna"), _agent(shop, "ben")
    stale, annas_stale = (client.get(f"/agent/inbox/{rid}").get_data(as_text=True) for client in (ben, anna))
    assert 'name="shown_status" value="open"><input type="hidden" name="shown_version" value="0">' in stale
    _location, page = _status(anna, rid, anna.get(f"/agent/inbox/{rid}").get_data(as_text=True), "answered")
    _status(anna, rid, page, "open")
    assert (store.contact_request(rid)["status"], store.contact_request(rid)["status_version"]) == ("open", 2)
    _location, page = _answered_with(ben, rid, stale)
    assert "anna hat diese Anfrage inzwischen auf „offen“ gesetzt" in page
    row = store.contact_request(rid)
    assert (row["status"], row["status_by"], row["status_version"]) == ("open", "anna", 2)  # anna's reopening stands
    assert learning.answered_with(store, rid) == ["de/lieferzeit"]  # ben's evidence is kept
    _location, page = _answered_with(ben, rid, page)  # from the page that shows it as it is now
    assert "inzwischen" not in page
    row = store.contact_request(rid)
    assert (row["status"], row["status_by"], row["status_version"]) == ("answered", "ben", 3)
    _location, page = _status(anna, rid, annas_stale, "answered")  # and a status form of before is stale too
    assert "ben hat diese Anfrage inzwischen auf „beantwortet“ gesetzt" in page


def test_a_stale_answered_with_after_a_colleagues_answer_says_so(shop):
    store = shop.extensions["kb.store"]
    store.add_contact_request("Wann kommt meine Lieferung?", "k@example.de", "de", None, [])
    rid = store.contact_requests()[0]["id"]
    anna, ben = _agent(shop, "anna"), _agent(shop, "ben")
    stale, annas_stale = (client.get(f"/agent/inbox/{rid}").get_data(as_text=True) for client in (ben, anna))
    _status(anna, rid, anna.get(f"/agent/inbox/{rid}").get_data(as_text=True), "answered")
    _location, page = _answered_with(ben, rid, stale)
    assert "anna hat diese Anfrage inzwischen auf „beantwortet“ gesetzt" in page
    assert store.contact_request(rid)["status_by"] == "anna"  # the first answer's stays
    _location, page = _answered_with(ben, rid, page, "de/ruecksendung")  # adding to it, from a page that shows it
    assert "inzwischen" not in page and store.contact_request(rid)["status_version"] == 1
    _location, page = _answered_with(anna, rid, annas_stale)  # her own answer, from a window of before: quiet
    assert "inzwischen" not in page and "Gespeichert: Die Anfrage wurde beantwortet mit" in page


def test_answered_with_keeps_the_lists_place(shop):
    ids = _fill(shop, 60)
    anna = _agent(shop, "anna")
    html, refs = _page(anna, "/agent/inbox?status=all&sort=oldest")  # all: newest first unless asked
    html, refs = _page(anna, _link(html, "next"))
    assert refs[0] == "K-00050"
    item = unescape(re.search(r'href="(/agent/inbox/\d+\?[^"]+)">K-00050<', html).group(1))
    page = anna.get(item).get_data(as_text=True)
    place = {"status": "all", "sort": "oldest", "after": str(ids[49])}
    assert _args(item) == place
    location, page = _answered_with(anna, ids[50], page)
    assert _args(location) == place and urlsplit(location).path == f"/agent/inbox/{ids[50]}"
    assert shop.extensions["kb.store"].contact_request(ids[50])["status"] == "answered"
    find = re.search(r'<form method="get" action="[^"]+" id="aw-find-form">(.*?)</form>', page, re.S).group(1)
    assert dict(re.findall(r'name="(\w+)" value="([^"]*)"', find)) == place  # the find field keeps it too
    remove = re.search(r'action="([^"]+/answered-with/remove[^"]*)"', page).group(1)
    assert _args(unescape(remove)) == place
    r = anna.post(unescape(remove), data={"csrf_token": csrf_token(page), "article": "de/lieferzeit"})
    assert r.status_code == 303 and _args(r.headers["Location"]) == place
    r = anna.post(f"/agent/inbox/{ids[50]}/answered-with", query_string=place,
                  data={"csrf_token": csrf_token(page)})  # nothing chosen: back to the request, in its place
    assert r.status_code == 303 and _args(r.headers["Location"]) == place


def test_another_agent_sees_who_has_a_request_open_and_the_mark_expires(shop):
    store = shop.extensions["kb.store"]
    store.add_contact_request("Paket beschädigt, was nun?", "k@example.de", "de", None, [])
    store.add_contact_request("Wie lange dauert die Lieferung?", "l@example.de", "de", None, [])
    rid, other = (r["id"] for r in store.contact_requests())
    anna, ben = _agent(shop, "anna"), _agent(shop, "ben")
    anna.get(f"/agent/inbox/{rid}")
    mark = re.compile(r"anna hat diese Anfrage seit (\d\d\.\d\d\.\d{4} )?\d\d:\d\d geöffnet")
    inbox = ben.get("/agent/inbox").get_data(as_text=True)
    row = inbox.split(f'id="r-{rid}"')[1].split("</tr>")[0]
    assert mark.search(row) and not mark.search(inbox.split(f'id="r-{other}"')[1].split("</tr>")[0])
    assert mark.search(ben.get(f"/agent/inbox/{rid}").get_data(as_text=True))
    assert not mark.search(anna.get("/agent/inbox").get_data(as_text=True))  # not for herself
    own = anna.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert "ben hat diese Anfrage seit" in own and not mark.search(own)
    names = {r["agent"] for r in store.query("SELECT * FROM request_viewers")}
    assert names == {"anna", "ben"}  # user names and times: nothing of the customer
    with store.transaction() as db:  # a quarter of an hour and a minute later
        db.execute("UPDATE request_viewers SET since = '2026-03-02T07:00:00Z', seen = '2026-03-02T07:00:00Z'")
    assert not mark.search(ben.get("/agent/inbox").get_data(as_text=True))
    ben.set_cookie("lang", "en")
    anna.get(f"/agent/inbox/{rid}")
    english = ben.get("/agent/inbox").get_data(as_text=True)
    assert re.search(r"anna has had this open since (\d{4}-\d\d-\d\d )?\d\d:\d\d", english)


FORWARDED = """-----Original Message-----
From: Service Hafenkorb <service@hafenkorb.de>
Sent: Montag, 2. März 2026 10:12
To: kunde@example.de
Subject: Ihre Bestellung wurde versandt

Mein Paket ist nach zwei Wochen immer noch nicht angekommen. Was kann ich tun?
"""


def test_the_preview_of_a_pasted_mail_is_the_customers_sentence_not_its_header(shop):
    store = shop.extensions["kb.store"]
    store.add_contact_request(FORWARDED, "k@example.de", "de", None, [])
    store.add_contact_request("Hallo,\n\nich möchte meine Bestellung stornieren.\n\nViele Grüße\nAnna", None, "de",
                              None, [])
    inbox = _agent(shop, "anna").get("/agent/inbox").get_data(as_text=True)
    assert "Mein Paket ist nach zwei Wochen immer noch nicht angekommen." in inbox
    assert "Original Message" not in inbox and "Sent:" not in inbox
    assert "ich möchte meine Bestellung stornieren." in inbox
    rid = store.contact_requests()[-1]["id"]
    item = _agent(shop, "ben").get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert "-----Original Message-----" in item  # the request itself shows all the customer sent


def test_a_colleagues_time_is_a_clock_time_today_and_a_date_before():
    from zoneinfo import ZoneInfo
    from kb.web.local_time import local_clock
    berlin, now = ZoneInfo("Europe/Berlin"), datetime(2026, 3, 2, 9, 50, tzinfo=timezone.utc)
    assert local_clock("2026-03-02T09:42:10Z", berlin, "de", now=now) == "10:42"
    assert local_clock("2026-03-01T22:59:00Z", berlin, "de", now=now) == "01.03.2026 23:59"  # yesterday in Berlin
    assert local_clock("2026-03-01T23:01:00Z", berlin, "en", now=now) == "00:01"  # today in Berlin, not in UTC
    assert local_clock("not a time", berlin, "de", now=now) == "not a time"
