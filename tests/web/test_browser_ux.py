"""Customer and agent pages at desktop (1280 px) and phone (390 px) width in a real Chromium.

`kb serve` runs with a webhook hand-off to a receiver in this process, so the
flow covers the delivery thread too. Screenshots go to test-output/ (ux-*.png);
every page is checked with axe-core for WCAG 2.1 A/AA violations.
"""
import json
import os
import re
import sqlite3
import time

import pytest

from test_browser import CHROMIUM, OUTPUT, ROOT, _free_port, browser, kb_serve  # noqa: F401  (fixture)
from webhook_desks import post_server

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed"),
]
WIDTHS = {"desktop": 1280, "phone": 390}
PASSWORD = "correct horse battery"
SECRET = "browser-test-webhook-secret"


@pytest.fixture(scope="module")
def hook():
    received = []

    def answer(_headers, body: bytes) -> int:
        received.append(json.loads(body))
        return 200

    server = post_server(answer)
    yield server.server_address[1], received
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def ux_instance(tmp_path_factory):
    """The served portal's instance folder: its database is ``kb.sqlite3`` there."""
    return tmp_path_factory.mktemp("ux-instance")


@pytest.fixture(scope="module")
def ux_server(built_index, ux_instance, hook):
    instance = ux_instance
    port = _free_port()
    env = {**os.environ, "KB_INDEX": str(built_index), "KB_INSTANCE": str(instance),
           "KB_SITE": str(ROOT / "site.yml"), "KB_WEBHOOK_URL": f"http://127.0.0.1:{hook[0]}/desk",
           "KB_WEBHOOK_SECRET": SECRET, "KB_RATE_LIMITS": "off"}
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    store = Store(instance / "kb.sqlite3")
    Accounts(store).add("eva", "editor", PASSWORD)
    for q in ("rückerstatung", "ruckerstattung", "Rückerstattung dauert"):
        store.log_search(q, "de", False, [], "portal")
    store.log_search("paket zurück dauer", "de", True, ["de/lieferzeit", "de/ruecksendung"], "portal", True)
    store.count_view("de/lieferzeit")
    worded = store.log_search("newsletter lieferzeit", "de", False, ["de/lieferzeit"], "portal")
    store.add_feedback("de/lieferzeit", True, None, "de", worded)
    with kb_serve(env, instance, port) as url:
        yield url


def _no_axe_violations(page, name):
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
    assert result.violations_count == 0, (name, result.generate_report())


def _shot(page, name):
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / f"ux-{name}.png"), full_page=True)
    _no_axe_violations(page, name)


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("device", WIDTHS)
def test_customer_pages_and_contact_flow(ux_server, browser, hook, device):  # noqa: F811
    width = WIDTHS[device]
    context = browser.new_context(locale="de-DE", viewport={"width": width, "height": 900},
                                  is_mobile=device == "phone")
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(ux_server + "/")
    assert page.get_by_text("Wie können wir helfen?").count() == 1
    _shot(page, f"home-{device}")

    # results: chips with counts in one row on the phone, the first answer near the top
    page.goto(ux_server + "/search?q=Wie+lange+dauert+die+Lieferung")
    chips = page.locator(".filters.topics a")
    assert chips.count() >= 2 and page.locator(".chip-count").count() == chips.count() - 1
    first_answer_top = page.locator(".answer").first.bounding_box()["y"]
    assert first_answer_top < 420, first_answer_top
    assert _fits(page)
    _shot(page, f"search-{device}")

    # type-ahead: choosing a suggestion opens the article
    box = page.locator("#q-top")
    box.fill("")
    box.type("liefer", delay=30)
    option = page.locator("#suggestions-top [role=option]").first
    option.wait_for()
    title = option.inner_text()
    option.click()
    page.wait_for_url("**/articles/**")
    assert page.locator("h1").inner_text() == title

    # no answer: one contact block, reply channel asked, order number kept
    page.goto(ux_server + "/search?q=Wer+gewann+die+Fu%C3%9Fball-WM+1954%3F")
    assert page.locator(".channels").count() == 1 and page.locator(".contact-form").count() == 1
    page.get_by_label("Ich bin einverstanden", exact=False).check()
    page.get_by_role("button", name="An unser Team senden").click()
    page.locator("#contact-error").get_by_text("Bitte geben Sie eine E-Mail-Adresse für unsere Antwort an").wait_for()
    assert "Bitte geben Sie eine E-Mail-Adresse" in page.locator("#email-error").inner_text()  # beside the field too
    # the field to correct gets the focus (app.js, once the page has loaded)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'email'", timeout=5000)
    assert _fits(page)
    _shot(page, f"contact-error-{device}")
    page.get_by_label("Ihre E-Mail-Adresse").fill(f"{device}@example.de")
    page.get_by_label("Bestellnummer (freiwillig)").fill("100-2345")
    page.get_by_role("button", name="An unser Team senden").click()
    page.get_by_role("heading", name="Danke, Ihre Anfrage wurde gesendet").wait_for()
    for _ in range(100):   # the delivery thread of kb serve sends it at once
        if any(p["reply_to"] == f"{device}@example.de" for p in hook[1]):
            break
        time.sleep(0.05)
    sent = [p for p in hook[1] if p["reply_to"] == f"{device}@example.de"]
    assert sent and sent[0]["order_number"] == "100-2345"

    _privacy_page(page, ux_server, device)
    assert problems == []
    context.close()


