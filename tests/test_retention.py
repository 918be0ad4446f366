"""`kb privacy purge`: personal data older than the retention period is removed, on SQLite and
PostgreSQL; what insights count stays; a second run removes nothing more."""
import json
from datetime import datetime, timedelta, timezone

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.ops.contact_details import ContactDetails
from kb.ops.database import Store
from kb.ops.handoff.outbox import Outbox
from kb.ops.insights import article_stats, deflection
from kb.ops.retention import (DEFAULT_RETENTION_DAYS, RetentionError, parse_days, purge,
                              retention_days)

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=timezone.utc)
DAYS = 90
OLD = "2026-08-01T09:15Z"        # before the period of 90 days ending NOW
OLD_LATER = "2026-08-01T09:40Z"  # the same hour
OLDER = "2026-07-15T23:50Z"
RECENT = "2026-11-20T10:00Z"


def _set(store, sql, params):
    with store.transaction() as db:
        db.execute(sql, params)


def _request(store, email, order_number, at, status="open", status_at=None, sent_at=None, queued=False):
    ref = store.add_contact_request(f"Frage von {email}", email, "de", "paket", ["a"])
    _set(store, "UPDATE contact_requests SET at = ?, status = ?, status_at = ? WHERE ref = ?",
         (at, status, status_at, ref))
    ContactDetails(store).save(ref, order_number, False)
    if sent_at or queued:  # queued when the request came in, as the portal queues it
        Outbox(store).enqueue(ref, {"ref": ref, "reply_to": email, "order_number": order_number,
                                    "question": "Frage"}, ("email",))
        _set(store, "UPDATE handoff_outbox SET sent_at = ?, created_at = ? WHERE ref = ?",
             (sent_at, at.replace("Z", ":00Z"), ref))
    return ref


def _shop(store):
    """Searches, votes, requests and hand-offs from before the period and from within it."""
    tokens = {}
    for name, at in (("helped", OLD), ("not helped", OLD_LATER), ("unvoted", OLDER), ("recent", RECENT)):
        tokens[name] = store.log_search(f"wo ist mein paket ({name})", "de", True, ["a"], "portal")
        _set(store, "UPDATE searches SET at = ? WHERE token = ?", (at, tokens[name]))
    for name, helpful, at in (("helped", True, OLD), ("not helped", False, OLD_LATER), ("recent", True, RECENT)):
        store.add_feedback("a", helpful, f"kommentar {name}", "de", tokens[name])
        _set(store, "UPDATE feedback SET at = ? WHERE search_token = ?", (at, tokens[name]))
    return tokens, {
        "answered": _request(store, "alt@example.de", "100-1", OLD, "answered", OLD, sent_at="2026-08-01T09:16:00Z"),
        "open": _request(store, "offen@example.de", "100-2", OLD, queued=True),
        "waiting": _request(store, "wartet@example.de", "100-5", RECENT, queued=True),
        "answered late": _request(store, "spaet@example.de", "100-3", OLD, "answered", RECENT),
        "recent": _request(store, "neu@example.de", "100-4", RECENT, "answered", RECENT,
                           sent_at="2026-11-20T10:01:00Z"),
    }


def _requests(store):
    return {r["ref"]: r for r in store.query("SELECT ref, email, email_removed, question FROM contact_requests")}


