"""A real browser against the real server: the customer's whole journey.

Runs `kb serve` (waitress) in a subprocess on a free port and drives Debian's
headless Chromium with Playwright. The results page screenshot goes to
test-output/ for people to look at.
"""
import os
import re
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
OUTPUT = ROOT / "test-output"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM),
                       reason="Chromium not installed: apt-get install chromium (make test does it as root)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    env = {**os.environ, "KB_INDEX": str(built_index), "KB_INSTANCE": str(instance),
           "KB_SITE": str(ROOT / "site.yml")}
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    store = Store(instance / "kb.sqlite3")
    Accounts(store).add("anna", "agent", "correct horse battery")
    search = store.log_search("Kulanz", "de", False, [], "portal")
    store.add_contact_request("Mein Paket ist beschädigt, bekomme ich eine Gutschrift?", "k@example.de",
                              "de", "Kulanz", [], search)
    with kb_serve(env, instance, port) as url:
        yield url, instance / "kb.sqlite3"


@contextmanager
def kb_serve(env: dict, instance: Path, port: int, args: tuple[str, ...] = ()):
    """`kb serve` in a subprocess until it answers /readyz; stopped at the end.

    Every test that needs a real server starts it here; its log is ``instance/server.log``.
    """
    log = open(instance / "server.log", "w")
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "serve", "--port", str(port), *args],
                            env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail("server did not start:\n" + (instance / "server.log").read_text())
        time.sleep(0.2)
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM,
                              args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                                    "--disable-background-networking"])
        yield b
        b.close()


def test_customer_journey(server, browser):
    url, database = server
    context = browser.new_context(locale="de-DE", viewport={"width": 1000, "height": 1200})
    page = context.new_page()
    problems = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    # search in German, see the answer
    page.goto(url + "/")
    box = page.get_by_role("combobox", name="Wie können wir helfen?")
    box.fill("wann kommt mein Paket")
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    best = page.locator(".best-answers")
    assert "Wie lange dauert die Lieferung?" in best.inner_text()
    assert best.locator("mark").count() >= 1
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "search-results.png"), full_page=True)

    # the address keeps the page's search: a reload shows it again and is not another search
    page.wait_for_url(re.compile(r"/search\?.*\bs=[\w-]+"))
    with sqlite3.connect(database) as db:
        searches = db.execute("SELECT COUNT(*) FROM searches").fetchone()[0]
    page.reload()
    assert "Wie lange dauert die Lieferung?" in page.locator(".best-answers").inner_text()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT COUNT(*) FROM searches").fetchone()[0] == searches

    # open the article at the answering section, say it helped
    best.locator("h3 a").first.click()
    page.wait_for_url("**/articles/de/lieferzeit*")
    assert page.locator("h1").inner_text() == "Wie lange dauert die Lieferung?"
    page.get_by_role("button", name="Ja").click()
    page.get_by_text("Danke für Ihre Rückmeldung!").wait_for()
    # the thanks has the focus (the button that had it is gone): it is read out, Tab goes on from it
    page.wait_for_function("document.activeElement && document.activeElement.hasAttribute('data-thanks-yes')",
                           timeout=5000)
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT article_id, helpful FROM feedback").fetchall() == [("de/lieferzeit", 1)]

    # switch to English: the English version of the same article, and the choice sticks
    page.get_by_role("link", name="English").first.click()
    page.wait_for_url("**/articles/en/delivery*")
    assert page.locator("h1").inner_text() == "How long does delivery take?"
    page.goto(url + "/")
    assert page.locator("h1").inner_text() == "How can we help?"

    # a typo still finds the answer: the search for the correction, with the typed words on offer
    box = page.get_by_role("combobox", name="How can we help?")
    box.fill("rturn labl")
    box.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert "return label" in page.locator(".did-you-mean").inner_text()
    assert "Returning an item" in page.locator(".best-answers").inner_text()

    # suggestions while typing (a listbox filled from /api/suggest, tests/web/test_browser_suggest.py)
    top = page.locator("#q-top")
    top.fill("")
    top.type("deliv", delay=30)
    page.locator("#suggestions-top [role=option]").first.wait_for()  # (CSP forbids eval-based waits)
    assert page.locator("#suggestions-top [role=option]").first.inner_text() == "How long does delivery take?"

    # an off-topic question leads to a person
    top.fill("Who won the football world cup in 1954?")
    top.press("Enter")
    page.wait_for_url("**/search?q=*")
    assert page.get_by_role("heading", name="We have no article that answers this well").is_visible()
    page.get_by_label("Your email address").fill("jane@example.org")
    page.get_by_label("I agree that my request", exact=False).check()
    page.get_by_role("button", name="Send to our team").click()
    page.get_by_role("heading", name="Thank you, your request has been sent").wait_for()
    with sqlite3.connect(database) as db:
        rows = db.execute("SELECT question, email, query FROM contact_requests WHERE email = 'jane@example.org'").fetchall()
    assert rows == [("Who won the football world cup in 1954?", "jane@example.org",
                     "Who won the football world cup in 1954?")]
    assert problems == [], problems  # no script errors, no CSP violations
    context.close()


def test_keyboard_only_and_phone_width(server, browser):
    url, _ = server
    context = browser.new_context(locale="en-GB", viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    page.goto(url + "/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.className") == "skip"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    # no horizontal scrolling on a phone
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto(url + "/articles/en/delivery")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # on the results, a second skip link passes the topic chips: the first result is two keys away
    page.goto(url + "/search?q=how+long+does+delivery+take")
    page.locator("#main").focus()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to the results"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('#results') !== null")
    assert page.evaluate("document.activeElement.tagName") == "A"
    context.close()


def test_agent_flow(server, browser):
    url, database = server
    context = browser.new_context(locale="en-GB", viewport={"width": 1100, "height": 1200})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=url)
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))

    page.goto(url + "/agent/")
    page.wait_for_url(re.compile(r"/agent/login"))
    page.get_by_label("User name").fill("anna")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/agent/")

    # search an internal article and copy its answer
    page.get_by_label("Question or keywords").fill("Wie viel Kulanz darf ich geben?")
    page.get_by_role("button", name="Search").last.click()
    first = page.locator(".answers .answer").first
    assert "Kulanzgrenzen für Agenten" in first.inner_text() and "internal" in first.inner_text()
    first.get_by_role("button", name="Copy answer").click()
    page.get_by_role("button", name="Copied").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    assert "15 EUR" in copied and "/articles/" not in copied   # internal: no customer link

    # open a contact request from the inbox and see suggestions for it
    page.get_by_role("link", name="Inbox").click()
    page.get_by_role("row").filter(has_text="Mein Paket ist beschädigt").get_by_role("link").click()
    assert "Mein Paket ist beschädigt" in page.locator(".question").inner_text()
    assert page.locator(".answers .answer").count() >= 1
    page.get_by_role("button", name="Mark as answered").click()
    page.get_by_role("button", name="Reopen").wait_for()
    with sqlite3.connect(database) as db:
        assert db.execute("SELECT status FROM contact_requests WHERE email = 'k@example.de'").fetchall() == [("answered",)]
    page.screenshot(path=str(OUTPUT / "agent-inbox.png"), full_page=True)
    assert problems == []
    context.close()
