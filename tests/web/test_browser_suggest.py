"""Suggestions while typing in a real Chromium: the search field is an ARIA 1.2 combobox whose
listbox shows /api/suggest's titles as the API returns them (a <datalist> showed only the
titles that contain the typed text, so "paket" showed none of the API's six).

`kb serve` runs on the sample help centre in articles/ (German and English); axe-core checks
the pages with the list open.
"""
import json
import os
import re
import urllib.parse
import urllib.request

import pytest

from test_browser import CHROMIUM, ROOT, _free_port, browser, kb_serve  # noqa: F401  (fixture)

pytestmark = [
    pytest.mark.browser, pytest.mark.slow,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed"),
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


@pytest.fixture(scope="module")
def shop_server(shop_index, tmp_path_factory):
    instance = tmp_path_factory.mktemp("suggest-instance")
    env = {**os.environ, "KB_INDEX": str(shop_index), "KB_INSTANCE": str(instance),
           "KB_SITE": str(ROOT / "site.yml"), "KB_RATE_LIMITS": "off"}
    with kb_serve(env, instance, _free_port()) as url:
        yield url


@pytest.fixture()
def open_page(browser):  # noqa: F811
    """A page in a new context (German unless told); fails the test on a script error."""
    contexts, problems = [], []

    def make(locale="de-DE", **options):
        context = browser.new_context(locale=locale, **{"viewport": {"width": 1100, "height": 900}, **options})
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda e: problems.append(str(e)))
        return page

    yield make
    for context in contexts:
        context.close()
    assert problems == [], problems


def api_titles(url, q, lang):
    query = urllib.parse.urlencode({"q": q, "lang": lang})
    with urllib.request.urlopen(f"{url}/api/suggest?{query}") as r:
        return [s["title"] for s in json.load(r)["suggestions"]]


def no_axe_violations(page, name):
    from axe_playwright_python.sync_playwright import Axe
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": AXE_TAGS}})
    assert result.violations_count == 0, (name, result.generate_report())


def option_texts(page, listbox="#suggestions"):
    return page.locator(f"{listbox} [role=option]").all_inner_texts()


def asked_for(url):
    """The q of a request for suggestions (None for any other request)."""
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.parse_qs(parts.query).get("q", [None])[0] if parts.path == "/api/suggest" else None


def typed(page, field, text, count=None, listbox="#suggestions"):
    """Type ``text`` into ``field`` (cleared first), wait for the answer to it, then for the
    listbox with ``count`` options (0: closed; any number when None)."""
    from playwright.sync_api import expect
    box = page.locator(field)
    box.fill("")
    with page.expect_response(lambda r: asked_for(r.url) == text.strip()):
        box.press_sequentially(text, delay=20)
    expect(box).to_have_attribute("aria-expanded", "false" if count == 0 else "true")
    if count is not None:
        expect(page.locator(f"{listbox} [role=option]")).to_have_count(count)
    return box


def test_typing_shows_the_apis_titles_as_options_and_the_keyboard_opens_one(shop_server, open_page):
    from playwright.sync_api import expect
    page = open_page()
    page.goto(shop_server + "/")
    box = page.get_by_role("combobox", name="Wie können wir helfen?")
    expect(box).to_have_attribute("aria-autocomplete", "list")
    expect(box).to_have_attribute("aria-controls", "suggestions")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.locator("#suggestions").is_hidden()

    # every title the API returns, in its order, though most do not contain "paket"
    expected = api_titles(shop_server, "paket", "de")
    assert len(expected) == 6 and sum("paket" in t.lower() for t in expected) < 6
    typed(page, "#q", "paket", 6)
    assert option_texts(page) == expected
    listbox = page.get_by_role("listbox", name="Vorgeschlagene Artikel")
    assert listbox.is_visible() and listbox.get_by_role("option").count() == 6
    expect(page.locator("#suggest-status")).to_have_text("6 Vorschläge")
    assert box.get_attribute("aria-activedescendant") is None
    no_axe_violations(page, "suggestions-open-de")

    options = page.locator("#suggestions [role=option]")
    ids = [options.nth(i).get_attribute("id") for i in range(6)]
    assert ids == [f"suggestions-{i}" for i in range(6)]
    assert [options.nth(i).get_attribute("aria-selected") for i in range(6)] == ["false"] * 6

    # ArrowDown / ArrowUp: one option active at a time, wrapping around at either end
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestions-0")
    expect(options.nth(0)).to_have_attribute("aria-selected", "true")
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestions-1")
    assert [options.nth(i).get_attribute("aria-selected") for i in range(6)] == \
        ["false", "true", "false", "false", "false", "false"]
    box.press("ArrowUp")
    box.press("ArrowUp")
    expect(box).to_have_attribute("aria-activedescendant", "suggestions-5")   # wrapped to the last
    box.press("ArrowDown")
    expect(box).to_have_attribute("aria-activedescendant", "suggestions-0")   # and back to the first
    box.press("ArrowDown")
    assert box.input_value() == "paket"   # the typed text stays as typed
    no_axe_violations(page, "suggestions-active-de")

    # the active option is visibly marked: its own colours, with enough contrast
    colours = options.nth(1).evaluate("o => { const s = getComputedStyle(o); return [s.color, s.backgroundColor]; }")
    assert colours == ["rgb(255, 255, 255)", "rgb(7, 63, 84)"]
    assert options.nth(0).evaluate("o => getComputedStyle(o).backgroundColor") != colours[1]

    # Enter on the active option opens its article
    url = options.nth(1).get_attribute("data-url")
    box.press("Enter")
    page.wait_for_url("**" + url)
    assert page.locator("h1").inner_text() == expected[1]


