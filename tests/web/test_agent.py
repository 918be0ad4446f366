"""Accounts, sign-in, roles, API tokens, the agent workspace, and no leaks of internal articles."""
import re

import pytest

from conftest import PASSWORD, csrf_token

INTERNAL_MARKERS = ("Kulanzgrenzen", "Teamleitung", "intern/kulanz")


def sign_in(client, username, password=PASSWORD, next_url=""):
    client.set_cookie("lang", "en")  # the assertions below read the English UI
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    return client.post("/agent/login", data={"csrf_token": token, "username": username,
                                              "password": password, "next": next_url})


def test_passwords_are_hashed_and_checked(accounts, db):
    row = db("SELECT password_hash FROM users WHERE username = 'anna'")[0]
    assert row["password_hash"].startswith("$argon2id$") and PASSWORD not in row["password_hash"]
    assert accounts.authenticate("anna", PASSWORD).role == "agent"
    assert accounts.authenticate("anna", "wrong password") is None
    assert accounts.authenticate("nobody", PASSWORD) is None


def test_sign_in_and_out(client, accounts):
    r = client.get("/agent/")
    assert r.status_code == 302 and "/agent/login" in r.headers["Location"]
    r = sign_in(client, "anna", "wrong password")
    assert r.status_code == 401 and "Wrong user name or password" in r.get_data(as_text=True)
    r = sign_in(client, "anna", next_url="/agent/inbox")
    assert r.status_code == 303 and r.headers["Location"] == "/agent/inbox"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/agent/").status_code == 200
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    assert client.post("/agent/logout").status_code == 400  # CSRF token required
    assert client.post("/agent/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/agent/").status_code == 302


def test_sign_in_never_redirects_off_site(client, accounts):
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        r = sign_in(client, "anna", next_url=evil)
        assert r.headers["Location"] == "/agent/"


def test_sign_in_needs_csrf_and_is_rate_limited(make_app):
    app = make_app()  # with the default limits
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    client = app.test_client()
    r = client.post("/agent/login", data={"username": "anna", "password": PASSWORD})
    assert r.status_code == 400
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    codes = [client.post("/agent/login", data={"csrf_token": token, "username": "anna",
                                               "password": "guess %d" % i}).status_code for i in range(12)]
    assert codes[:9] == [401] * 9 and codes[-1] == 429
    r = client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0


def test_roles(client, accounts):
    sign_in(client, "anna")
    assert client.get("/agent/inbox").status_code == 200
    for path in ("/agent/insights", "/agent/insights/top-searches.csv", "/agent/drafts"):
        assert client.get(path).status_code == 403, path
    client.post("/agent/logout", data={"csrf_token": csrf_token(client.get("/agent/").get_data(as_text=True))})
    sign_in(client, "eva")
    for path in ("/agent/insights", "/agent/insights/top-searches.csv", "/agent/drafts"):
        assert client.get(path).status_code == 200, path


def test_removed_user_loses_the_session(client, accounts):
    sign_in(client, "anna")
    accounts.remove("anna")
    assert client.get("/agent/").status_code == 302


def test_api_tokens(client, accounts):
    token, secret = accounts.create_token("anna", "chat tool")
    auth = {"Authorization": f"Bearer {secret}"}
    body = client.get("/api/search?q=Kulanz+Agenten&limit=5", headers=auth).get_json()
    assert body["results"][0]["id"] == "intern/kulanz"
    assert client.get("/api/articles/intern/kulanz", headers=auth).status_code == 200
    r = client.get("/api/search?q=Kulanz", headers={"Authorization": "Bearer kb_wrong"})
    assert r.status_code == 401 and r.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/search?q=Kulanz", headers={"Authorization": "bearer   "}).status_code == 401
    accounts.revoke_token(token.id)
    assert client.get("/api/search?q=Kulanz", headers=auth).status_code == 401


def test_a_proxys_basic_auth_is_not_a_token(client):
    """A staging shop behind nginx's password prompt: the browser sends Basic with every request."""
    basic = {"Authorization": "Basic Zm9vOmJhcg=="}
    for url in ("/", "/search?q=Lieferzeit", "/api/search?q=Lieferzeit", "/api/suggest?q=Lief"):
        r = client.get(url, headers=basic)
        assert r.status_code == 200, url
    body = client.get("/api/search?q=Kulanz+Agenten&limit=5", headers=basic).get_json()
    assert all(hit["id"] != "intern/kulanz" for hit in body["results"])  # a customer's search