def _privacy_page(page, url, device):
    """What is stored and for how long: from beside the contact form's button, in German and
    English, each without accessibility violations."""
    page.goto(url + "/contact")
    page.get_by_role("link", name="So gehen wir mit Ihrer Anfrage um").click()
    page.wait_for_url("**/privacy#contact")
    assert page.locator("h1").inner_text() == "Datenschutz: was wir speichern und wie lange"
    assert "an unser Kundenservice-System weiter" in page.locator("main").inner_text()  # the webhook hand-off
    assert _fits(page)
    _shot(page, f"privacy-{device}")
    _no_axe_violations(page, f"privacy-de-{device}")
    page.goto(url + "/privacy?lang=en")
    assert page.get_by_role("heading", name="Cookies").count() == 1
    _no_axe_violations(page, f"privacy-en-{device}")


def _sign_in(page, url):
    page.goto(url + "/agent/login")
    page.get_by_label("Benutzername").fill("eva")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/agent/")


@pytest.mark.parametrize("device", WIDTHS)
def test_inbox_and_insights(ux_server, browser, device):  # noqa: F811
    context = browser.new_context(locale="de-DE", viewport={"width": WIDTHS[device], "height": 900},
                                  is_mobile=device == "phone")
    page = context.new_page()
    page.goto(ux_server + "/?lang=de")
    _sign_in(page, ux_server)
    page.goto(ux_server + "/agent/inbox?status=all")
    assert page.locator(".site-footer .channels").count() == 0
    rows = page.locator(".inbox-table tbody tr")
    assert rows.count() >= 1
    status_cell = rows.first.locator("td").nth(3)
    box = status_cell.bounding_box()
    assert box and box["x"] + box["width"] <= WIDTHS[device] + 1          # status visible on the phone too
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", rows.first.inner_text())
    assert "zugestellt" in page.locator(".inbox-table").inner_text()
    assert _fits(page)
    _shot(page, f"inbox-{device}")
    rows.first.locator("a").first.click()  # one request: every value on the screen, also on a phone
    page.wait_for_url(re.compile(r"/agent/inbox/\d+\?status=all$"))  # the list it came from goes along
    for value in page.locator(".facts dd").all():
        box = value.bounding_box()
        assert box and box["x"] + box["width"] <= WIDTHS[device] + 1, value.inner_text()
    assert _fits(page)
    _shot(page, f"request-{device}")
    page.goto(ux_server + "/agent/insights?days=30")
    assert "Selbsthilfequote =" in page.locator("body").inner_text()
    competing = page.locator("#t-competing").locator("xpath=..")
    assert "paket zurück dauer" in competing.inner_text() and competing.get_by_role("link", name="Bearbeiten de/ruecksendung").count() == 1
    words = page.locator("#t-missing-words").locator("xpath=..")
    assert "Wörter der Kundschaft, die kein Artikel verwendet" in words.inner_text()
    assert words.get_by_role("button", name="Als Frage übernehmen newsletter → de/lieferzeit").count() == 1
    _shot(page, f"insights-{device}")
    context.close()


def _held(page, pattern):
    """The page's POSTs to ``pattern`` held back until released: a slow network, where a
    second tap comes before the first one's answer."""
    held = []
    page.route(pattern, lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    return held


def _feedback(instance, article):
    with sqlite3.connect(instance / "kb.sqlite3") as db:
        return db.execute("SELECT helpful, comment FROM feedback WHERE article_id = ?", (article,)).fetchall()


def test_a_vote_and_its_comment_are_sent_once_however_often_tapped(ux_server, ux_instance, browser):  # noqa: F811
    """Yes then No before the answer: one vote, one message; the comment tapped twice: one send,
    the thank-you, no error page. While on its way the form is busy and its buttons disabled."""
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 900}, is_mobile=True)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(ux_server + "/articles/de/ruecksendung")
    held = _held(page, "**/feedback")
    page.get_by_role("button", name="Ja").click()
    page.get_by_role("button", name="Nein").click(force=True)  # a tap on a button marked disabled still arrives
    assert page.locator("form.vote-form").get_attribute("aria-busy") == "true"
    for name in ("Ja", "Nein"):
        assert page.get_by_role("button", name=name).is_disabled()
    _no_axe_violations(page, "vote-busy")
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    page.get_by_text("Danke für Ihre Rückmeldung!").wait_for()
    assert not page.get_by_text("Was hat gefehlt oder war unklar?").is_visible()
    assert _feedback(ux_instance, "de/ruecksendung") == [(1, None)]

    page.unroute("**/feedback")
    page.goto(ux_server + "/articles/en/returns")  # another page view: another ballot
    page.get_by_role("button", name="Nein").click()
    page.get_by_label("Ihr Kommentar").fill("Das Label fehlt.")
    held = _held(page, "**/feedback/comment")
    send = page.get_by_role("button", name="Kommentar senden")
    send.click()
    send.click(force=True)
    assert send.is_disabled() and page.locator("form.comment-form").first.get_attribute("aria-busy") == "true"
    page.wait_for_timeout(300)
    assert len(held) == 1
    held[0].continue_()
    page.get_by_text("Danke für Ihren Kommentar.").wait_for()
    assert "/feedback" not in page.url and "Das tut uns leid" not in page.content()
    assert _feedback(ux_instance, "en/returns") == [(0, "Das Label fehlt.")]
    assert problems == []
    context.close()


