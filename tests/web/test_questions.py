"""Learned questions over HTTP: evidence from votes, the inbox and copies; editors decide."""
import html
import re
import shutil

import pytest

from conftest import csrf_token
from kb.ops import learning
from editor_fixtures import editor_index  # noqa: F401 (a fixture)
from test_agent import PASSWORD, sign_in


@pytest.fixture()
def learning_app(make_app, articles_dir, editor_index, tmp_path):
    """An accepted question re-indexes the articles: into this test's own copy of the index,
    finished before the next test (editor_fixtures.editor_app says why)."""
    shutil.copytree(editor_index, tmp_path / "index", symlinks=True)
    app = make_app(RATELIMIT_ENABLED=False, KB_ARTICLES=str(articles_dir), KB_INDEX=str(tmp_path / "index"))
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    app.extensions["kb.accounts"].add("eva", "editor", PASSWORD)
    yield app
    assert app.extensions["kb.reindexer"].settle(timeout=120), "a re-index did not finish"


def _api_vote(client, q, article_id, helpful=True, lang="en"):
    found = client.get("/api/search", query_string={"q": q, "lang": lang}).get_json()
    assert article_id in [r["id"] for r in found["results"]], found
    r = client.post("/api/feedback", json={"article_id": article_id, "helpful": helpful,
                                           "search_id": found["search_id"]})
    assert r.status_code == 201
    return found["search_id"]


def _suggestion_ids(html):
    return dict(re.findall(r'<li id="s-([0-9a-f]{10})">\s*<p><q>([^<]+)</q>', html))


def test_api_votes_become_suggestions_editors_accept_reject_and_edit(learning_app, articles_dir):
    client = learning_app.test_client()
    _api_vote(client, "how many days until my order is here", "en/delivery")
    _api_vote(client, "how many days until my order is here?", "en/delivery")
    _api_vote(client, "delivery to vienna austria", "en/delivery")
    _api_vote(client, "what does shipping to vienna cost", "en/delivery")
    sign_in(client, "anna")
    assert client.get("/agent/questions").status_code == 403  # editors only
    client.post("/agent/logout", data={"csrf_token": csrf_token(client.get("/agent/").get_data(as_text=True))})
    sign_in(client, "eva")
    html = client.get("/agent/questions").get_data(as_text=True)
    ids = {text: sid for sid, text in _suggestion_ids(html).items()}
    assert set(ids) == {"how many days until my order is here", "delivery to vienna austria",
                        "what does shipping to vienna cost"}
    assert "2 searches" in html and "Also asked as:" in html
    for action in ("Accept", "Reject", "Accept edited"):  # each button names the phrasing it decides
        assert (f'>{action}<span class="visually-hidden">: what does shipping to vienna cost</span></button>'
                in html)
    token = csrf_token(html)
    assert client.post("/agent/questions", data={"id": ids["delivery to vienna austria"],
                                                 "action": "accept"}).status_code == 400  # no CSRF
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept",
                                              "id": ids["how many days until my order is here"]})
    assert r.status_code == 303
    assert "added to the article" in client.get(r.headers["Location"]).get_data(as_text=True)
    text = (articles_dir / "en/delivery.md").read_text()
    assert "questions:\n  - how many days until my order is here\n---" in text
    history = client.get("/agent/articles/en/delivery/history").get_data(as_text=True)  # versioned as eva's
    assert "Add the question &#39;how many days until my order is here&#39; to en/delivery" in history
    assert "eva" in history
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "reject",
                                              "id": ids["what does shipping to vienna cost"]})
    assert r.status_code == 303
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept",
                                              "id": ids["delivery to vienna austria"],
                                              "phrasing": "delivery to vienna, ring 0171 2345678"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "personal data" in page
    assert 'value="delivery to vienna, ring 0171 2345678"' in page  # the editor's words are kept
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept",
                                              "id": ids["delivery to vienna austria"],
                                              "phrasing": "How long is delivery to Vienna?"})
    assert r.status_code == 303
    assert "  - How long is delivery to Vienna?\n" in (articles_dir / "en/delivery.md").read_text()
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept", "id": "0123456789"})
    assert r.status_code == 400 and "no suggestion" in r.get_data(as_text=True)
    html = client.get("/agent/questions").get_data(as_text=True)
    assert _suggestion_ids(html) == {} and "No suggestions at the moment." in html
    assert "How long is delivery to Vienna?" in html  # the accepted ones, under their effect
    assert "delivery to vienna austria" not in html  # the suggestion's own words were not written: not listed
    decided = {r["phrasing"]: r["decision"] for r in learning_app.extensions["kb.store"].query(
        "SELECT phrasing, decision FROM question_decisions")}
    assert decided["How long is delivery to Vienna?"] == "accepted"
    assert decided["delivery to vienna austria"] == "edited"  # decided, never suggested again