def test_agent_search_includes_internal_articles_with_copyable_answers(client, accounts):
    sign_in(client, "anna")
    html = client.get("/agent/?q=Kulanz+bis+wieviel+Euro").get_data(as_text=True)
    assert "Kulanzgrenzen für Agenten" in html and 'class="badge">internal' in html
    assert 'class="copy-source"' in html and "15 EUR" in html and 'data-copy="copy-1"' in html
    html = client.get("/agent/?q=Kulanz&audience=public").get_data(as_text=True)
    assert "Kulanzgrenzen" not in html
    # internal articles only: ranked among themselves, whatever public articles lead overall
    html = client.get("/agent/?q=wie+lange+dauert+die+Lieferung&audience=internal&limit=1").get_data(as_text=True)
    assert "Kulanzgrenzen für Agenten" in html and "Wie lange dauert die Lieferung?" not in html
    html = client.get("/agent/?q=Lieferung&language=en").get_data(as_text=True)
    assert "How long does delivery take?" in html and "Wie lange dauert" not in html
    # ?lang= is the page's language only, and it is remembered
    r = client.get("/agent/?q=how+long+does+delivery+take&lang=de")
    html = r.get_data(as_text=True)
    assert '<html lang="de"' in html and "How long does delivery take?" in html  # an English article still
    assert "lang=de" in r.headers.get("Set-Cookie", "")
    assert '<html lang="de"' in client.get("/agent/inbox").get_data(as_text=True)
    assert client.get("/articles/intern/kulanz").status_code == 200  # signed in: visible


def test_pasted_message_gets_suggestions_for_each_question(client, accounts):
    sign_in(client, "anna")
    page = client.get("/agent/message").get_data(as_text=True)
    message = ("Hallo zusammen,\n\nich habe letzte Woche bestellt, Bestellnummer HK-2026-1234567. "
               "Wann kommt mein Paket endlich an?\nUnd kann ich die Schuhe kostenlos zurücksenden?\n\n"
               "Viele Grüße\nMax\n\n> Ihre Bestellung wurde versandt. Mit einem Gewinnspiel.")
    html = client.post("/agent/message", data={"csrf_token": csrf_token(page), "message": message}).get_data(as_text=True)
    suggested = html.split("Suggested articles")[1] if "Suggested articles" in html else html.split("Vorgeschlagene Artikel")[1]
    titles = re.findall(r'<h3><a href="/articles/([^"?#]+)', suggested)
    assert {"de/lieferzeit", "de/ruecksendung"} <= set(titles[:3])
    assert "Viele Grüße" not in html.split("<ul class=\"parts\">")[1].split("</ul>")[0]


def test_a_pasted_thanks_gets_no_suggestions_but_says_why(client, accounts):
    sign_in(client, "anna")
    page = client.get("/agent/message?lang=de").get_data(as_text=True)
    thanks = "Danke, hat sich erledigt!\n\nLG\nAnna"
    html = client.post("/agent/message", data={"csrf_token": csrf_token(page), "message": thanks}).get_data(as_text=True)
    assert "Die Nachricht bedankt sich nur oder schließt die Sache ab" in html
    assert "Vorgeschlagene Artikel" not in html


