"""The inbox's store side on SQLite and PostgreSQL: pages by key with more than 200 requests, the
order, filters across pages, a request's neighbours, status changes refused from a stale page,
who has a request open (kb/ops/inbox.py, kb/ops/database.py, kb/ops/request_viewers.py)."""
from datetime import datetime, timedelta, timezone

import pytest

from kb.ops import learning, migrations
from kb.ops.contact_details import ContactDetails
from kb.ops.database import Store
from kb.ops.inbox import InboxFilter, find_page, neighbours
from kb.ops.request_viewers import VIEWER_MINUTES, record_view, viewers

REQUESTS = 230  # more than the 200 the inbox once showed at most
PAGE = 50
START = datetime(2026, 3, 2, 8, 0, tzinfo=timezone.utc)  # a Monday morning
OPEN = InboxFilter("open")


def _fill(store: Store, n: int = REQUESTS) -> list[int]:
    """``n`` open requests, three a minute (the id orders those of one minute), every fifth in
    English and every fourth about a parcel; their ids, oldest first."""
    with store.transaction() as db:
        for i in range(n):
            at = (START + timedelta(minutes=i // 3)).strftime("%Y-%m-%dT%H:%MZ")
            question = f"Frage {i}: " + ("Wo ist mein Paket?" if i % 4 == 0 else "Rechnung fehlt")
            db.execute("INSERT INTO contact_requests (ref, at, question, lang, shown) VALUES (?, ?, ?, ?, '[]')",
                       (f"K-{i:05d}", at, question, "en" if i % 5 == 0 else "de"))
    return [r["id"] for r in store.query("SELECT id FROM contact_requests ORDER BY id")]


def _walk(store, where, sort, forward=True):
    """Every page from the first to the last (or back from the last), as lists of ids, with the positions."""
    page = find_page(store, where, sort, size=PAGE)
    if not forward:
        while page.has_next:
            page = find_page(store, where, sort, after=page.rows[-1]["id"], size=PAGE)
    pages = []
    while True:
        pages.append(([r["id"] for r in page.rows], page.first, page.last, page.total))
        if not (page.has_next if forward else page.has_previous):
            return pages if forward else pages[::-1]
        cursor = {"after": page.rows[-1]["id"]} if forward else {"before": page.rows[0]["id"]}
        page = find_page(store, where, sort, size=PAGE, **cursor)


def test_every_request_is_reached_page_by_page_in_both_orders_and_both_directions(store_url):
    store = Store(store_url)
    ids = _fill(store)
    pages = _walk(store, OPEN, "oldest")
    assert [i for p, *_ in pages for i in p] == ids  # oldest first, each once: the overdue ones too
    assert [(first, last, total) for _, first, last, total in pages] == [
        (1, 50, 230), (51, 100, 230), (101, 150, 230), (151, 200, 230), (201, 230, 230)]
    assert _walk(store, OPEN, "oldest", forward=False) == pages
    newest = _walk(store, OPEN, "newest")
    assert [i for p, *_ in newest for i in p] == ids[::-1]
    assert newest[0][0][:3] == ids[:-4:-1]  # three of one minute: the later id first


def test_next_goes_on_after_the_last_request_seen_when_requests_were_answered_meanwhile(store_url):
    store = Store(store_url)
    ids = _fill(store)
    first = find_page(store, OPEN, "oldest", size=PAGE)
    for request_id in ids[:10]:  # answered from the first page while it was read
        assert store.set_request_status(request_id, "answered", "anna")
    second = find_page(store, OPEN, "oldest", after=first.rows[-1]["id"], size=PAGE)
    assert second.rows[0]["id"] == ids[50]  # not ids[60]: an offset would skip ten requests
    assert (second.first, second.last, second.total) == (41, 90, 220)
    short = find_page(store, OPEN, "oldest", before=ids[30], size=PAGE)  # fewer than a page before it
    assert [r["id"] for r in short.rows] == ids[10:60] and short.first == 1 and not short.has_previous
    beyond = find_page(store, OPEN, "oldest", after=ids[-1], size=PAGE)  # nothing after: the last page
    assert [r["id"] for r in beyond.rows] == ids[-50:] and not beyond.has_next
    unknown = find_page(store, OPEN, "oldest", after=10**12, size=PAGE)  # no such request: the first page
    assert unknown.rows[0]["id"] == ids[10]


def test_filters_hold_on_every_page_and_neighbours_follow_the_filtered_list(store_url):
    store = Store(store_url)
    ContactDetails(store)  # the text search looks at the order numbers given too
    ids = _fill(store)
    where = InboxFilter("open", "en", "paket")  # English and about a parcel: every 20th request
    matching = [ids[i] for i in range(REQUESTS) if i % 20 == 0]
    pages = _walk(store, where, "oldest")
    assert [i for p, *_ in pages for i in p] == matching and pages[0][3] == len(matching) == 12
    middle = matching[5]
    before, after = neighbours(store, where, "oldest", middle)
    assert (before["id"], after["id"]) == (matching[4], matching[6])
    assert neighbours(store, where, "newest", middle)[0]["id"] == matching[6]
    assert neighbours(store, where, "oldest", matching[0])[0] is None
    assert neighbours(store, where, "oldest", matching[-1])[1] is None
    store.set_request_status(middle, "answered", "anna")  # no longer in the list: its place still is
    before, after = neighbours(store, where, "oldest", middle)
    assert (before["id"], after["id"]) == (matching[4], matching[6])
    assert neighbours(store, where, "oldest", 10**12) == (None, None)


def test_a_status_change_from_a_stale_page_is_refused_in_both_directions(store_url):
    """anna answers; ben's page shows answered; anna reopens and answers again with an article;
    ben's Reopen from his page changes nothing. And the other way: a page that showed the request
    open cannot mark it answered once it was answered and reopened since."""
    store = Store(store_url)
    store.add_contact_request("Wo ist mein Paket?", "k@example.de", "de", None, [])
    rid = store.contact_requests()[0]["id"]
    assert store.set_request_status(rid, "answered", "anna", shown=("open", 0))
    bens_page = (store.contact_request(rid)["status"], store.contact_request(rid)["status_version"])
    assert bens_page == ("answered", 1)
    assert store.set_request_status(rid, "open", "anna", shown=bens_page)
    assert learning.record_answered_with(store, rid, ["de/lieferzeit"], "anna")
    row = store.contact_request(rid)
    assert (row["status"], row["status_by"]) == ("answered", "anna")  # as ben's page shows it, but newer
    assert not store.set_request_status(rid, "open", "ben", shown=bens_page)
    assert store.contact_request(rid)["status"] == "answered" and store.contact_request(rid)["status_by"] == "anna"
    current = ("answered", store.contact_request(rid)["status_version"])
    assert store.set_request_status(rid, "open", "ben", shown=current)  # from a page that shows it as it is
    opened = ("open", store.contact_request(rid)["status_version"])
    assert store.set_request_status(rid, "answered", "anna", shown=opened)
    assert store.set_request_status(rid, "open", "anna", shown=("answered", opened[1] + 1))
    assert not store.set_request_status(rid, "answered", "ben", shown=opened)  # open again, but not that open
    assert store.set_request_status(rid, "answered", "ben")  # without what a page showed: as before, any change


def test_who_has_a_request_open_expires_by_time_and_never_names_oneself(store_url):
    store = Store(store_url)
    store.add_contact_request("Rechnung fehlt", None, "de", None, [])
    store.add_contact_request("Paket beschädigt", None, "de", None, [])
    first, second = sorted(r["id"] for r in store.contact_requests())
    record_view(store, first, "anna", now=START)
    record_view(store, first, "anna", now=START + timedelta(minutes=10))  # still at it: since stays
    record_view(store, first, "ben", now=START + timedelta(minutes=12))
    seen = viewers(store, [first, second], but="ben", now=START + timedelta(minutes=12))
    assert [(v.agent, v.since) for v in seen[first]] == [("anna", "2026-03-02T08:00:00Z")] and second not in seen
    assert viewers(store, [first], but="anna", now=START + timedelta(minutes=12))[first][0].agent == "ben"
    later = START + timedelta(minutes=10 + VIEWER_MINUTES, seconds=1)  # anna's quarter hour is over
    assert [v.agent for v in viewers(store, [first], but=None, now=later)[first]] == ["ben"]
    record_view(store, second, "ben", now=later)  # any view clears what has expired
    assert {r["agent"] for r in store.query("SELECT agent FROM request_viewers")} == {"ben"}
    record_view(store, first, "anna", now=later)  # back after the pause: a new since
    assert viewers(store, [first], but="ben", now=later)[first][0].since == later.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert viewers(store, [], but="ben") == {}


def test_migrations_9_and_10_upgrade_a_database_with_requests(store_url, monkeypatch):
    every = migrations._migrations()
    monkeypatch.setattr(migrations, "_migrations", lambda: every[:8])
    old = Store(store_url)
    old.add_contact_request("Wo ist mein Paket?", None, "de", None, [])
    monkeypatch.setattr(migrations, "_migrations", lambda: every)
    store = Store(store_url)
    assert migrations.current_version(store) == 10
    row = store.contact_requests()[0]
    assert row["status_version"] == 0
    assert store.set_request_status(row["id"], "answered", "anna", shown=("open", 0))
    record_view(store, row["id"], "anna")
    assert viewers(store, [row["id"]], but="ben")[row["id"]][0].agent == "anna"


@pytest.mark.parametrize("shown", [("answered", 0), ("open", 1)])
def test_a_page_that_showed_another_status_or_version_changes_nothing(tmp_path, shown):
    store = Store(tmp_path / "kb.sqlite3")
    store.add_contact_request("Frage", None, "de", None, [])
    rid = store.contact_requests()[0]["id"]
    assert not store.set_request_status(rid, "answered", "anna", shown=shown)
    assert store.contact_request(rid)["status"] == "open" and store.contact_request(rid)["status_version"] == 0