def _narrowed(client, **params):
    r = client.get("/agent/questions", query_string=params)
    return r.status_code, r.get_data(as_text=True)


def test_editors_narrow_to_a_language_or_article_and_accept_all_shown(learning_app, articles_dir):
    client = learning_app.test_client()
    _api_vote(client, "how many days until my order is here", "en/delivery")
    _api_vote(client, "delivery to vienna austria", "en/delivery")
    _api_vote(client, "wie lange bis nach österreich", "de/lieferzeit", lang="de")
    sign_in(client, "eva")
    status, html = _narrowed(client)
    assert len(_suggestion_ids(html)) == 3 and "Open suggestions: 3, for articles: 2" in html
    status, html = _narrowed(client, language="de")
    assert status == 200 and set(_suggestion_ids(html).values()) == {"wie lange bis nach österreich"}
    status, html = _narrowed(client, article="en/delivery")
    assert set(_suggestion_ids(html).values()) == {"how many days until my order is here",
                                                   "delivery to vienna austria"}
    status, html = _narrowed(client, language="xx")
    assert status == 400 and "unknown language &#39;xx&#39;" in html
    status, html = _narrowed(client, article="en/nope")
    assert status == 400 and "unknown article &#39;en/nope&#39;" in html
    status, html = _narrowed(client, language="en")
    form = re.search(r'<form[^>]*class="accept-all">(.*?)</form>', html, re.S).group(1)
    shown = re.findall(r'name="id" value="([0-9a-f]{10})"', form)
    assert len(shown) == 2 and 'name="language" value="en"' in form
    token = csrf_token(html)
    assert client.post("/agent/questions", data={"action": "accept-shown", "id": shown}).status_code == 400
    german = next(iter(_suggestion_ids(_narrowed(client, language="de")[1])))
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept-shown",
                                              "id": [shown[0], german]})
    assert r.status_code == 400 and "one article at a time" in r.get_data(as_text=True)
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept-shown",
                                              "id": shown, "language": "en"})
    assert r.status_code == 303 and "language=en" in r.headers["Location"]
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Questions added to the article: 2." in page
    text = (articles_dir / "en/delivery.md").read_text()
    assert "  - how many days until my order is here\n" in text and "  - delivery to vienna austria\n" in text
    assert _suggestion_ids(page) == {}  # narrowed to English: nothing open there any more
    r = client.post("/agent/questions", data={"csrf_token": token, "action": "accept-shown", "id": shown})
    assert r.status_code == 400 and "list them again" in r.get_data(as_text=True)
    client.set_cookie("lang", "de")
    html = client.get("/agent/questions").get_data(as_text=True)
    assert "Offene Vorschläge: 1, für Artikel: 1" in html
    assert "Alle Sprachen" in html and "Alle Artikel" in html


def test_accept_all_stops_at_a_failed_write_and_says_how_far_it_got(learning_app, articles_dir, monkeypatch):
    from kb.ops import article_editing as ops  # the browser writes through the article editor
    client = learning_app.test_client()
    _api_vote(client, "how many days until my order is here", "en/delivery")
    _api_vote(client, "delivery to vienna austria", "en/delivery")
    sign_in(client, "eva")
    html = client.get("/agent/questions").get_data(as_text=True)
    shown = list(_suggestion_ids(html))
    written = []

    def add_once(path, question):
        if written:
            raise OSError("disk full")
        written.append(question)
        return True
    monkeypatch.setattr(ops, "add_question", add_once)
    r = client.post("/agent/questions", data={"csrf_token": csrf_token(html), "action": "accept-shown", "id": shown})
    page = r.get_data(as_text=True)
    assert r.status_code == 400
    assert "Questions added: 1; then this failed: the change could not be written on this server: disk full" in page
    assert list(_suggestion_ids(page).values()) == [q for q in _suggestion_ids(html).values() if q not in written]