def test_inbox_shows_requests_with_their_search_and_suggestions(client, accounts, app):
    store = app.extensions["kb.store"]
    search = store.log_search("wann kommt mein paket", "de", True, ["de/lieferzeit"], "portal")
    store.add_contact_request("Mein Paket ist seit einer Woche nicht da", "k@example.de", "de",
                              "wann kommt mein paket", ["de/lieferzeit"], search)
    store.add_contact_request("<script>alert(1)</script> Rücksendung?", None, "de", None, [])
    sign_in(client, "anna")
    html = client.get("/agent/inbox").get_data(as_text=True)
    assert "Mein Paket ist seit einer Woche" in html and "&lt;script&gt;" in html and "<script>alert" not in html
    item = re.search(r'href="(/agent/inbox/\d+)">K-', html.split("Mein Paket")[0][-400:] + html).group(1)
    rid = int(db_id(html, "Mein Paket ist seit einer Woche"))
    page = client.get(f"/agent/inbox/{rid}").get_data(as_text=True)
    assert "wann kommt mein paket" in page and "k@example.de" in page
    assert 'href="/articles/de/lieferzeit"' in page  # shown to the customer, and suggested
    r = client.post(f"/agent/inbox/{rid}/status", data={"csrf_token": csrf_token(page), "status": "answered"})
    assert r.status_code == 303
    assert store.contact_request(rid)["status"] == "answered"
    assert 'role="status">Marked as answered.</p>' in client.get(r.location).get_data(as_text=True)
    assert "Mein Paket ist seit" not in client.get("/agent/inbox").get_data(as_text=True)
    assert item


def db_id(html: str, text: str) -> str:
    row = [r for r in html.split("<tr>") if text in r][0]
    return re.search(r"/agent/inbox/(\d+)", row).group(1)


def test_editor_previews_drafts(client, accounts, app, articles_dir):
    app.config["KB_ARTICLES"] = str(articles_dir)
    sign_in(client, "eva")
    html = client.get("/agent/drafts").get_data(as_text=True)
    assert "Geheimes Gewinnspiel" in html
    html = client.get("/agent/drafts/de/entwurf").get_data(as_text=True)
    assert "Zebrafant" in html and "customers cannot see" in html.lower() or "Entwurf" in html
    assert client.get("/agent/drafts/de/lieferzeit").status_code == 404  # published, not a draft


def _anonymous_urls(app):
    """Every GET route, with sample values for its arguments (internal article ids included)."""
    samples = {"article_id": ["intern/kulanz", "de/lieferzeit"], "slug": ["intern", "versand"],
               "request_id": ["1"], "name": ["top-searches"], "filename": ["app.js"], "ref": ["1"]}
    urls = []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods:
            continue
        combos = [{}]
        for arg in rule.arguments:
            combos = [{**c, arg: v} for c in combos for v in samples[arg]]
        for c in combos:
            url = rule.rule
            for arg, v in c.items():
                url = re.sub(r"<(?:[^:>]+:)?%s>" % arg, v, url)
            urls.append(url)
    queries = ["?q=Kulanz", "?q=Kulanz+Agenten+15+EUR+Freigabe", "?q=kulanz&lang=de",
               "?q=Kulanz&category=intern", "?lang=de", ""]
    return [u + q for u in urls for q in queries]


def test_no_internal_article_leaks_to_anonymous_visitors(app, client, accounts):
    store = app.extensions["kb.store"]
    store.add_contact_request("Frage", None, "de", "Kulanz", ["intern/kulanz"])
    urls = _anonymous_urls(app)
    assert len(urls) > 100
    for url in urls:
        r = client.get(url, headers={"Accept-Language": "de"})
        body = r.get_data(as_text=True)
        assert r.status_code < 500, url
        for marker in INTERNAL_MARKERS:
            if marker in url:
                continue  # the visitor's own URL echoed in links (language switch) reveals nothing
            assert marker not in body, (url, marker)
    for url in ("/articles/intern/kulanz", "/api/articles/intern/kulanz"):
        assert client.get(url).status_code == 404  # not 403: do not reveal it exists