def suggested_on_home(page, url, text, count):
    """The home page's field after typing ``text``: its options are the API's titles, in order."""
    page.goto(url + "/")
    box = typed(page, "#q", text, count)
    assert option_texts(page) == api_titles(url, text, "de")
    return box


def test_enter_without_an_active_option_searches_as_typed(shop_server, open_page):
    page = open_page()
    box = suggested_on_home(page, shop_server, "rücksendung", 2)
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=r%C3%BCcksendung"))
    assert page.locator("#q-top").input_value() == "rücksendung"


def test_escape_closes_then_clears_and_tab_or_leaving_closes(shop_server, open_page):
    from playwright.sync_api import expect
    page = open_page()
    box = suggested_on_home(page, shop_server, "retoure", 4)
    box.press("ArrowDown")
    box.press("Escape")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.locator("#suggestions").is_hidden() and box.get_attribute("aria-activedescendant") is None
    assert box.input_value() == "retoure"      # the first Escape only closes
    expect(page.locator("#suggest-status")).to_have_text("")
    box.press("ArrowDown")                      # opens the same list again, at its first option
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(box).to_have_attribute("aria-activedescendant", "suggestions-0")
    box.press("Escape")
    box.press("Escape")
    assert box.input_value() == ""             # the second clears the field
    expect(box).to_have_attribute("aria-expanded", "false")

    # Tab closes the list and moves on to the search button
    typed(page, "#q", "retoure", 4)
    box.press("Tab")
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("document.activeElement.type") == "submit"
    # so does a click elsewhere on the page
    typed(page, "#q", "retoure", 4)
    page.locator(".lead").click()
    expect(box).to_have_attribute("aria-expanded", "false")
    assert page.locator("#suggestions").is_hidden()


def test_a_click_on_an_option_opens_its_article(shop_server, open_page):
    page = open_page()
    page.goto(shop_server + "/")
    typed(page, "#q", "gutschein", 3)
    option = page.get_by_role("option", name=option_texts(page)[0])
    url = option.get_attribute("data-url")
    option.click()   # pressed before the field loses the focus: still opens the article
    page.wait_for_url("**" + url)
    assert page.locator("h1").inner_text() == api_titles(shop_server, "gutschein", "de")[0]