def test_portal_vote_carries_the_search_and_german_ui(learning_app):
    client = learning_app.test_client()
    client.set_cookie("lang", "de")
    page = client.get("/search", query_string={"q": "wie lange bis nach österreich"}).get_data(as_text=True)
    link = re.search(r'href="(/articles/de/lieferzeit\?s=[^"]+)"', page).group(1).replace("&amp;", "&")
    article = client.get(link).get_data(as_text=True)
    assert 'name="search_id"' in article
    r = client.post("/feedback", data={"csrf_token": csrf_token(article), "article_id": "de/lieferzeit",
                                       "helpful": "yes",
                                       "search_id": re.search(r'name="search_id" value="([^"]+)"', article).group(1)})
    assert r.status_code == 303
    sign_in(client, "eva")
    client.set_cookie("lang", "de")
    html = client.get("/agent/questions").get_data(as_text=True)
    assert "wie lange bis nach österreich" in html and "Übernehmen" in html


def test_inbox_answered_with_articles_and_copy_are_evidence(learning_app):
    client = learning_app.test_client()
    store = learning_app.extensions["kb.store"]
    search = store.log_search("retourenlabel verloren", "de", False, [], "portal")
    store.add_contact_request("Retourenlabel verloren", None, "de", "retourenlabel verloren", [], search)
    rid = store.contact_requests()[0]["id"]
    sign_in(client, "anna")
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert 'value="de/ruecksendung"' in page
    r = client.post(f"/agent/inbox/{rid}/answered-with", data={"csrf_token": csrf_token(page)})  # nothing chosen
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/agent/inbox/{rid}")  # back to the request
    assert "Choose at least one article" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert store.contact_request(rid)["status"] == "open"
    r = client.post(f"/agent/inbox/{rid}/answered-with",
                    data={"csrf_token": csrf_token(page), "article": ["de/ruecksendung", "nope/none"]})
    assert r.status_code == 303 and store.contact_request(rid)["status"] == "answered"
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert re.search(r'Answered with</h2>\s*<ul class="answered-list">\s*<li><a href="/articles/de/ruecksendung"', page)
    work = client.get("/agent/", query_string={"q": "wie viel Kulanz darf ich geben"}).get_data(as_text=True)
    assert 'data-copy-record="copy-1"' in work
    form = re.search(r'data-copy-record="copy-1">(.*?)</form>', work, re.S).group(1)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    r = client.post("/agent/copied", data=fields, headers={"Accept": "application/json"})
    assert r.status_code == 201
    assert client.post("/agent/copied", data={**fields, "article_id": "nope"}).status_code == 400
    client.post("/agent/logout", data={"csrf_token": csrf_token(work)})
    sign_in(client, "eva")
    html = client.get("/agent/questions").get_data(as_text=True)
    assert "retourenlabel verloren" in html.casefold()
    assert ("wie viel Kulanz darf ich geben" in html) == (fields["article_id"] == "intern/kulanz")


def test_insights_count_searches_that_found_an_article_by_a_learned_question(learning_app):
    client = learning_app.test_client()
    store = learning_app.extensions["kb.store"]
    _api_vote(client, "how many days until my order is here", "en/delivery")
    sign_in(client, "eva")
    html = client.get("/agent/questions").get_data(as_text=True)
    (sid,) = _suggestion_ids(html)
    client.post("/agent/questions", data={"csrf_token": csrf_token(html), "id": sid, "action": "accept"})
    for shown in (["en/delivery"], ["en/delivery"], ["en/returns", "en/delivery"]):
        store.log_search("How many days until my order is here?", "en", True, shown, "portal")
    store.log_search("how many days until my order is here", "en", True, ["en/delivery"], "agent")  # staff
    page = client.get("/agent/insights").get_data(as_text=True)
    assert "Found by learned questions" in page
    csv = client.get("/agent/insights/learned.csv?days=30").get_data(as_text=True)
    assert csv.splitlines()[1].startswith("en/delivery,2,how many days until my order is here,")
    assert "<td>2</td>" in client.get("/agent/questions").get_data(as_text=True)


