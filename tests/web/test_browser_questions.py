"""Done-when of learned questions, in a real browser against a real server.

Customers' helpful searches arrive through the JSON API; an editor accepts one
phrasing at /agent/questions (no WCAG 2.1 AA violation by axe-core), narrows the
list to English and accepts the article's other suggestions at once, `kb index`
runs, and the portal finds the article by the first phrasing first.
"""
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from test_browser import CHROMIUM, OUTPUT, _free_port, browser, kb_serve  # noqa: F401  (the module's browser fixture)

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "articles"
PHRASING = "how many days until my order is here"
OTHERS = ("delivery to vienna austria", "what does shipping to vienna cost")
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

pytestmark = [
    pytest.mark.browser, pytest.mark.slow, pytest.mark.models,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed: apt-get install chromium"),
]


def _get(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return json.loads(r.read())


def _vote(url, query, article_id):
    found = _get(url + "/api/search?" + urllib.parse.urlencode({"q": query, "lang": "en"}))
    body = json.dumps({"article_id": article_id, "helpful": True, "search_id": found["search_id"]}).encode()
    req = urllib.request.Request(url + "/api/feedback", data=body, method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        assert r.status == 201


@pytest.fixture()
def learning_server(tmp_path):
    articles = tmp_path / "articles"
    shutil.copytree(FIXTURES, articles)
    env = {**os.environ, "KB_ARTICLES": str(articles), "KB_INDEX": str(tmp_path / "index"),
           "KB_INSTANCE": str(tmp_path / "instance"), "KB_SITE": str(ROOT / "site.yml"), "KB_RATE_LIMITS": "off"}
    subprocess.run([sys.executable, "-m", "kb.cli", "index", "-q"], env=env, check=True)
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    Accounts(Store(tmp_path / "instance" / "kb.sqlite3")).add("eva", "editor", "correct horse battery")
    port = _free_port()
    with kb_serve(env, tmp_path, port) as url:
        yield url, env, articles


def _axe_violations(page) -> list:
    from axe_playwright_python.sync_playwright import Axe
    results = Axe().run(page, options=WCAG_AA)
    return [(v["id"], [n["target"] for n in v["nodes"]]) for v in results.response["violations"]]


def test_editor_accepts_a_learned_question_and_customers_find_the_article_by_it(learning_server, browser):  # noqa: F811
    url, env, articles = learning_server
    for query in (PHRASING, PHRASING + "?", "How many days until my order is here", *OTHERS):
        _vote(url, query, "en/delivery")
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 1200})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url + "/agent/login?next=/agent/")
    page.get_by_label("User name").fill("eva")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agent/")

    # copying an answer after searching a customer's words is evidence too
    page.get_by_label("Question or keywords").fill("Kratzer am Schrank, wie viel Kulanz darf ich geben")
    page.get_by_role("button", name="Search").last.click()
    with page.expect_response(lambda r: r.url.endswith("/copied") and r.request.method == "POST") as recorded:
        page.locator(".answers .answer").first.get_by_role("button", name="Copy answer").click()
    assert recorded.value.status == 201
    page.get_by_role("button", name="Copied").wait_for()
    page.goto(url + "/agent/questions")
    page.get_by_text("Kratzer am Schrank, wie viel Kulanz darf ich geben", exact=True).wait_for()
    item = page.locator(".suggestions li").filter(has_text=PHRASING)
    assert "3 searches" in item.inner_text()
    assert _axe_violations(page) == []
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "learned-questions.png"), full_page=True)

    item.get_by_role("button", name=re.compile(rf"^Accept\W+{re.escape(PHRASING)}$")).click()  # names its phrasing
    page.get_by_role("status").filter(has_text="added to the article").wait_for()
    assert f"  - {PHRASING}\n" in (articles / "en" / "delivery.md").read_text()
    assert _axe_violations(page) == []  # the page with its message

    page.get_by_label("Article language").select_option("en")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("button", name="Accept all 2").click()
    page.get_by_role("status").filter(has_text="Questions added to the article: 2.").wait_for()
    assert page.get_by_label("Article language").input_value() == "en"  # still narrowed
    text = (articles / "en" / "delivery.md").read_text()
    assert all(f"  - {q}\n" in text for q in OTHERS)
    assert _axe_violations(page) == []  # narrowed, nothing left to decide

    build = _get(url + "/readyz")["index"]["build"]
    subprocess.run([sys.executable, "-m", "kb.cli", "index", "-q"], env=env, check=True)
    deadline = time.monotonic() + 30
    while _get(url + "/readyz")["index"]["build"] == build and time.monotonic() < deadline:
        time.sleep(0.2)
    page.goto(url + "/search?" + urllib.parse.urlencode({"q": "How many days until my order is here?",
                                                        "lang": "en"}))
    first = page.locator(".best-answers h3 a").first
    assert first.inner_text() == "How long does delivery take?"
    with sqlite3.connect(Path(env["KB_INSTANCE"]) / "kb.sqlite3") as db:
        assert db.execute("SELECT decision, editor FROM question_decisions").fetchall() == [("accepted", "eva")] * 3
    assert problems == []
    context.close()


