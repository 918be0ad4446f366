"""/privacy: what the help centre stores about a visit, and for how long, from the running
configuration (kb/web/privacy_page.py), in German and English. The cookies it lists are the
cookies a customer's visit really gets, so the page cannot drift from the truth."""
import re
from datetime import datetime, timedelta, timezone

from conftest import PASSWORD, csrf_token

DE = {"Accept-Language": "de-DE,de;q=0.9"}
EN = {"Accept-Language": "en-GB,en;q=0.9"}
COOKIE_LIST = re.compile(r'<dl class="facts cookie-list">(.*?)</dl>', re.S)
LISTED_COOKIE = re.compile(r"<dt><code>([^<]+)</code></dt>")


def _text(html: str) -> str:
    """The page's words, tags removed and spaces folded, as a reader sees them."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&#34;", '"').replace("&#39;", "'")


def _listed_cookies(html: str) -> set[str]:
    return set(LISTED_COOKIE.findall(COOKIE_LIST.search(html).group(1)))


def test_the_page_speaks_german_and_english(client):
    r = client.get("/privacy", headers=DE)
    de = _text(r.get_data(as_text=True))
    assert r.status_code == 200 and "Datenschutz: was wir speichern und wie lange" in de
    assert "Hafenkorb betreibt dieses Hilfe-Center." in de  # the shop's name from site.yml
    assert "Vor dem Speichern ersetzen wir persönliche Angaben durch Platzhalter" in de
    assert "keine IP-Adresse, keine Angaben zu Ihrem Browser" in de
    assert "Um Ihre E-Mail-Adresse löschen zu lassen, schreiben Sie an Hafenkorb: service@hafenkorb.de" in de
    assert 'href="mailto:service@hafenkorb.de"' in r.get_data(as_text=True)  # site.yml's e-mail channel
    assert "What we store" not in de
    en = _text(client.get("/privacy?lang=en", headers=DE).get_data(as_text=True))
    assert "Privacy: what we store, and for how long" in en and "Hafenkorb runs this help centre." in en
    assert "To have your email address erased, write to Hafenkorb: service@hafenkorb.de" in en
    assert "Datenschutz" not in en
    # the language chosen there is remembered, as on every portal page
    assert "Privacy: what we store" in client.get("/privacy", headers=DE).get_data(as_text=True)


def _purged(app, days, days_ago=0):
    """`kb privacy purge --older-than {days}` as cron would have run it ``days_ago`` days ago."""
    from kb.ops.retention import purge
    purge(app.extensions["kb.store"], days, now=datetime.now(timezone.utc) - timedelta(days=days_ago))
    return app


def _page(app, lang="en"):
    headers = DE if lang == "de" else EN
    return _text(app.test_client().get(f"/privacy?lang={lang}", headers=headers).get_data(as_text=True))


def test_the_period_shown_is_the_one_the_last_purge_applied(make_app):
    thirty = _page(_purged(make_app(), 30), "de")
    assert "Suchanfragen, sobald sie älter als 30 Tage sind" in thirty
    assert "Sobald unsere Antwort älter als 30 Tage ist, entfernen wir Ihre E-Mail-Adresse" in thirty
    english = _page(_purged(make_app(), 30))
    assert "We delete searches once they are older than 30 days" in english
    assert "Comments are cleared once they are older than 30 days" in english
    assert "until our team deletes them" not in english
    # the latest run counts, not KB_RETENTION_DAYS: the purge from cron has its own --older-than
    app = _purged(_purged(make_app(KB_RETENTION_DAYS="90"), 30, days_ago=2), 1)
    assert "älter als 1 Tag sind" in _page(app, "de") and "90 Tage" not in _page(app, "de")


def test_without_a_purge_the_page_promises_no_number(make_app, monkeypatch):
    """KB_RETENTION_DAYS (valid or not) only sets the purge's default: the server purges nothing,
    so without a purge the page says the team deletes the data."""
    monkeypatch.setenv("KB_RETENTION_DAYS", "45")
    for app in (make_app(), make_app(KB_RETENTION_DAYS="30")):
        text = _page(app)
        assert "Searches, with personal details masked: kept until our team deletes them." in text
        assert "Searches stay until our team deletes them." in text
        assert "Your email address and order number stay until our team deletes them" in text
        assert "older than" not in text
    assert "Suchanfragen bleiben gespeichert, bis unser Team sie löscht." in _page(make_app(), "de")


def test_a_purge_that_stopped_long_ago_is_promised_no_more(make_app):
    from kb.web.privacy_page import PROMISE_WINDOW_DAYS
    stale = _page(_purged(make_app(), 30, days_ago=PROMISE_WINDOW_DAYS + 1))
    assert "30 days" not in stale and "Searches stay until our team deletes them." in stale
    recent = _page(_purged(make_app(), 30, days_ago=PROMISE_WINDOW_DAYS - 1))
    assert "We delete searches once they are older than 30 days" in recent


def test_an_unusable_retention_setting_is_said_once_at_the_start(make_app, caplog):
    app = make_app(KB_RETENTION_DAYS="ninety")
    said = [r for r in caplog.records if "KB_RETENTION_DAYS" in r.getMessage()]
    assert len(said) == 1 and said[0].levelname == "WARNING"
    caplog.clear()
    for _ in range(3):
        assert "until our team deletes them" in _page(app)
    assert not [r for r in caplog.records if "KB_RETENTION_DAYS" in r.getMessage()]


def test_the_cookie_and_erasure_texts(client, make_app, tmp_path):
    """The staff session and what an erasure reaches, said as the code does it."""
    de = _text(client.get("/privacy", headers=DE).get_data(as_text=True))
    assert "Für unser Team hält es außerdem die Anmeldung aufrecht, höchstens" in de
    assert "hält es außerdem angemeldet" not in de
    en = _page(make_app())
    assert "everywhere this help centre's database stores it" in en
    assert "wordings that our editors add to the articles are masked before an editor accepts them" in en
    assert "customer service system" not in en  # no helpdesk in the tests: nothing was passed on


def test_the_footer_and_the_contact_form_link_to_it(client):
    home = client.get("/", headers=DE).get_data(as_text=True)
    footer = home.split('<p class="privacy-note">')[1].split("</p>")[0]
    assert "setzt keine Tracking-Cookies" in footer  # the note stays
    assert '<a href="/privacy">Was wir speichern und wie lange</a>' in footer
    for page in (client.get("/contact", headers=DE), client.get("/search?q=Wer+gewann+die+WM+1954", headers=DE)):
        html = page.get_data(as_text=True)
        submit = html.split('<p class="form-submit">')[1].split("</p>")[0]  # beside the submit button
        assert "An unser Team senden" in submit
        assert '<a href="/privacy#contact">So gehen wir mit Ihrer Anfrage um</a>' in submit
    assert 'id="contact"' in client.get("/privacy").get_data(as_text=True)  # where the link leads
    english = client.get("/contact?lang=en").get_data(as_text=True)
    assert "How we handle your request</a>" in english


def test_the_cookies_listed_are_the_cookies_a_customers_visit_gets(client, accounts):
    """Visit, language switch, search, article, vote, comment and contact request with the real
    client: every cookie set on the way is listed, and nothing else is."""
    received = set()

    def visit(method, url, **kwargs):
        r = getattr(client, method)(url, headers=DE, **kwargs)
        received.update(c.split("=", 1)[0] for c in r.headers.getlist("Set-Cookie"))
        return r

    visit("get", "/")
    visit("get", "/?lang=de")
    visit("get", "/search?q=wann+kommt+mein+Paket")
    token = csrf_token(visit("get", "/articles/de/lieferzeit").get_data(as_text=True))
    voted = visit("post", "/feedback", data={"csrf_token": token, "article_id": "de/lieferzeit", "helpful": "no"})
    vote_token = re.search(r"[?&]t=([\w-]+)", voted.headers["Location"]).group(1)
    visit("get", voted.headers["Location"])
    commented = visit("post", "/feedback/comment", data={"csrf_token": token, "article_id": "de/lieferzeit",
                                                         "token": vote_token, "comment": "Zu kurz."})
    assert commented.status_code == 303
    contact = visit("get", "/contact").get_data(as_text=True)
    sent = visit("post", "/contact", data={"csrf_token": csrf_token(contact), "question": "Wo ist mein Paket?",
                                           "email": "kunde@example.de", "consent": "yes"})
    assert sent.status_code == 303
    visit("get", sent.headers["Location"])
    listed = _listed_cookies(visit("get", "/privacy").get_data(as_text=True))
    assert received == listed == {"lang", "session"}
    overview = _text(client.get("/privacy").get_data(as_text=True)).split("Auf einen Blick")[1]
    assert all(f"„{name}“" in overview for name in listed)
    # staff signing in get no cookie the page does not name ("keeps them signed in")
    staff = set()
    login = client.get("/agent/login").get_data(as_text=True)
    r = client.post("/agent/login", data={"csrf_token": csrf_token(login), "username": "anna", "password": PASSWORD})
    staff.update(c.split("=", 1)[0] for c in r.headers.getlist("Set-Cookie"))
    assert staff and staff <= listed


def test_lifetimes_and_counts_come_from_the_configuration(make_app):
    """The language cookie's days, staff sessions' hours and the rate limits' longest window."""
    app = make_app(SESSION_HOURS=4, RATE_LIMIT_VIEWS="2 per 12 hours", RATE_LIMIT_EVIDENCE="1 per 6 hours")
    text = _text(app.test_client().get("/privacy?lang=en").get_data(as_text=True))
    assert "kept for 365 days" in text and "signed in, for at most 4 hours" in text
    assert "The counts are deleted after at most 12 hours" in text
    unlimited = make_app(RATELIMIT_ENABLED=False).test_client().get("/privacy?lang=en").get_data(as_text=True)
    assert "This help centre does not count requests per connection." in _text(unlimited)
    assert "Counts against flooding" not in unlimited