def test_purge_removes_what_is_older_and_keeps_what_insights_count(store_url):
    store = Store(store_url)
    tokens, refs = _shop(store)
    chart_before = deflection(store, 365, "day", now=NOW)
    stats_before = article_stats(store, 365, now=NOW)

    report = purge(store, DAYS, now=NOW)

    assert (report.searches, report.comments, report.emails, report.order_numbers, report.payloads,
            report.undelivered) == (3, 2, 1, 1, 1, 1)
    assert report.cutoff == "2026-09-02T12:00Z"
    assert [r["token"] for r in store.query("SELECT token FROM searches")] == [tokens["recent"]]
    assert {r["comment"] for r in store.query("SELECT comment FROM feedback")} == {None, "kommentar recent"}
    requests = _requests(store)
    assert requests[refs["answered"]]["email"] is None
    assert requests[refs["answered"]]["question"]  # the masked question stays for the inbox
    assert [requests[refs[k]]["email"] for k in ("open", "answered late", "recent")] == [
        "offen@example.de", "spaet@example.de", "neu@example.de"]
    # the inbox tells an address the retention period removed from one the customer never gave
    assert [requests[refs[k]]["email_removed"] for k in ("answered", "open", "answered late", "recent")] == [
        "retention", None, None, None]
    details = ContactDetails(store).of(list(refs.values()))
    assert [details[refs[k]]["order_number"] for k in ("answered", "open", "answered late", "recent")] == [
        None, "100-2", "100-3", "100-4"]
    payloads = {r["ref"]: r["payload"] for r in store.query("SELECT ref, payload FROM handoff_outbox")}
    assert payloads[refs["answered"]] == "{}"
    assert json.loads(payloads[refs["waiting"]])["reply_to"] == "wartet@example.de"  # within the period
    assert json.loads(payloads[refs["recent"]])["reply_to"] == "neu@example.de"
    states = Outbox(store).states(list(refs.values()))
    assert states[refs["answered"]][0].state == "delivered"
    # queued before the period began and never delivered: its payload dropped, never sent now
    assert payloads[refs["open"]] == "{}"
    assert (states[refs["open"]][0].state, states[refs["open"]][0].cancelled) == ("cancelled", "retention")
    assert states[refs["waiting"]][0].state == "queued"
    box = Outbox(store)
    assert box.claim_next(now=NOW.timestamp() + 10**9).ref == refs["waiting"]
    assert box.claim_next(now=NOW.timestamp() + 10**9) is None   # the only one still to be sent
    # the chart counts the deleted searches (and the one a "helpful" vote followed) by the hour
    assert deflection(store, 365, "day", now=NOW) == chart_before
    assert article_stats(store, 365, now=NOW) == stats_before  # the votes stay


def test_a_second_purge_removes_nothing_more_and_counts_nothing_twice(store_url):
    store = Store(store_url)
    _shop(store)
    chart = deflection(store, 365, "week", now=NOW)
    reports = [purge(store, DAYS, now=NOW) for _run in range(2)]
    assert deflection(store, 365, "week", now=NOW) == chart
    second = reports[1]
    assert (second.searches, second.comments, second.emails, second.order_numbers, second.payloads,
            second.undelivered) == (0,) * 6


def test_the_chart_counts_purged_searches_in_the_shops_days(store_url):
    from zoneinfo import ZoneInfo

    store = Store(store_url)
    _shop(store)
    berlin = ZoneInfo("Europe/Berlin")
    before = deflection(store, 365, "day", now=NOW, zone=berlin)
    purge(store, DAYS, now=NOW)
    assert deflection(store, 365, "day", now=NOW, zone=berlin) == before
    # 23:50 UTC on 15 July is 16 July in Berlin
    assert [p.searches for p in before if p.start == "2026-07-16"] == [1]


def test_the_newest_search_stays_without_its_wording_so_no_id_is_handed_out_twice(store_url):
    store = Store(store_url)
    token = store.log_search("anna schmidt paket", "de", False, ["a"], "portal")
    _set(store, "UPDATE searches SET at = ?", (OLD,))
    assert purge(store, DAYS, now=NOW).searches == 1
    kept = store.query("SELECT id, query FROM searches WHERE token = ?", (token,))
    assert [r["query"] for r in kept] == [""]
    assert purge(store, DAYS, now=NOW).searches == 0  # cleared once: idempotent
    newer = store.log_search("rücksendung", "de", True, ["b"], "portal")
    assert store.search_by_token(newer)["id"] > kept[0]["id"]
    assert purge(store, DAYS, now=NOW).searches == 1  # no longer the newest: deleted, and counted
    assert store.search_by_token(token) is None
    assert sum(p.searches for p in deflection(store, 365, "week", now=NOW)) == 1  # once, not twice


def test_purge_on_a_new_database_removes_nothing(store_url):
    report = purge(Store(store_url), DAYS, now=NOW)
    assert (report.searches, report.comments, report.emails, report.order_numbers, report.payloads,
            report.undelivered) == (0,) * 6


def test_each_purge_records_its_period_and_time_for_the_privacy_page(store_url):
    from kb.ops.purge_runs import PurgeRun, last_run
    store = Store(store_url)
    assert last_run(store) is None
    purge(store, 30, now=NOW - timedelta(days=1))
    purge(store, DAYS, now=NOW)
    assert last_run(store) == PurgeRun(at=NOW, days=DAYS)
    purge(store, 45, now=NOW)  # run twice in one second: the later period counts
    assert last_run(store) == PurgeRun(at=NOW, days=45)
    assert len(store.query("SELECT * FROM purge_runs")) == 2


@pytest.mark.parametrize("text, days", [("90", 90), ("90d", 90), ("90 days", 90), (" 7D ", 7), ("30 Tage", 30)])
def test_retention_periods_are_read_in_days(text, days):
    assert parse_days(text, "--older-than") == days