def test_a_word_no_article_uses_is_added_to_the_article_customers_found_helpful(learning_app, articles_dir):
    client = learning_app.test_client()
    _api_vote(client, "newsletter delivery times", "en/delivery")
    _api_vote(client, "newsletter about delivery", "en/delivery")
    sign_in(client, "eva")
    html = client.get("/agent/insights").get_data(as_text=True)
    words = html.split('id="t-missing-words"')[1].split("</section>")[0]
    assert "<td>newsletter</td>" in words and 'name="article" value="en/delivery"' in words
    token = csrf_token(html)
    form = {"csrf_token": token, "word": "newsletter", "article": "en/delivery"}
    assert client.post("/agent/insights/words?days=30", data={**form, "csrf_token": ""}).status_code == 400
    before = (articles_dir / "en/delivery.md").read_text()
    for forged in ({"word": "delivery"}, {"article": "en/returns"}, {"article": "../../etc/passwd"}):
        r = client.post("/agent/insights/words?days=30", data={**form, **forged})
        assert r.status_code == 303
        assert "nothing was written" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert (articles_dir / "en/delivery.md").read_text() == before  # only what the report lists is written
    r = client.post("/agent/insights/words?days=30", data=form)
    assert r.status_code == 303
    assert "was added to the article" in client.get(r.headers["Location"]).get_data(as_text=True)
    # the front matter gains the question, the rest of the file stays byte for byte
    assert (articles_dir / "en/delivery.md").read_text() == before.replace(
        "translation: delivery\n---\n", "translation: delivery\nquestions:\n  - newsletter\n---\n", 1)
    decided = learning_app.extensions["kb.store"].query("SELECT phrasing, decision, editor FROM question_decisions")
    assert [tuple(r) for r in decided] == [("newsletter", "accepted", "eva")]


def test_a_word_that_cannot_be_written_just_now_says_so_and_is_not_decided(learning_app, articles_dir, monkeypatch):
    from kb.content.files import exclusive_lock
    from kb.ops import article_editing
    client = learning_app.test_client()
    _api_vote(client, "newsletter delivery times", "en/delivery")
    sign_in(client, "eva")
    form = {"csrf_token": csrf_token(client.get("/agent/insights").get_data(as_text=True)),
            "word": "newsletter", "article": "en/delivery"}
    before = (articles_dir / "en/delivery.md").read_text()
    monkeypatch.setattr(article_editing, "LOCK_WAIT_SECONDS", 0.2)
    with exclusive_lock(learning_app.extensions["kb.editor"].lock_file(), 1):  # another server's change
        r = client.post("/agent/insights/words?days=30", data=form)
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "could not be written into the article just now" in page and "no longer in the report" not in page
    assert (articles_dir / "en/delivery.md").read_text() == before
    assert learning_app.extensions["kb.store"].query("SELECT phrasing FROM question_decisions") == []


def _answered_with_section(page: str) -> str:
    return page.split('id="answered-with"')[1].split("</section>")[0]