def test_the_shops_own_details_and_hand_off(make_app, tmp_path):
    """A shop without an e-mail channel is written to through the contact form; a helpdesk
    hand-off is said."""
    from kb.ops.handoff.settings import HandoffSettings
    site = tmp_path / "site.yml"
    site.write_text('name: "Müller & Söhne"\nchannels:\n  - kind: phone\n    value: "+49 30 123456"\n',
                    encoding="utf-8")
    hook = HandoffSettings(webhook_url="https://desk.example.com/hook", webhook_secret="s" * 32)
    html = make_app(KB_SITE=str(site), HANDOFF=hook).test_client().get("/privacy?lang=en").get_data(as_text=True)
    text = _text(html)
    assert "Müller &amp; Söhne runs this help centre." in html  # escaped, not markup
    assert "write to us with the contact form, giving the address you used: Ask our team" in text
    assert 'href="/contact"' in html and "mailto:" not in html
    assert "We also pass your request on to our customer service system" in text
    assert "this help centre cannot erase it there" in text  # an erasure does not reach the helpdesk
    plain = make_app().test_client().get("/privacy?lang=en").get_data(as_text=True)
    assert "customer service system" not in plain  # no helpdesk configured in the tests


def test_the_page_sets_no_cookie_of_its_own(client):
    r = client.get("/privacy", headers=EN)
    assert r.status_code == 200 and "Set-Cookie" not in r.headers