def test_the_header_field_on_a_phone_lists_tappable_options(shop_server, open_page):
    from playwright.sync_api import expect
    page = open_page(locale="en-GB", viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
    page.goto(shop_server + "/search?q=parcel&lang=en")
    box = page.get_by_role("combobox", name="How can we help?")
    expect(box).to_have_attribute("aria-controls", "suggestions-top")
    assert page.locator("#q").count() == 0 and page.locator("#suggestions").count() == 0
    typed(page, "#q-top", "parcel", 6, listbox="#suggestions-top")
    assert option_texts(page, "#suggestions-top") == api_titles(shop_server, "parcel", "en")
    expect(page.locator("#suggest-status-top")).to_have_text("6 suggestions")
    options = page.locator("#suggestions-top [role=option]")
    assert options.nth(0).get_attribute("id") == "suggestions-top-0"
    heights = [options.nth(i).bounding_box()["height"] for i in range(6)]
    assert min(heights) >= 44, heights
    listbox = page.locator("#suggestions-top").bounding_box()
    assert listbox["x"] >= 0 and listbox["x"] + listbox["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    no_axe_violations(page, "suggestions-open-phone-en")
    url = options.nth(2).get_attribute("data-url")
    options.nth(2).tap()
    page.wait_for_url("**" + url)


def test_the_count_is_announced_in_the_page_language_singular_and_plural(shop_server, open_page):
    from playwright.sync_api import expect
    german = open_page()
    german.goto(shop_server + "/")
    status = german.locator("#suggest-status")
    assert status.get_attribute("role") == "status" and status.inner_text() == ""
    typed(german, "#q", "stornier", 1)
    expect(status).to_have_text("1 Vorschlag")
    typed(german, "#q", "rücksendung", 2)
    expect(status).to_have_text("2 Vorschläge")
    typed(german, "#q", "rücksendungxyz", 0)
    expect(status).to_have_text("")          # no suggestions: nothing said, the count cleared
    assert german.locator("#suggestions [role=option]").count() == 0

    english = open_page(locale="en-GB")
    english.goto(shop_server + "/?lang=en")
    status = english.locator("#suggest-status")
    typed(english, "#q", "password", 1)
    expect(status).to_have_text("1 suggestion")
    typed(english, "#q", "pay by inv", 3)
    assert option_texts(english) == api_titles(shop_server, "pay by inv", "en")
    expect(status).to_have_text("3 suggestions")
    no_axe_violations(english, "suggestions-open-en")


def test_typing_asks_once_per_pause_and_not_for_one_letter(shop_server, open_page):
    page = open_page()
    asked = []
    page.on("request", lambda r: asked.append(asked_for(r.url)) if asked_for(r.url) else None)
    page.goto(shop_server + "/")
    box = page.locator("#q")
    box.press_sequentially("p")
    page.wait_for_timeout(400)
    assert asked == [] and box.get_attribute("aria-expanded") == "false"
    typed(page, "#q", "klimaneutral", 1)
    # one request after typing stops (two if a busy machine let a pause pass between keys)
    assert asked[-1] == "klimaneutral" and 1 <= len(asked) <= 2, asked


@pytest.mark.parametrize("abortable", [True, False], ids=["aborted", "answered-late"])
def test_a_slower_older_answer_does_not_replace_the_latest(shop_server, open_page, abortable):
    """The answer for "pak" comes after the one for "paket": the list keeps paket's titles,
    whether the script aborted the older request or (a browser without AbortController) its
    answer arrives late and is ignored."""
    from playwright.sync_api import expect
    page = open_page()
    if not abortable:
        page.add_init_script("delete window.AbortController;")
    held = []

    def hold_the_first(route):
        if asked_for(route.request.url) == "pak":
            held.append(route)  # answered below, once the newer answer is shown
        else:
            route.continue_()

    page.route("**/api/suggest?*", hold_the_first)
    page.goto(shop_server + "/")
    box = page.locator("#q")
    box.press_sequentially("pak")
    page.wait_for_timeout(400)     # past the pause: "pak" is asked, and held
    assert len(held) == 1
    with page.expect_response(lambda r: asked_for(r.url) == "paket"):
        box.press_sequentially("et")
    expected = api_titles(shop_server, "paket", "de")
    expect(page.locator("#suggestions [role=option]")).to_have_text(expected)
    stale = {"query": "pak", "suggestions": [{"id": "de/alt", "title": "Veraltete Antwort", "lang": "de",
                                              "url": "/articles/de/alt"}]}
    try:
        held[0].fulfill(status=200, content_type="application/json", body=json.dumps(stale))
    except Exception:  # noqa: BLE001  the page aborted that request already
        assert abortable
    page.wait_for_timeout(300)
    assert option_texts(page) == expected
    expect(page.locator("#suggest-status")).to_have_text("6 Vorschläge")


def test_without_javascript_the_form_is_a_plain_search_with_nothing_visible_left_over(shop_server, open_page):
    page = open_page(java_script_enabled=False)
    page.goto(shop_server + "/")
    box = page.locator("#q")
    assert box.get_attribute("role") is None and box.get_attribute("aria-expanded") is None
    assert page.locator("#suggestions").is_hidden() and page.locator("datalist").count() == 0
    box.fill("Wie lange dauert die Lieferung")
    assert page.locator("#suggestions [role=option]").count() == 0
    box.press("Enter")
    page.wait_for_url(re.compile(r"/search\?q=Wie\+lange"))
    assert page.locator(".answer").count() >= 1 and page.locator("#q-top").input_value() == "Wie lange dauert die Lieferung"

    # axe needs a script of its own (with JavaScript off it never runs): the page's app.js
    # not loading leaves the same page
    page = open_page()
    page.route("**/static/app.js", lambda route: route.abort())
    page.goto(shop_server + "/search?q=paket")
    assert page.locator("#q-top").get_attribute("role") is None
    assert page.locator("#suggestions-top").is_hidden() and page.locator("#suggest-status-top").inner_text() == ""
    page.locator("#q-top").fill("paket")
    page.wait_for_timeout(400)
    assert page.locator("#suggestions-top").is_hidden()
    no_axe_violations(page, "no-app-script")