def test_insights_for_editors_on_seeded_data(client, accounts, app):
    store = app.extensions["kb.store"]
    for q in ("Wo ist mein Paket?", "wo ist mein paket", "Wo bleibt mein Paket"):
        store.log_search(q, "de", False, [], "portal")
    store.log_search('=HYPERLINK("http://evil")', "de", False, [], "portal")
    helped = store.log_search("Lieferzeit", "de", True, ["de/lieferzeit"], "portal")
    store.add_feedback("de/lieferzeit", True, None, "de", helped)
    store.log_search("paket dauer zurück", "de", True, ["de/lieferzeit", "de/ruecksendung"], "portal", True)
    vote = store.add_feedback("en/returns", False, None, "en")
    store.add_comment(vote, "<b>label</b> link broken")
    store.add_contact_request("Frage", None, "de", None, [])
    store.count_view("de/lieferzeit")
    worded = store.log_search("wann kommt der newsletter", "de", False, ["de/lieferzeit"], "portal")
    store.add_feedback("de/lieferzeit", True, None, "de", worded)
    sign_in(client, "eva")
    html = client.get("/agent/insights?days=30").get_data(as_text=True)
    for bad in ("14", "abc", ""):  # the period's choices are named, not "not understood"
        r = client.get(f"/agent/insights?days={bad}")
        assert r.status_code == 400 and "7, 30, 90, 365" in r.get_data(as_text=True)
    r = client.get("/agent/inbox?status=bogus")
    assert r.status_code == 400 and "open, answered" in r.get_data(as_text=True)
    unanswered = html.split('id="t-unanswered"')[1].split("</section>")[0]
    assert "Wo ist mein Paket?" in unanswered or "wo ist mein paket" in unanswered
    assert "<svg" in html and 'role="img"' in html
    competing = html.split('id="t-competing"')[1].split("</section>")[0]
    assert "Wie lange dauert die Lieferung?</a>" in competing and "paket dauer zurück" in competing
    assert 'href="/agent/articles/de/lieferzeit/edit"' in competing and 'href="/agent/articles/de/ruecksendung/edit"' in competing
    assert "&lt;b&gt;label&lt;/b&gt; link broken" in html and "<b>label</b>" not in html
    missing = html.split('id="t-missing-words"')[1].split("</section>")[0]
    assert "<td>newsletter</td>" in missing and "wann kommt der newsletter" in missing
    assert "Wie lange dauert die Lieferung?</a>" in missing and 'href="/agent/articles/de/lieferzeit/edit"' in missing
    assert "<td>paket</td>" not in missing and "<td>lieferzeit</td>" not in missing  # the articles' own words
    words = client.get("/agent/insights/missing-words.csv?days=30").get_data(as_text=True)
    assert "newsletter,,1,0.0,wann kommt der newsletter,de/lieferzeit,1," in words
    german = client.get("/agent/insights/missing-words.csv?days=30&lang=de").get_data(as_text=True)
    assert "newsletter;;1;0,0;wann kommt der newsletter;de/lieferzeit;1;" in german  # German Excel's columns
    plain = client.get("/agent/insights/missing-words.csv?days=30&lang=de&plain=1").get_data(as_text=True)
    assert "newsletter,,1,0.0,wann kommt der newsletter,de/lieferzeit,1," in plain
    assert re.search(r"\r\n.*;\d{4}-\d\d-\d\d \d\d:\d\d\r\n", german)  # local times, no "T...Z"
    assert re.search(r",\d{4}-\d\d-\d\dT\d\d:\d\dZ\r\n", plain)
    csv = client.get("/agent/insights/top-searches.csv?days=30")
    assert csv.mimetype == "text/csv" and "attachment" in csv.headers["Content-Disposition"]
    text = csv.get_data(as_text=True)
    assert "'=hyperlink" in text.lower() and "\n=" not in text  # formula injection guarded
    empty = client.get("/agent/insights/not-helpful.csv?days=7&lang=en").get_data(as_text=True)
    assert empty.lstrip("\ufeff").startswith("Article,Not helpful,")  # the page's column names
    plain = client.get("/agent/insights/not-helpful.csv?days=7&plain=1").get_data(as_text=True)
    assert plain.lstrip("\ufeff").startswith("article_id,no_votes,")  # programs read the field names
    assert client.get("/agent/insights?days=3").status_code == 400
    assert client.get("/agent/insights/nope.csv").status_code == 404


