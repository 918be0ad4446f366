"""The customer portal through Flask's test client: pages, forms, privacy, escaping."""
import json
import re
import sqlite3

from conftest import csrf_token

DE = {"Accept-Language": "de-DE,de;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}


def test_home_lists_topics_in_the_readers_language_without_cookies(client):
    r = client.get("/", headers=DE)
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and "Wie können wir helfen?" in html
    assert 'href="/categories/versand"' in html and "Shipping" not in html
    assert "+49 40 1234 5670" in html  # contact channels from site.yml
    assert "Set-Cookie" not in r.headers  # nothing to remember, nothing set
    r = client.get("/", headers=EN)
    assert "How can we help?" in r.get_data(as_text=True)


def test_language_choice_is_remembered_in_one_cookie(client):
    r = client.get("/?lang=en", headers=DE)
    cookie = r.headers["Set-Cookie"]
    assert cookie.startswith("lang=en") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    r = client.get("/", headers=DE)  # the cookie now beats Accept-Language
    assert "How can we help?" in r.get_data(as_text=True)
    assert "Set-Cookie" not in client.get("/api/categories?lang=de").headers  # the API sets none


def test_search_shows_best_answer_with_marked_terms_and_keeps_query(client, db):
    r = client.get("/search?q=wann+kommt+mein+Paket", headers=DE)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    best = html.split("Beste Antworten")[1].split("</ol>")[0]
    assert "Wie lange dauert die Lieferung?" in best
    assert "<mark>" in best
    assert 'value="wann kommt mein Paket"' in html
    logged = db("SELECT * FROM searches")
    assert len(logged) == 1 and logged[0]["answered"] == 1 and logged[0]["channel"] == "portal"
    assert "de/lieferzeit" in json.loads(logged[0]["results"])
    # the result links carry the section and the search, not the person
    assert re.search(r'href="/articles/de/lieferzeit\?s=[\w-]+', best)


def test_a_results_page_reloaded_with_its_search_id_is_not_another_search(app, client, db):
    first = client.get("/search?q=wann+kommt+mein+Paket", headers=DE).get_data(as_text=True)
    token = re.search(r'data-search="([\w-]+)"', first).group(1)
    again = client.get(f"/search?q=wann+kommt+mein+Paket&s={token}", headers=DE).get_data(as_text=True)
    assert f'data-search="{token}"' in again and "Wie lange dauert die Lieferung?" in again
    assert [r["token"] for r in db("SELECT token FROM searches")] == [token]
    switch = re.search(r'href="([^"]*lang=en[^"]*)"', again).group(1).replace("&amp;", "&")
    assert "s=" not in switch  # the results in the other language are a search of their own
    # another question, a made-up id, or the id of a search long ago: a search of its own
    client.get(f"/search?q=retoure&s={token}", headers=DE)
    client.get("/search?q=wann+kommt+mein+Paket&s=made-up", headers=DE)
    assert db("SELECT COUNT(*) AS n FROM searches")[0]["n"] == 3
    with sqlite3.connect(app.config["DATABASE"]) as con:
        con.execute("UPDATE searches SET at = '2020-01-01T00:00Z' WHERE token = ?", (token,))
    client.get(f"/search?q=wann+kommt+mein+Paket&s={token}", headers=DE)
    assert db("SELECT COUNT(*) AS n FROM searches")[0]["n"] == 4


def test_a_pasted_message_is_searched_question_by_question_and_offered_to_the_team(client, db):
    message = ("Hallo liebes Team, ich habe vor zwei Wochen bei Ihnen ein großes Paket mit Gartenmöbeln "
               "bestellt und seitdem leider nichts mehr gehört, obwohl ich schon zweimal angerufen habe. "
               "Meine Nachbarin hat ihre Bestellung längst bekommen und ich warte immer noch darauf. "
               "Ich frage mich langsam, ob überhaupt etwas verschickt wurde oder ob etwas schiefgelaufen ist. "
               "Wann kommt mein Paket? Und falls es nicht mehr rechtzeitig ankommt, möchte ich die Möbel "
               "zurückschicken: Wie funktioniert die Rücksendung? Vielen Dank und freundliche Grüße")
    assert 500 < len(message) <= 2000
    r = client.get("/search", query_string={"q": message}, headers=DE)
    page = r.get_data(as_text=True)
    assert r.status_code == 200 and "Ihre Nachricht" in page
    listed = page.split("Diese Artikel beantworten vielleicht Teile davon")[1].split("</ul>")[0]
    assert "/articles/de/lieferzeit" in listed
    textarea = re.search(r'<textarea id="question"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert textarea.replace("&amp;", "&") == message  # the whole message, ready for the team
    logged = db("SELECT query, answered FROM searches")
    assert len(logged) == 1 and len(logged[0]["query"]) <= 500 and logged[0]["answered"] == 0
    assert 'maxlength="2000"' in page
    # an address across the 500 characters kept of it is masked whole, not cut in half
    client.head("/search", query_string={"q": message}, headers=DE)  # a link checker's: nobody's search
    crossing = message[:480] + " Meine Adresse ist anna.schmidt@example.de, bitte antworten Sie mir."
    client.get("/search", query_string={"q": crossing}, headers=DE)
    stored = [r["query"] for r in db("SELECT query FROM searches")]
    assert len(stored) == 2 and "anna" not in stored[1] and "schmid" not in stored[1]


def test_search_with_typo_shows_results_for_the_correction_and_offers_the_original(client):
    html = client.get("/search?q=rturn+labl", headers=EN).get_data(as_text=True)
    assert "Results for <strong>return label</strong>" in html
    assert 'Search instead for <a href="/search?q=rturn+labl&amp;exact=1">rturn labl</a>' in html
    assert "Returning an item" in html.split("Best answers")[1]
    german = client.get("/search?q=rturn+labl", headers=DE).get_data(as_text=True)
    assert "Ergebnisse für <strong>return label</strong>" in german and "Stattdessen suchen nach" in german
    # the question as typed, on request: the correction is only offered
    typed = client.get("/search?q=rturn+labl&exact=1", headers=EN).get_data(as_text=True)
    assert "Did you mean:" in typed and "Results for" not in typed


def test_search_with_typo_that_is_answered_keeps_the_words(client):
    """Two edits from the help centre's word: the speller corrects only what changes the answer."""
    html = client.get("/search?q=retournlabl+erstellen", headers=EN).get_data(as_text=True)
    assert "Results for" not in html and "Did you mean" not in html
    assert "Artikel zurücksenden" in html.split("Best answers")[1]


def test_search_with_a_typo_one_edit_from_a_word_shows_the_correction(client):
    html = client.get("/search?q=retrn+label", headers=EN).get_data(as_text=True)
    assert "Results for <strong>return label</strong>" in html
    assert 'Search instead for <a href="/search?q=retrn+label&amp;exact=1">retrn label</a>' in html
    assert "Returning an item" in html.split("Best answers")[1]


def test_off_topic_question_offers_a_person(client):
    html = client.get("/search?q=Wer+gewann+die+Fu%C3%9Fball-WM+1954%3F", headers=DE).get_data(as_text=True)
    assert "Dazu haben wir keinen passenden Artikel" in html
    assert "Beste Antworten" not in html
    assert 'action="/contact"' in html and "Ihre Frage" in html and "+49 40 1234 5670" in html
    assert "Wer gewann die Fußball-WM 1954?</textarea>" in html


def test_the_closest_articles_show_their_passage_beside_the_offer_of_a_person(client):
    """Below the threshold the customer still reads what the closest articles say."""
    html = client.get("/search?q=Wer+gewann+die+Fu%C3%9Fball-WM+1954%3F", headers=DE).get_data(as_text=True)
    closest = html.split('class="link-list results closest"')[1].split("</ul>")[0]
    assert closest.count("<li") == closest.count('<p class="snippet">') >= 1
    assert closest.count("<li") <= 3


def test_category_filter_and_bad_search_input(client):
    html = client.get("/search?q=Lieferung&category=rueckgabe", headers=DE).get_data(as_text=True)
    assert "Wie lange dauert die Lieferung?" not in html
    r = client.get("/search?q=Lieferung&category=gibt-es-nicht")
    assert r.status_code == 302 and "category" not in r.headers["Location"]
    assert client.get("/search?q=").status_code == 302
    r = client.get("/search?q=%F0%9F%98%80%F0%9F%98%80", headers=DE)  # emoji alone: no words to search for
    assert r.status_code == 400 and "Bitte geben Sie eine Frage" in r.get_data(as_text=True)
    r = client.get("/search?q=Lieferung&lang=fr", headers=DE)  # a page language the portal lacks: ignored
    assert r.status_code == 302 and "lang" not in r.headers["Location"] and "q=Lieferung" in r.headers["Location"]
    r = client.get("/search?q=" + "x" * 2001, headers=DE)  # more than the search box takes, even pasted
    assert r.status_code == 400 and "Ihre Frage ist zu lang (höchstens 2000 Zeichen)" in r.get_data(as_text=True)


def test_everything_reflected_is_escaped(client):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    for url in ("/search?q=" + payload, "/contact?q=" + payload):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html
        assert "&lt;script&gt;" in html


def test_article_page(client, db):
    r = client.get("/articles/de/lieferzeit?section=lieferung-ins-ausland", headers=DE)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "<h1>Wie lange dauert die Lieferung?</h1>" in html
    assert 'class="answer-section"' in html and 'id="lieferung-ins-ausland"' in html
    assert 'href="/categories/versand"' in html  # breadcrumbs
    # the other language version, at the same section (translations keep the sections' order)
    assert 'href="/articles/en/delivery?lang=en&amp;section=delivery-abroad#delivery-abroad"' in html
    assert "1. Oktober 2026" in html
    assert 'href="/articles/de/ruecksendung"' in html  # Markdown link became a portal link
    assert "War dieser Artikel hilfreich?" in html
    assert db("SELECT views FROM article_views WHERE article_id = 'de/lieferzeit'")[0]["views"] == 1
    plain = client.get("/articles/de/lieferzeit", headers=DE).get_data(as_text=True)
    assert 'href="/articles/en/delivery?lang=en"' in plain


def test_only_customers_reading_count_as_views(app, client, db, accounts):
    from conftest import PASSWORD
    views = lambda: db("SELECT SUM(views) AS n FROM article_views WHERE article_id = 'de/lieferzeit'")[0]["n"] or 0
    client.head("/articles/de/lieferzeit", headers=DE)  # a link checker
    client.get("/articles/de/lieferzeit?voted=yes", headers=DE)  # the page again after the customer's vote
    client.get("/articles/de/lieferzeit?commented=1", headers=DE)
    client.head("/api/search?q=lieferzeit")
    assert views() == 0 and db("SELECT COUNT(*) AS n FROM searches")[0]["n"] == 0
    client.get("/articles/de/lieferzeit", headers=DE)
    assert views() == 1
    agent = app.test_client()
    token = csrf_token(agent.get("/agent/login").get_data(as_text=True))
    agent.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    agent.get("/articles/de/lieferzeit", headers=DE)  # staff at work
    assert views() == 1


def test_one_client_reloading_an_article_counts_twice_a_day_at_most(make_app, tmp_path):
    """The page is always served; its views count per client, so nobody pushes an article into
    "Frequently asked" by reloading it."""
    import sqlite3
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()

    def views():
        con = sqlite3.connect(app.config["DATABASE"])
        try:
            return con.execute("SELECT COALESCE(SUM(views), 0) FROM article_views "
                               "WHERE article_id = 'de/lieferzeit'").fetchone()[0]
        finally:
            con.close()
    for _ in range(5):
        assert client.get("/articles/de/lieferzeit", headers=DE,
                          environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 200
    assert views() == 2
    client.get("/articles/de/lieferzeit", headers=DE, environ_base={"REMOTE_ADDR": "198.51.100.2"})
    assert views() == 3


def test_a_vote_again_from_the_same_page_replaces_it(client, db):
    page = client.get("/articles/de/lieferzeit", headers=DE).get_data(as_text=True)
    ballot = re.search(r'name="ballot" value="([^"]+)"', page).group(1)
    vote = {"csrf_token": csrf_token(page), "article_id": "de/lieferzeit", "ballot": ballot}
    for helpful in ("yes", "yes", "no"):  # a double click, then a changed mind
        assert client.post("/feedback", data={**vote, "helpful": helpful}, headers=DE).status_code == 303
    assert [r["helpful"] for r in db("SELECT helpful FROM feedback")] == [0]
    other = client.get("/articles/de/lieferzeit", headers=DE).get_data(as_text=True)  # another page view
    assert re.search(r'name="ballot" value="([^"]+)"', other).group(1) != ballot


def test_the_language_switch_on_a_topic_leads_to_the_topic_in_that_language(client):
    html = client.get("/categories/versand", headers=DE).get_data(as_text=True)
    assert 'href="/categories/shipping?lang=en"' in html


def test_internal_drafts_and_unknown_articles_are_plain_404s(client):
    for path in ("/articles/intern/kulanz", "/articles/de/entwurf", "/articles/de/nope", "/nope"):
        r = client.get(path, headers=DE)
        html = r.get_data(as_text=True)
        assert r.status_code == 404, path
        assert "Seite nicht gefunden" in html and 'role="search"' in html
        assert "Kulanz" not in html and "Zebrafant" not in html
    assert client.get("/categories/intern").status_code == 404


def test_a_contact_form_whose_token_does_not_hold_comes_back_filled(client, db):
    """A restored tab or cleared cookies lose the session the token belongs to: what the
    customer typed is shown again with a new token, nothing is sent."""
    r = client.post("/contact", headers=DE, data={"csrf_token": "stale", "question": "Wo bleibt mein Sofa? Seit Tagen.",
                                                  "email": "kunde@example.de", "consent": "yes"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "Es wurde noch nichts gesendet" in page
    assert "Wo bleibt mein Sofa? Seit Tagen." in page and 'value="kunde@example.de"' in page
    assert db("SELECT * FROM contact_requests") == []
    again = client.post("/contact", headers=DE, data={"csrf_token": csrf_token(page), "consent": "yes",
                                                      "email": "kunde@example.de",
                                                      "question": "Wo bleibt mein Sofa? Seit Tagen."})
    assert again.status_code in (200, 303)
    assert len(db("SELECT * FROM contact_requests")) == 1


def test_the_contact_form_names_every_mistake_at_once_and_keeps_what_was_typed(client, db):
    page = client.get("/contact", headers=DE).get_data(as_text=True)
    r = client.post("/contact", headers=DE, data={"csrf_token": csrf_token(page), "question": "Sofa kaputt",
                                                  "email": "kunde@beispiel", "order_number": "100/%%"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "Bitte korrigieren Sie diese Punkte:" in page
    summary = page.split('id="contact-error"')[1].split("</div>")[0]
    assert [m for m in re.findall(r'href="#(\w+)"', summary)] == ["email", "order_number", "consent"]
    for field in ("email", "order_number", "consent"):  # each field says its own mistake
        assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', page) or \
            re.search(rf'aria-invalid="true"[^>]*id="{field}"', page), field
        assert f'id="{field}-error"' in page
    assert 'aria-invalid="true" aria-describedby="question-error"' not in page
    assert "Sofa kaputt" in page and 'value="kunde@beispiel"' in page and 'value="100/%%"' in page
    assert db("SELECT * FROM contact_requests") == []
    # the order number as customers write it: with a number sign, or in groups
    sent = client.post("/contact", headers=DE, data={"csrf_token": csrf_token(page), "question": "Sofa kaputt",
                                                     "email": "kunde@beispiel.de", "order_number": "#100 2345",
                                                     "consent": "yes"})
    assert sent.status_code == 303
    assert db("SELECT order_number FROM contact_details") == [{"order_number": "100 2345"}]


def test_helpful_vote_needs_csrf_and_is_stored(client, db):
    assert client.post("/feedback", data={"article_id": "de/lieferzeit", "helpful": "yes"}).status_code == 400
    # the expired-form page speaks the reader's language, though the token is checked first
    expired = client.post("/feedback", data={"article_id": "de/lieferzeit", "helpful": "yes"}, headers=EN)
    assert expired.status_code == 400 and "The form has expired" in expired.get_data(as_text=True)
    assert '<html lang="en"' in expired.get_data(as_text=True)
    assert db("SELECT * FROM feedback") == []
    token = csrf_token(client.get("/articles/de/lieferzeit", headers=DE).get_data(as_text=True))
    r = client.post("/feedback", data={"csrf_token": token, "article_id": "de/lieferzeit", "helpful": "yes"})
    assert r.status_code == 303 and "voted=yes" in r.headers["Location"]
    rows = db("SELECT * FROM feedback")
    assert len(rows) == 1 and rows[0]["helpful"] == 1 and rows[0]["comment"] is None
    assert "Danke für Ihre Rückmeldung" in client.get(r.headers["Location"], headers=DE).get_data(as_text=True)


def test_not_helpful_vote_then_comment_with_personal_data_masked(client, db):
    token = csrf_token(client.get("/articles/en/delivery", headers=EN).get_data(as_text=True))
    r = client.post("/feedback", data={"csrf_token": token, "article_id": "en/delivery", "helpful": "no"})
    assert r.status_code == 303 and "voted=no" in r.headers["Location"]
    page = client.get(r.headers["Location"], headers=EN).get_data(as_text=True)
    vote_token = re.search(r'name="token" value="([^"]+)"', page).group(1)
    comment = "Order 12345678 never came, mail me at jane@example.org or +44 20 7946 0958 <b>now</b>"
    r = client.post("/feedback/comment", data={"csrf_token": token, "article_id": "en/delivery",
                                               "token": vote_token, "comment": comment})
    assert r.status_code == 303
    stored = db("SELECT comment FROM feedback")[0]["comment"]
    assert "12345678" not in stored and "jane@example.org" not in stored and "7946" not in stored
    assert "[email]" in stored and "never came" in stored
    # a made-up token changes nothing
    for made_up in ("made-up", ""):
        r = client.post("/feedback/comment", data={"csrf_token": token, "article_id": "en/delivery",
                                                   "token": made_up, "comment": "spam"}, headers=EN)
        assert r.status_code == 409 and "Your comment was not saved" in r.get_data(as_text=True)  # no thanks
    assert [r["comment"] for r in db("SELECT comment FROM feedback")] == [stored]


def _voted_no(client, headers=DE, article="de/lieferzeit"):
    """The page after a "No" without JavaScript, and the comment form's fields."""
    page = client.get(f"/articles/{article}", headers=headers).get_data(as_text=True)
    r = client.post("/feedback", data={"csrf_token": csrf_token(page), "article_id": article, "helpful": "no",
                                       "ballot": re.search(r'name="ballot" value="([^"]+)"', page).group(1)})
    page = client.get(r.headers["Location"], headers=headers).get_data(as_text=True)
    return {"csrf_token": csrf_token(page), "article_id": article,
            "token": re.search(r'name="token" value="([^"]+)"', page).group(1)}


def test_a_comment_sent_twice_or_again_after_back_is_saved_not_refused(client, db):
    """A double tap on "Kommentar senden" (or the script's fallback post after its own send)
    and Back, more typed, sent again: each answer is the thank-you, the text is all kept."""
    form = _voted_no(client)
    for _twice in range(2):
        r = client.post("/feedback/comment", data={**form, "comment": "Die Tabelle fehlt."}, headers=DE)
        assert r.status_code == 303 and "commented=1" in r.headers["Location"]
    assert "Danke für Ihren Kommentar" in client.get(r.headers["Location"], headers=DE).get_data(as_text=True)
    r = client.post("/feedback/comment", data={**form, "comment": "Die Tabelle fehlt. Und Express?"}, headers=DE)
    assert r.status_code == 303
    assert [row["comment"] for row in db("SELECT comment FROM feedback")] == ["Die Tabelle fehlt. Und Express?"]
    js = client.post("/feedback/comment", data={**form, "comment": "Die Tabelle fehlt. Und Express?"},
                     headers={**DE, "Accept": "application/json"})
    assert js.status_code == 201 and js.get_json() == {"ok": True}


def test_a_comment_not_taken_comes_back_with_a_way_to_the_article(client, db):
    """The page for a comment that could not be saved gives the text back to copy, links to
    the article, and its language switch leads to the article, not to this POST-only address."""
    form = _voted_no(client)
    r = client.post("/feedback/comment", data={**form, "token": "vergessen", "comment": "Die Tabelle fehlt."},
                    headers=DE)
    page = r.get_data(as_text=True)
    assert r.status_code == 409 and "Das tut uns leid" in page and "Bitte kopieren Sie Ihren Text unten" in page
    assert '<textarea id="kept-text" rows="4" readonly>Die Tabelle fehlt.</textarea>' in page
    assert 'href="/articles/de/lieferzeit#feedback">Zurück zum Artikel' in page
    switch = re.search(r'<a href="([^"]+)" lang="en" hreflang="en" data-lang="en">', page).group(1)
    assert switch == "/articles/en/delivery?lang=en"
    assert "/feedback" not in page.split('class="lang-switch"')[1].split("</nav>")[0]
    js = client.post("/feedback/comment", data={**form, "token": "vergessen", "comment": "Die Tabelle fehlt."},
                     headers={**DE, "Accept": "application/json"})
    assert js.status_code == 409 and js.get_json()["field"] == "token"  # the script then posts the form: this page
    assert db("SELECT comment FROM feedback") == [{"comment": None}]


def test_the_vote_and_comment_addresses_opened_as_pages_lead_somewhere(client):
    """An old language-switch link (/feedback/comment?lang=en) or a bookmark: no 405."""
    r = client.get("/feedback/comment?lang=en")
    assert r.status_code == 302 and r.headers["Location"] == "/?lang=en"
    r = client.get("/feedback?article_id=de/lieferzeit&lang=en")
    assert r.status_code == 302 and r.headers["Location"] == "/articles/de/lieferzeit?lang=en#feedback"
    assert client.get("/feedback/comment?article_id=intern/kulanz").headers["Location"] == "/"


def test_vote_by_javascript_gets_json(client, db):
    token = csrf_token(client.get("/articles/de/lieferzeit").get_data(as_text=True))
    r = client.post("/feedback", data={"csrf_token": token, "article_id": "de/lieferzeit", "helpful": "no"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 201 and r.get_json()["token"] and r.get_json()["helpful"] is False
    r = client.post("/feedback", data={"csrf_token": token, "article_id": "intern/kulanz", "helpful": "no"},
                    headers={"Accept": "application/json"})
    assert r.status_code == 400 and "unknown article" in r.get_json()["error"]
    assert len(db("SELECT * FROM feedback")) == 1


def test_contact_request_keeps_the_search_it_came_from(client, db):
    html = client.get("/search?q=Wer+gewann+die+Fu%C3%9Fball-WM+1954%3F", headers=DE).get_data(as_text=True)
    token = csrf_token(html)
    search_id = re.search(r'name="s" value="([^"]+)"', html).group(1)
    form = {"csrf_token": token, "s": search_id, "question": "Wer gewann die WM? Bestellung HK-2026-1234567",
            "email": "kunde@example.de"}
    r = client.post("/contact", data=form, headers=DE)  # no consent: refused, nothing stored
    assert r.status_code == 400 and "Bitte stimmen Sie zu" in r.get_data(as_text=True)
    assert "HK-2026-1234567" in r.get_data(as_text=True)  # what was typed is not lost
    assert db("SELECT * FROM contact_requests") == []
    r = client.post("/contact", data={**form, "email": "not-an-email", "consent": "yes"}, headers=DE)
    assert r.status_code == 400 and "E-Mail-Adresse sieht nicht richtig aus" in r.get_data(as_text=True)
    r = client.post("/contact", data={**form, "consent": "yes"}, headers=DE)
    assert r.status_code == 303 and "/contact/sent?ref=K-" in r.headers["Location"]
    rows = db("SELECT * FROM contact_requests")
    assert len(rows) == 1
    row = rows[0]
    assert row["email"] == "kunde@example.de" and row["status"] == "open"
    assert row["query"] == "Wer gewann die Fußball-WM 1954?"
    assert "1234567" not in row["question"]
    searched = db("SELECT results FROM searches WHERE token = ?", (search_id,))[0]["results"]
    assert json.loads(row["shown"]) == json.loads(searched)[:3]  # what the page showed, not all results
    page = client.get(r.headers["Location"], headers=DE).get_data(as_text=True)
    assert row["ref"] in page and "Danke, Ihre Anfrage wurde gesendet" in page
    assert len(db("SELECT * FROM contact_requests")) == 1
    # one form sent twice (a double click, a reload) is one request; another form is another
    page = client.get(f"/contact?s={search_id}", headers=DE).get_data(as_text=True)
    submission = re.search(r'name="submission" value="([^"]+)"', page).group(1)
    sent = {**form, "consent": "yes", "question": "Noch eine Frage", "submission": submission}
    first = client.post("/contact", data=sent, headers=DE)
    again = client.post("/contact", data=sent, headers=DE)
    assert again.headers["Location"] == first.headers["Location"] and len(db("SELECT * FROM contact_requests")) == 2
    other = client.post("/contact", data={**sent, "question": "Und noch eine", "submission": "another-form-0001"},
                        headers=DE)
    assert other.headers["Location"] != first.headers["Location"] and len(db("SELECT * FROM contact_requests")) == 3
    # Back, then the same question sent again: the page came back with a new form id
    back = client.post("/contact", data={**sent, "submission": "after-going-back-01"}, headers=DE)
    assert back.headers["Location"] == first.headers["Location"] and len(db("SELECT * FROM contact_requests")) == 3
    # Back, the question changed, sent again with the form id the browser restored: a new request, not lost
    changed = client.post("/contact", data={**sent, "question": "Doch eine andere Frage"}, headers=DE)
    assert changed.headers["Location"] != first.headers["Location"]
    assert [r["question"] for r in db("SELECT question FROM contact_requests ORDER BY id")][-1] == "Doch eine andere Frage"
    # without an address two customers may ask the same words: each is a request
    anonymous = {**sent, "email": "", "no_reply": "yes", "question": "Wo ist mein Paket?"}
    client.post("/contact", data={**anonymous, "submission": "anonymous-form-001"}, headers=DE)
    client.post("/contact", data={**anonymous, "submission": "anonymous-form-002"}, headers=DE)
    assert len(db("SELECT * FROM contact_requests WHERE question = 'Wo ist mein Paket?'")) == 2


def test_a_note_above_an_email_the_customer_pasted_is_their_own_question(client):
    """The portal's search box holds what the customer wrote: a note above an e-mail they forwarded
    into it is theirs (in a message an agent pastes, it would be a colleague's and left out)."""
    message = ("Guten Tag, ich habe vor zwei Wochen Gartenmöbel bestellt und wohne in Österreich. Bisher ist "
               "nichts angekommen, und ich weiß nicht, womit ich rechnen muss. Wie lange dauert die Lieferung "
               "nach Österreich?\n\n---------- Weitergeleitete Nachricht ----------\n"
               "Von: Hafenkorb <service@hafenkorb.de>\nBetreff: Ihre Rücksendung\n\n"
               "Ihre Rücksendung ist bei uns angekommen. Die Rücksendung wird nun geprüft, die Erstattung der "
               "Rücksendung folgt danach. Bei Fragen zur Rücksendung antworten Sie einfach auf diese E-Mail.")
    assert 500 < len(message) <= 2000
    page = client.get("/search", query_string={"q": message}, headers=DE).get_data(as_text=True)
    listed = page.split("Diese Artikel beantworten vielleicht Teile davon")[1].split("</ul>")[0]
    assert re.findall(r'href="/articles/([^"?#]+)', listed)[0] == "de/lieferzeit"


def test_security_headers(client):
    r = client.get("/")
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    html = r.get_data(as_text=True)
    assert "<script>" not in html and " style=" not in html  # nothing inline the CSP would block
    assert not re.search(r'(src|href)="https?://', html.split("<footer")[0])  # all assets local


def test_every_template_string_has_a_german_translation():
    from pathlib import Path
    from kb.web.i18n import catalog
    root = Path(__file__).resolve().parents[2] / "kb"
    pattern = re.compile(r'''\b_\(\s*(["'])((?:(?!\1).)+)\1''')
    used = set()
    for path in list((root / "templates").rglob("*.html")) + list((root / "web").rglob("*.py")):
        used |= {m.group(2) for m in pattern.finditer(path.read_text())}
    from kb.web.agent.insights import INSIGHT_TABLES
    from kb.web.agent.workspace import AUDIENCES
    from kb.web.contact_form import CONTACT_MESSAGES
    from kb.web.insights_view import COLUMNS, TABLES
    used |= set(CONTACT_MESSAGES.values()) | {title for title, _f in INSIGHT_TABLES.values()}
    used |= {explained for _t, _f, explained in TABLES.values()} | set(COLUMNS.values())
    from kb.web.resume import FIELD_LABELS, FORM_LABELS
    from kb.ops.article_history import ON_DISK
    used |= set(AUDIENCES) | {"open", "answered", "agent", "editor"}  # passed to _() as variables
    used |= set(FIELD_LABELS.values()) | {ON_DISK}
    used |= {label for labels in FORM_LABELS.values() for label in labels.values() if label}
    assert len(used) > 40
    missing = sorted(used - set(catalog("de")))
    assert not missing, missing


def test_sitemap_lists_public_pages_only(make_app):
    import xml.etree.ElementTree as ET
    r = make_app(KB_BASE_URL="http://localhost").test_client().get("/sitemap.xml")
    assert r.status_code == 200 and r.mimetype == "application/xml"
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = [e.text for e in ET.fromstring(r.data).findall("s:url/s:loc", ns)]
    assert "http://localhost/articles/de/lieferzeit" in locs and "http://localhost/articles/en/returns" in locs
    assert not any("kulanz" in l or "entwurf" in l or "intern" in l for l in locs)


def test_results_in_another_language_say_so(client):
    """A German page with English results: titles, passages and topics carry lang="en", so a
    screen reader reads them in English; the page's own words stay German."""
    html = client.get("/search?q=how+do+I+return+an+item", headers=DE).get_data(as_text=True)
    assert '<html lang="de"' in html
    answer = html.split('class="answer"')[1].split("</li>")[0]
    assert re.search(r'<h3 lang="en"><a [^>]*>Returning an item</a></h3>', answer)
    assert '<p class="snippet" lang="en">' in answer
    assert 'class="more"' in answer and '<a class="more" href' in answer  # "Read the full answer" is the page's
    closest = client.get("/search?q=Wer+gewann+die+Fu%C3%9Fball-WM+1954%3F", headers=DE).get_data(as_text=True)
    assert re.search(r'<ul class="link-list results closest">\s*<li lang="de">', closest)
    article = client.get("/articles/en/delivery", headers=DE).get_data(as_text=True)
    crumbs = article.split('class="breadcrumbs"')[1].split("</nav>")[0]
    assert re.search(r'<li lang="en"><a href="/categories/shipping">Shipping</a></li>', crumbs), crumbs
    assert '<li aria-current="page" lang="en">' in crumbs


def test_a_contact_form_with_errors_says_so_in_its_title_and_leads_to_them(client):
    """Without JavaScript too: the title starts with "Fehler: ", the summary is the first thing
    in main (where the skip link leads) and the first field to correct has the focus."""
    page = client.get("/contact", headers=DE).get_data(as_text=True)
    assert "<title>Fragen Sie unser Team" in page and "autofocus" not in page
    r = client.post("/contact", headers=DE, data={"csrf_token": csrf_token(page), "email": "kunde@beispiel"})
    page = r.get_data(as_text=True)
    assert r.status_code == 400 and "<title>Fehler: Fragen Sie unser Team" in page
    assert re.search(r'<main id="main"[^>]*>\s*<div class="notice error" role="alert" id="contact-error" tabindex="-1">',
                     page)
    assert 'class="skip" href="#main">Zum Inhalt springen' in page
    assert re.findall(r'<(\w+) id="(\w+)"[^>]*aria-invalid="true"[^>]*autofocus', page) == [("textarea", "question")]
    assert page.count("autofocus") == 1
    en = client.post("/contact", headers=EN, data={"csrf_token": csrf_token(page), "question": "Sofa kaputt",
                                                   "email": "kunde@beispiel", "consent": "yes"})
    html = en.get_data(as_text=True)
    assert "<title>Error: Ask our team" in html
    assert re.findall(r'<input id="(\w+)"[^>]*autofocus', html) == ["email"] and html.count("autofocus") == 1
    # a message about the whole form (its token did not hold): the summary itself has the focus
    stale = client.post("/contact", headers=DE, data={"csrf_token": "stale", "question": "Sofa kaputt"})
    html = stale.get_data(as_text=True)
    assert "<title>Fehler: " in html
    assert re.search(r'id="contact-error" tabindex="-1" autofocus>', html) and html.count("autofocus") == 1