@pytest.mark.parametrize("text, message", [
    ("3w", "takes a number of days such as 90 or 90d, not '3w'"), ("", "takes a number of days"),
    ("-5", "takes a number of days"), ("0", "from 1 to 36500 days, not 0"), ("100000", "not 100000")])
def test_a_retention_period_that_is_no_number_of_days_is_refused_clearly(text, message):
    with pytest.raises(RetentionError, match=message) as refused:
        parse_days(text, "--older-than")
    assert str(refused.value).startswith("--older-than")


def test_the_retention_setting():
    assert retention_days({}) == DEFAULT_RETENTION_DAYS
    assert retention_days({"KB_RETENTION_DAYS": "30"}) == 30
    with pytest.raises(RetentionError, match="KB_RETENTION_DAYS"):
        retention_days({"KB_RETENTION_DAYS": "a month"})


# -- the command ------------------------------------------------------------------------------
def _kb(*args, env=None):
    return CliRunner().invoke(main, ["privacy", *args], env=env, catch_exceptions=False)


def _aged_shop(url: str, days_ago: int) -> Store:
    store = Store(url)
    at = (datetime.now(timezone.utc) - timedelta(days=days_ago)).strftime("%Y-%m-%dT%H:%MZ")
    token = store.log_search("wo ist mein paket", "de", True, ["a"], "portal")
    store.add_feedback("a", False, "zu kurz", "de", token)
    store.log_search("rücksendung", "de", True, ["b"], "portal")  # today's
    _set(store, "UPDATE searches SET at = ? WHERE token = ?", (at, token))
    _set(store, "UPDATE feedback SET at = ?", (at,))
    _request(store, "kunde@example.de", "100-9", at, "answered", at)
    _request(store, "wartet@example.de", None, at, queued=True)  # the helpdesk never took it
    return store


def test_the_purge_command_reports_what_it_removed_and_is_safe_to_repeat(store_url):
    _aged_shop(store_url, 40)
    r = _kb("purge", "--url", store_url)  # 40 days are within the default 90
    assert r.exit_code == 0, r.output
    assert "older than 90 days" in r.output and "       0  searches" in r.output
    r = _kb("purge", env={"KB_DATABASE_URL": store_url, "KB_RETENTION_DAYS": "30"})
    assert r.exit_code == 0, r.output
    assert "older than 30 days" in r.output
    for line in ("       1  searches", "       1  comments of votes", "       1  reply addresses",
                 "       1  order numbers", "       1  hand-offs not delivered within the period"):
        assert line in r.output
    r = _kb("purge", "--older-than", "30d", "--url", store_url)
    assert r.exit_code == 0 and r.output.count("       0  ") == 6, r.output


def test_the_purge_command_refuses_bad_input_and_changes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    store = _aged_shop(url, 400)
    for args, env, message in (
            (["--older-than", "3 weeks"], {}, "--older-than takes a number of days such as 90 or 90d, not '3 weeks'"),
            (["--older-than", "0d"], {}, "--older-than must be from 1 to 36500 days, not 0"),
            ([], {"KB_RETENTION_DAYS": "viele"}, "KB_RETENTION_DAYS takes a number of days")):
        r = _kb("purge", "--url", url, *args, env=env)
        assert r.exit_code == 2 and f"Error: {message}" in r.output, r.output
    assert len(store.query("SELECT * FROM searches")) == 2
    r = _kb("purge", "--url", f"sqlite:///{tmp_path / 'elsewhere.sqlite3'}")
    assert r.exit_code == 1 and "no SQLite database at" in r.output
    assert not (tmp_path / "elsewhere.sqlite3").exists()


# how a deliverer of the previous release claims: it knows no ``cancelled`` column
OLD_RELEASE_CLAIM = "SELECT ref FROM handoff_outbox WHERE sent_at IS NULL AND next_at <= ?"
LONG_AFTER = 10**11  # the year 5138: any due time a deliverer could see, short of never


def test_a_hand_off_the_purge_cancels_is_never_due_for_a_previous_release(store_url):
    """A replica of the previous release, beside the migrated schema in a rolling upgrade, would
    claim the cancelled row and send its emptied payload (KeyError 'ref' in its worker)."""
    store = Store(store_url)
    _tokens, refs = _shop(store)
    purge(store, DAYS, now=NOW)
    assert [r["ref"] for r in store.query(OLD_RELEASE_CLAIM, (LONG_AFTER,))] == [refs["waiting"]]
