"""The inbox in a real Chromium with more requests than one page: the pages, the way into a request
and on to the next one and back, and a colleague's "has this open" mark; axe finds nothing on any
of these pages (WCAG 2.1 A/AA)."""
import os
import re
from datetime import datetime, timedelta, timezone

import pytest

from test_browser import CHROMIUM, OUTPUT, ROOT, _free_port, browser, kb_serve  # noqa: F401  (fixture)
from test_browser_ux import _no_axe_violations

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium not installed"),
]
PASSWORD = "correct horse battery"
REQUESTS = 60  # a page and a bit
START = datetime(2026, 3, 2, 7, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def inbox_server(built_index, tmp_path_factory):
    instance = tmp_path_factory.mktemp("inbox-instance")
    env = {**os.environ, "KB_INDEX": str(built_index), "KB_INSTANCE": str(instance),
           "KB_SITE": str(ROOT / "site.yml"), "KB_RATE_LIMITS": "off"}
    from kb.ops.accounts import Accounts
    from kb.ops.database import Store
    from kb.ops.request_viewers import record_view
    store = Store(instance / "kb.sqlite3")
    for name in ("anna", "ben"):
        Accounts(store).add(name, "agent", PASSWORD)
    with store.transaction() as db:
        for i in range(REQUESTS):
            at = (START + timedelta(minutes=i)).strftime("%Y-%m-%dT%H:%MZ")
            db.execute("INSERT INTO contact_requests (ref, at, question, email, lang, shown) "
                       "VALUES (?, ?, ?, 'k@example.de', 'de', '[]')", (f"K-{i:05d}", at, f"Anfrage {i}: Paket fehlt"))
    record_view(store, store.query("SELECT id FROM contact_requests WHERE ref = 'K-00000'")[0]["id"], "ben")
    with kb_serve(env, instance, _free_port()) as url:
        yield url


def test_pages_neighbours_and_a_colleagues_mark(inbox_server, browser):  # noqa: F811
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(inbox_server + "/agent/login")
    page.get_by_label("Benutzername").fill("anna")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    page.wait_for_url("**/agent/")
    page.get_by_role("link", name="Posteingang").click()
    assert "1–50 von 60 Anfragen" in page.get_by_role("status").inner_text()
    oldest = page.get_by_role("row").filter(has_text="K-00000")
    assert re.search(r"ben hat diese Anfrage seit (\d\d\.\d\d\.\d{4} )?\d\d:\d\d geöffnet", oldest.inner_text())
    OUTPUT.mkdir(exist_ok=True)
    page.screenshot(path=str(OUTPUT / "inbox-pages.png"), full_page=True)
    _no_axe_violations(page, "inbox page 1")
    page.get_by_role("navigation", name="Seiten").get_by_role("link", name="Nächste Seite").click()
    assert "51–60 von 60 Anfragen" in page.get_by_role("status").inner_text()
    _no_axe_violations(page, "inbox page 2")
    page.get_by_role("link", name="K-00050").click()
    page.get_by_role("heading", name="Anfrage K-00050").wait_for()
    _no_axe_violations(page, "request with neighbours")
    page.get_by_role("link", name="Nächste Anfrage (K-00051)").click()
    page.get_by_role("heading", name="Anfrage K-00051").wait_for()
    page.get_by_role("button", name="Als beantwortet markieren").click()
    page.get_by_text("Als beantwortet markiert.").wait_for()
    page.get_by_role("link", name="← Posteingang").click()
    assert "52–59 von 59 Anfragen" in page.get_by_role("status").inner_text()  # K-00051 is answered now
    assert page.get_by_role("row").nth(1).get_by_role("link").first.inner_text() == "K-00052"
    page.get_by_role("link", name="Vorherige Seite").click()
    assert "2–51 von 59 Anfragen" in page.get_by_role("status").inner_text()  # the 50 before K-00052
    assert problems == []
    context.close()