def test_a_comment_not_saved_comes_back_to_be_copied(ux_server, browser):  # noqa: F811
    """Its vote gone (a made-up token here): the text on the page, a way back to the article,
    a language switch that works; and no accessibility violations."""
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 900}, is_mobile=True)
    page = context.new_page()
    page.goto(ux_server + "/articles/de/lieferzeit")
    page.get_by_role("button", name="Nein").click()
    page.get_by_label("Ihr Kommentar").fill("Die Tabelle fehlt.")
    page.locator("form.comment-form input[name=token]").first.evaluate("el => { el.value = 'vergessen'; }")
    page.get_by_role("button", name="Kommentar senden").click()  # the script's 409, then its fallback post
    page.get_by_role("heading", name="Das tut uns leid").wait_for()
    assert page.get_by_label("Ihr Kommentar").input_value() == "Die Tabelle fehlt."
    assert page.title().startswith("Fehler 409")
    _shot(page, "comment-not-saved-phone")
    back = page.get_by_role("link", name="Zurück zum Artikel", exact=False)
    assert back.get_attribute("href") == "/articles/de/lieferzeit#feedback"
    page.get_by_role("link", name="English").click()  # was /feedback/comment?lang=en: a 405
    page.wait_for_url("**/articles/en/delivery?lang=en")
    assert page.locator("h1").inner_text() == "How long does delivery take?"
    context.close()


def test_the_focus_ring_in_the_header_stands_out_from_it(ux_server, browser):  # noqa: F811
    """WCAG 1.4.11: the keyboard focus ring against the teal header at least 3:1."""
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(ux_server + "/articles/de/lieferzeit")
    for _ in range(2):  # the skip link, then the shop's name in the header
        page.keyboard.press("Tab")
    assert page.evaluate("!!document.activeElement.closest('.site-header')")
    ring = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, s.outlineColor, getComputedStyle(document.querySelector('.site-header')).backgroundColor]; }""")
    assert ring[0] == "solid"
    assert _contrast(ring[1], ring[2]) >= 3, ring
    context.close()


def _contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two computed ``rgb(r, g, b)`` colours."""
    def luminance(colour):
        channels = [int(c) / 255 for c in re.findall(r"\d+", colour)[:3]]
        r, g, b = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_the_contrast_formula():
    assert round(_contrast("rgb(194, 65, 12)", "rgb(11, 92, 122)"), 2) == 1.43  # the old orange ring
    assert round(_contrast("rgb(255, 255, 255)", "rgb(0, 0, 0)"), 1) == 21.0


@pytest.mark.parametrize("path", ["/", "/search?q=Wer+gewann+die+Fu%C3%9Fball-WM+1954%3F"])
def test_text_at_200_percent_on_a_phone_never_scrolls_sideways(ux_server, browser, path):  # noqa: F811
    """WCAG 1.4.4/1.4.10: the reader's text size doubled on a 390 px phone; topic cards and the
    contact channels (a phone number, an e-mail address: long words) stay inside the screen."""
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 900}, is_mobile=True)
    page = context.new_page()
    page.goto(ux_server + path)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], widths
    context.close()


def test_without_javascript_a_contact_form_with_errors_leads_to_them(ux_server, browser):  # noqa: F811
    """The title says "Fehler: " and the first field to correct has the focus (autofocus)."""
    context = browser.new_context(locale="de-DE", viewport={"width": 390, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    page.goto(ux_server + "/contact")
    page.get_by_label("Ihre E-Mail-Adresse").fill("kunde@beispiel")
    page.get_by_role("button", name="An unser Team senden").click()
    page.wait_for_load_state()
    assert page.title().startswith("Fehler: Fragen Sie unser Team")
    assert page.locator("main > :first-child").get_attribute("id") == "contact-error"
    assert page.locator("#question").evaluate("el => el === document.activeElement")
    context.close()