def test_insights_for_the_days_an_editor_names(client, accounts, app):
    """A named range counts only its days; its CSV says them in the file name and reads in
    the reader's language; a range that is no period says why."""
    store = app.extensions["kb.store"]
    store.log_search("Paket in Januar", "de", False, [], "portal")
    store.log_search("Paket heute", "de", False, [], "portal")
    with store.transaction() as db:
        db.execute("UPDATE searches SET at = '2026-01-10T10:00Z' WHERE query = 'Paket in Januar'")
    sign_in(client, "eva")
    html = client.get("/agent/insights?from=2026-01-01&to=2026-01-31").get_data(as_text=True)
    top = html.split('id="t-top-searches"')[1].split("</section>")[0]
    assert "paket in januar" in top.lower() and "paket heute" not in top.lower()
    assert "1 January 2026 to 31 January 2026" in html and 'value="2026-01-01"' in html
    assert 'min="2000-01-01" max="20' in html  # the date pickers offer the days there are
    assert "/agent/insights/top-searches.csv?from=2026-01-01&amp;to=2026-01-31" in html
    assert 'aria-current="page"' not in html.split('class="filters"')[1].split("</nav>")[0]
    csv = client.get("/agent/insights/top-searches.csv?from=2026-01-01&to=2026-01-31&lang=de")
    assert 'filename="kb-top-searches-2026-01-01_2026-01-31.csv"' in csv.headers["Content-Disposition"]
    text = csv.get_data(as_text=True).lstrip("\ufeff")
    assert text.startswith("Gesucht nach;Suchen;Beantwortet;") and "paket in januar" in text.lower()
    assert "paket heute" not in text.lower()
    since = client.get("/agent/insights?from=2026-01-01").get_data(as_text=True)  # "since": up to today
    assert "paket heute" in since.split('id="t-top-searches"')[1].split("</section>")[0].lower()
    for args, said in ((("2026-02-01", "2026-01-01"), "comes after the last day"),
                       (("2026-01-01", "2999-01-01"), "is in the future"),
                       (("2026-13-01", ""), "is not a day; write it as YYYY-MM-DD"),
                       (("1.1.2026", ""), "is not a day"),
                       (("2000-01-01", "2026-01-01"), "at most 1098 days"),
                       (("", "2026-01-01"), "needs its first day"),
                       (("2026-W01-1", ""), "is not a day"), (("20260101xx", ""), "is not a day"),
                       (("0001-01-01", "0001-01-02"), "The reports begin on 2000-01-01")):
        r = client.get("/agent/insights", query_string={"from": args[0], "to": args[1], "lang": "en"})
        assert r.status_code == 400 and said in r.get_data(as_text=True), args
        assert 'id="t-top-searches"' in r.get_data(as_text=True)  # the reports, for the default period
    r = client.get("/agent/insights/articles.csv", query_string={"from": "2026-02-01", "to": "2026-01-01",
                                                                  "lang": "de"})
    assert r.status_code == 400 and "liegt nach dem letzten Tag" in r.get_data(as_text=True)


def test_every_staff_route_rejects_anonymous_and_agents_where_editor_only(app, client, accounts):
    staff_rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/agent/")
                   and r.endpoint not in ("auth.login", "auth.logout")]
    assert len(staff_rules) >= 10
    samples = {"article_id": "de/entwurf", "request_id": "1", "name": "top-searches", "ref": "1"}

    def url(rule):
        out = rule.rule
        for arg in rule.arguments:
            out = re.sub(r"<(?:[^:>]+:)?%s>" % arg, samples[arg], out)
        return out

    for rule in staff_rules:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = client.open(url(rule), method=method, headers={"Accept": "text/html"})
            assert r.status_code in (302, 400), (rule.rule, method, r.status_code)  # sign-in or CSRF
            if r.status_code == 302:
                assert "/agent/login" in r.headers["Location"]
            r = client.open(url(rule), method=method, headers={"Accept": "application/json"})
            assert r.status_code in (400, 401), (rule.rule, method)
    sign_in(client, "anna")
    token = csrf_token(client.get("/agent/").get_data(as_text=True))
    editor_only = [r for r in staff_rules if r.endpoint in
                   ("agent.insights", "agent.insights_csv", "agent.drafts", "agent.draft", "agent.reload",
                    "editor.new", "editor.edit", "editor.save", "editor.preview", "editor.ready", "editor.publish",
                    "editor_history.restore", "editor_history.rename", "editor_history.delete")]
    for rule in editor_only:
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            r = client.open(url(rule), method=method, data={"csrf_token": token})
            assert r.status_code == 403, (rule.rule, method)
    page = client.get("/agent/insights").get_data(as_text=True)  # in the workspace, not the portal's footer
    assert 'class="agent-nav"' in page and "anna" in page and 'class="channels' not in page