def test_an_agent_picks_any_article_for_answered_with_and_takes_it_off_again(learning_server, browser):  # noqa: F811
    """The article an agent answered with (the internal "Kulanz" one) was neither seen by the
    customer nor suggested: the find field narrows the list of every article as one types, the
    chosen one is recorded with a confirmation and comes off again with one button; axe finds
    nothing on the way."""
    url, env, _articles = learning_server
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    store = Store(Path(env["KB_INSTANCE"]) / "kb.sqlite3")
    Accounts(store).add("anna", "agent", "correct horse battery")
    ref = store.add_contact_request("Kratzer auf dem Couchtisch, bekomme ich etwas erstattet?", None, "de", None, [])
    rid = next(r["id"] for r in store.contact_requests() if r["ref"] == ref)
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 1200})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url + f"/agent/login?next=/agent/inbox/{rid}")
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/agent/inbox/{rid}")

    from playwright.sync_api import expect
    listed = page.get_by_label("Any article of the help centre")
    assert listed.locator("option").count() >= 6  # "(none)" and every article, internal ones too
    find = page.get_by_label("Find an article by its title")
    find.fill("kulanz")
    page.get_by_role("status").filter(has_text="Articles matching “kulanz”: 1").wait_for()
    assert listed.locator("option").all_inner_texts() == ["(none)", "Kulanzgrenzen für Agenten (internal)"]
    assert listed.input_value() == "intern/kulanz"  # the one match is chosen
    find.fill("")  # widened again: the narrowing's choice is taken back
    expect(listed).to_have_value("")
    find.fill("kulanz")
    expect(listed).to_have_value("intern/kulanz")
    find.press("Enter")  # the whole list is on the page: no round trip, the list has the focus
    assert page.evaluate("document.activeElement.id") == "aw-any" and "aw=" not in page.url
    assert _axe_violations(page) == []
    page.get_by_role("button", name="Answered with the chosen articles").click()
    page.get_by_role("status").filter(has_text="Recorded: the request was answered with Kulanzgrenzen für Agenten.").wait_for()
    section = page.locator("#answered-with")
    assert section.get_by_role("link", name="Kulanzgrenzen für Agenten").count() == 1
    assert _axe_violations(page) == []  # with the confirmation and the list
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "answered-with.png"), full_page=True)

    find.fill("kulanz")  # recorded: no choice any more
    page.get_by_role("status").filter(has_text="Articles matching “kulanz”: 0").wait_for()
    find.fill("zuruck")  # an umlaut typed as ü or ue, not left out: as the server reads it
    page.get_by_role("status").filter(has_text="Articles matching “zuruck”: 0").wait_for()
    find.fill("zurueck")
    page.get_by_role("status").filter(has_text="Articles matching “zurueck”: 1").wait_for()
    assert listed.locator("option").all_inner_texts() == ["(none)", "Artikel zurücksenden"]
    find.fill("")
    page.get_by_role("status").filter(has_text="Articles to choose from:").wait_for()
    section.get_by_role("button", name=re.compile(r"^Remove\W+Kulanzgrenzen für Agenten$")).click()
    page.get_by_role("status").filter(has_text="Its evidence for learned questions is withdrawn.").wait_for()
    assert page.locator("#answered-with .answered-list").count() == 0
    assert _axe_violations(page) == []
    with sqlite3.connect(Path(env["KB_INSTANCE"]) / "kb.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM request_articles").fetchone() == (0,)
    assert problems == []
    context.close()