def _options(section: str) -> dict[str, str]:
    """The list of every article: id -> the option's text."""
    select = section.split('<select id="aw-any"')[1].split("</select>")[0]
    return {i: html.unescape(t) for i, t in re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', select)}


def test_an_agent_records_any_article_of_the_help_centre_and_takes_one_off_again(learning_app):
    """The internal article the agent used is neither seen by the customer nor suggested: the
    full list has it, the find field narrows it without JavaScript, and a wrong one comes off."""
    client = learning_app.test_client()
    store = learning_app.extensions["kb.store"]
    ref = store.add_contact_request("Wie melde ich mich vom Newsletter ab?", None, "de", None, [])
    rid = next(r["id"] for r in store.contact_requests() if r["ref"] == ref)
    sign_in(client, "anna")
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    listed = _options(_answered_with_section(page))
    assert listed["intern/kulanz"] == "Kulanzgrenzen für Agenten (internal)"
    assert {"de/lieferzeit", "de/ruecksendung", "en/delivery", "en/returns"} <= set(listed)
    assert "de/entwurf" not in listed  # a draft is no answer yet
    found = _answered_with_section(client.get(f"/agent/inbox/{rid}", query_string={"aw": "kulanzgrenz"})
                                   .get_data(as_text=True))
    assert _options(found) == {"intern/kulanz": "Kulanzgrenzen für Agenten (internal)"}
    assert 'value="intern/kulanz" data-key="kulanzgrenzen fuer agenten intern kulanz" selected' in found
    assert "Articles matching “kulanzgrenz”: 1" in found
    assert _options(_answered_with_section(client.get(f"/agent/inbox/{rid}", query_string={"aw": "zuruck"})
                                           .get_data(as_text=True))) == {}  # an umlaut: ü or ue
    umlaut = client.get(f"/agent/inbox/{rid}", query_string={"aw": "zurücksenden"}).get_data(as_text=True)
    assert set(_options(_answered_with_section(umlaut))) == {"de/ruecksendung"}

    token = csrf_token(page)
    r = client.post(f"/agent/inbox/{rid}/answered-with",
                    data={"csrf_token": token, "article": ["", "intern/kulanz", "de/lieferzeit"]})
    assert r.status_code == 303
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ("Recorded: the request was answered with Kulanzgrenzen für Agenten, Wie lange dauert die Lieferung?. "
            "The customer&#39;s words are not learned for internal articles") in page
    section = _answered_with_section(page)
    assert "intern/kulanz" not in _options(section) and "— anna, " in section
    assert re.search(r'name="article" value="de/lieferzeit">\s*<button type="submit" class="secondary small">Remove'
                     r'<span class="visually-hidden">: Wie lange dauert die Lieferung\?</span>', section)
    client.post("/agent/logout", data={"csrf_token": csrf_token(page)})
    sign_in(client, "eva")
    questions = client.get("/agent/questions").get_data(as_text=True)
    assert "Wie melde ich mich vom Newsletter ab?" in questions  # the wrong article's suggestion

    r = client.post(f"/agent/inbox/{rid}/status", data={"csrf_token": csrf_token(questions), "status": "open"})
    assert r.status_code == 303 and store.contact_request(rid)["status"] == "open"
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert "This request was reopened: the articles above still count" in page  # reopening takes nothing off
    r = client.post(f"/agent/inbox/{rid}/answered-with/remove", data={"csrf_token": csrf_token(page),
                                                                      "article": "de/lieferzeit"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/agent/inbox/{rid}")
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert ("Removed from the articles this request was answered with: Wie lange dauert die Lieferung?. "
            "Its evidence for learned questions is withdrawn.") in page
    assert learning.answered_with(store, rid) == ["intern/kulanz"]
    assert "Newsletter" not in client.get("/agent/questions").get_data(as_text=True)
    again = client.post(f"/agent/inbox/{rid}/answered-with/remove", data={"csrf_token": csrf_token(page),
                                                                          "article": "de/lieferzeit"})
    assert "is not among the articles this request was answered with" in client.get(
        again.headers["Location"]).get_data(as_text=True)
    assert client.post("/agent/inbox/999/answered-with/remove",
                       data={"csrf_token": csrf_token(page), "article": "de/lieferzeit"}).status_code == 404
    assert client.post(f"/agent/inbox/{rid}/answered-with/remove",
                       data={"article": "intern/kulanz"}).status_code == 400  # no CSRF token
    assert learning.answered_with(store, rid) == ["intern/kulanz"]


def test_answered_with_speaks_german(learning_app):
    client = learning_app.test_client()
    store = learning_app.extensions["kb.store"]
    ref = store.add_contact_request("Wie melde ich mich vom Newsletter ab?", None, "de", None, [])
    rid = next(r["id"] for r in store.contact_requests() if r["ref"] == ref)
    sign_in(client, "anna")
    client.set_cookie("lang", "de")
    page = client.get(f"/agent/inbox/{rid}", query_string={"aw": "kulanz"}).get_data(as_text=True)
    section = _answered_with_section(page)
    assert "Artikel nach Titel finden" in section and "Beliebiger Artikel aus dem Hilfe-Center" in section
    assert "Kulanzgrenzen für Agenten (intern)" in section and "Artikel zu „kulanz“: 1" in section
    r = client.post(f"/agent/inbox/{rid}/answered-with", data={"csrf_token": csrf_token(page),
                                                               "article": "intern/kulanz"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Gespeichert: Die Anfrage wurde beantwortet mit Kulanzgrenzen für Agenten." in page
    assert "werden für interne Artikel nicht gelernt" in page
    assert "Ein entfernter Artikel zählt nicht mehr als Beleg für gelernte Fragen." in page
    r = client.post(f"/agent/inbox/{rid}/answered-with/remove", data={"csrf_token": csrf_token(page),
                                                                      "article": "intern/kulanz"})
    page = client.get(r.headers["Location"]).get_data(as_text=True)
    assert "Aus den Artikeln entfernt, mit denen diese Anfrage beantwortet wurde: Kulanzgrenzen für Agenten." in page


def test_an_answer_copied_for_a_request_and_the_request_answered_with_it_count_once(learning_app):
    """The QA case: an agent copies an article's answer in the workspace for a request's words,
    then marks the request answered with it. One customer: one piece of evidence, labelled as
    what it is, and a standing `--min-evidence 2` does not take it."""
    client = learning_app.test_client()
    store = learning_app.extensions["kb.store"]
    question = "Retourenlabel verloren, was nun?"
    ref = store.add_contact_request(question, None, "de", None, [])
    rid = next(r["id"] for r in store.contact_requests() if r["ref"] == ref)
    sign_in(client, "anna")
    work = client.get("/agent/", query_string={"q": question}).get_data(as_text=True)
    form = next(f for f in re.findall(r'data-copy-record="copy-\d+">(.*?)</form>', work, re.S)
                if 'value="de/ruecksendung"' in f)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))
    assert client.post("/agent/copied", data=fields).status_code == 204
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    client.post(f"/agent/inbox/{rid}/answered-with", data={"csrf_token": csrf_token(page),
                                                           "article": "de/ruecksendung"})
    client.post("/agent/logout", data={"csrf_token": csrf_token(page)})
    sign_in(client, "eva")
    html_en = client.get("/agent/questions").get_data(as_text=True)
    item = html_en.split(f"<q>{question}</q>")[1].split("</p>")[0]
    assert "1 piece of evidence: 1 request ·" in item and "search" not in item
    assert "At least this much evidence" in html_en
    assert question not in client.get("/agent/questions", query_string={"min": 2}).get_data(as_text=True)
    client.set_cookie("lang", "de")
    html_de = client.get("/agent/questions").get_data(as_text=True)
    assert "1 Beleg: 1 Anfrage ·" in html_de and "Mindestens so viele Belege" in html_de
    assert "1 Suche" not in html_de


def test_insights_leave_out_what_signed_in_staff_search_on_the_portal(app, accounts):
    client = app.test_client()
    client.get("/search", query_string={"q": "wie lange dauert die lieferung nach wien"})  # a customer
    sign_in(client, "eva")
    client.set_cookie("lang", "de")
    for _ in range(3):  # an editor trying the portal out
        client.get("/search", query_string={"q": "kulanzgrenze probesuche"})
    page = client.get("/agent/insights").get_data(as_text=True)
    top = page.split('id="t-top-searches"')[1].split("</section>")[0]
    assert "wie lange dauert die lieferung nach wien" in top and "probesuche" not in page
    assert "Nur Kundschaft: Suchen angemeldeter Mitarbeitender" in page
    assert app.extensions["kb.store"].query("SELECT COUNT(*) AS n FROM searches WHERE channel = 'agent'")[0]["n"] == 3