def test_secret_key_is_generated_once_and_private(make_app, tmp_path, monkeypatch):
    import os
    monkeypatch.delenv("KB_SECRET_KEY", raising=False)
    app = make_app(SECRET_KEY=None)
    key_file = tmp_path / "instance" / "secret_key"
    assert key_file.is_file() and oct(os.stat(key_file).st_mode & 0o777) == "0o600"
    assert app.secret_key == key_file.read_text().strip() and len(app.secret_key) >= 64
    assert make_app(SECRET_KEY=None).secret_key == app.secret_key  # same key after a restart
    given = "from-the-environment-" + "k" * 40
    monkeypatch.setenv("KB_SECRET_KEY", given)
    assert make_app(SECRET_KEY=None).secret_key == given
    from kb.web.deployment import ConfigurationError
    for weak, said in (("abc", "has 3 characters; at least 32"), (" " * 40, "has 0 characters"),
                       ("k" * 40, "repeats 1 characters"),
                       ("CHANGE-ME-64-hex-characters-from-secrets.token_hex(32)", "placeholder")):
        monkeypatch.setenv("KB_SECRET_KEY", weak)
        with pytest.raises(ConfigurationError, match=said):
            make_app(SECRET_KEY=None)


def test_cookies_are_secure_behind_https(make_app, monkeypatch):
    monkeypatch.setenv("KB_HTTPS", "1")
    app = make_app(RATELIMIT_ENABLED=False)
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    client = app.test_client()
    r = sign_in(client, "anna")
    cookie = r.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" in client.get("/?lang=de").headers["Set-Cookie"]  # the language cookie too


# a colleague's forward: the note's header names a sender on site.yml's domain (hafenkorb.de)
FORWARD_WITH_NOTE = ("Von: Tom Berger <tom.berger@hafenkorb.de>\nBetreff: WG: Rücksendung\n\n"
                     "Kannst du das übernehmen? Wie lange dauert die Lieferung nach Österreich?\n\n"
                     "---------- Weitergeleitete Nachricht ----------\nVon: Anna <a@example.de>\nBetreff: Rücksendung\n\n"
                     "Ich möchte einen Artikel zurücksenden. Wie geht das?")


def test_a_pasted_forward_is_searched_without_the_colleagues_note(client, accounts):
    sign_in(client, "anna")
    page = client.get("/agent/message?lang=de").get_data(as_text=True)
    html = client.post("/agent/message", data={"csrf_token": csrf_token(page), "message": FORWARD_WITH_NOTE}
                       ).get_data(as_text=True)
    parts = html.split('<ul class="parts">')[1].split("</ul>")[0]
    assert "zurücksenden" in parts and "Österreich" not in parts and "übernehmen" not in parts
    # without the header nothing says a colleague wrote it: it may be the customer's question
    html = client.post("/agent/message", data={"csrf_token": csrf_token(page),
                                               "message": FORWARD_WITH_NOTE.split("\n\n", 1)[1]}
                       ).get_data(as_text=True)
    parts = html.split('<ul class="parts">')[1].split("</ul>")[0]
    assert "zurücksenden" in parts and "Österreich" in parts


def test_a_note_above_a_forward_in_a_customers_own_request_is_searched(client, accounts, app):
    """What a customer wrote into the contact form is theirs throughout: the note above the shop's
    e-mail they forwarded is their question, and its article comes first."""
    store = app.extensions["kb.store"]
    store.add_contact_request("Wie lange dauert die Lieferung nach Österreich?\n\n"
                              "---------- Weitergeleitete Nachricht ----------\nVon: Hafenkorb <service@hafenkorb.de>\n"
                              "Betreff: Ihre Rücksendung\n\nIhre Rücksendung ist bei uns angekommen.",
                              "k@example.de", "de", None, [])
    sign_in(client, "anna")
    item = client.get(f"/agent/inbox/{store.contact_requests()[0]['id']}").get_data(as_text=True)
    suggested = re.findall(r'<h3><a href="/articles/([^"?#]+)', item.split('class="answers"')[1])
    assert suggested[0] == "de/lieferzeit", suggested
