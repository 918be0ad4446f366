"""`kb privacy erase --email`: one customer's address removed everywhere it is stored, on SQLite
and PostgreSQL; other customers' data untouched; unknown and malformed addresses answered clearly."""
import json

import pytest
from click.testing import CliRunner

from kb.cli import main
from kb.ops.contact_details import ContactDetails
from kb.ops.database import Store
from kb.ops.erasure import ErasureError, erase_address
from kb.ops.handoff.outbox import Outbox

ADDRESS = "Anna_1@Example.de"  # as the customer typed it into the form
OTHER = "annax1@example.de"    # "_" must not match any character


def _request(store, email, order_number, question="Wo bleibt mein Paket?", sent=None):
    ref = store.add_contact_request(question, email, "de", "paket", ["a"])
    ContactDetails(store).save(ref, order_number, False)
    if sent is not None:
        Outbox(store).enqueue(ref, {"ref": ref, "reply_to": email, "order_number": order_number,
                                    "question": question, "search": "paket"}, ("email",))
        if sent:
            with store.transaction() as db:
                db.execute("UPDATE handoff_outbox SET sent_at = '2026-11-01T10:00:00Z' WHERE ref = ?", (ref,))
    return ref


def _shop(store):
    refs = {"delivered": _request(store, ADDRESS, "100-1", sent=True),
            "on its way": _request(store, "anna_1@example.de", "100-2", sent=False),
            "other": _request(store, OTHER, "200-1", sent=True)}
    with store.transaction() as db:  # written in a way masking missed (stored by hand here)
        db.execute("UPDATE contact_requests SET question = 'bitte an ANNA_1@example.de antworten' WHERE ref = ?",
                   (refs["other"],))
        db.execute("INSERT INTO searches (token, at, query, lang, answered, results, channel) "
                   "VALUES ('t1', '2026-11-01T10:00Z', 'anna_1@example.de paket', 'de', 0, '[]', 'portal')")
    return refs


def test_erasing_an_address_removes_it_everywhere_and_nothing_else(store_url):
    store = Store(store_url)
    refs = _shop(store)

    report = erase_address(store, "ANNA_1@example.DE")

    assert (report.requests, report.order_numbers, report.payloads, report.texts, report.cancelled) == \
        (2, 2, 2, 2, 1)
    emails = {r["ref"]: r["email"] for r in store.query("SELECT ref, email FROM contact_requests")}
    assert emails == {refs["delivered"]: None, refs["on its way"]: None, refs["other"]: OTHER}
    # the inbox says the address was erased on request, not that the customer gave none
    removed = {r["ref"]: r["email_removed"] for r in store.query("SELECT ref, email_removed FROM contact_requests")}
    assert removed == {refs["delivered"]: "erasure", refs["on its way"]: "erasure", refs["other"]: None}
    details = ContactDetails(store).of(list(refs.values()))
    assert [details[refs[k]]["order_number"] for k in ("delivered", "on its way", "other")] == [None, None, "200-1"]
    payloads = {r["ref"]: r["payload"] for r in store.query("SELECT ref, payload FROM handoff_outbox")}
    assert payloads[refs["delivered"]] == "{}"
    # not yet delivered: its payload gone and its delivery cancelled, the helpdesk never gets the message
    assert payloads[refs["on its way"]] == "{}"
    states = Outbox(store).states(list(refs.values()))
    assert [(s.state, s.cancelled) for s in states[refs["on its way"]]] == [("cancelled", "erasure")]
    assert [s.state for s in states[refs["delivered"]]] == ["delivered"]
    assert Outbox(store).claim_next(now=10**12) is None and Outbox(store).pending() == 0
    assert json.loads(payloads[refs["other"]])["reply_to"] == OTHER
    assert store.query("SELECT question FROM contact_requests WHERE ref = ?", (refs["other"],))[0]["question"] == \
        "bitte an [email] antworten"
    assert store.search_by_token("t1")["query"] == "[email] paket"
    every_text = json.dumps([list(r) for t in ("contact_requests", "contact_details", "handoff_outbox", "searches")
                             for r in store.query(f"SELECT * FROM {t}")]).lower()
    assert "anna_1@" not in every_text

    again = erase_address(store, ADDRESS)
    assert again.nothing


def test_an_address_nothing_is_stored_for_erases_nothing(store_url):
    store = Store(store_url)
    _shop(store)
    assert erase_address(store, "nobody@example.de").nothing
    assert len([r for r in store.query("SELECT email FROM contact_requests") if r["email"]]) == 3


@pytest.mark.parametrize("address", ["anna", "anna@", "@example.de", "anna schmidt@example.de", "Anna <a@b.de>", ""])
def test_a_malformed_address_is_refused_clearly(tmp_path, address):
    with pytest.raises(ErasureError, match="is not an e-mail address"):
        erase_address(Store(tmp_path / "kb.sqlite3"), address)


def _kb(*args, env=None):
    return CliRunner().invoke(main, ["privacy", *args], env=env, catch_exceptions=False)


def test_the_erase_command_reports_counts_and_says_when_nothing_is_stored(store_url):
    _shop(Store(store_url))
    r = _kb("erase", "--email", ADDRESS, "--url", store_url)
    assert r.exit_code == 0, r.output
    assert "Erased anna_1@example.de from" in r.output
    for line in ("       2  contact requests", "       2  order numbers", "       2  hand-offs",
                 "       1  of them not yet delivered: cancelled", "       2  questions, searches or comments"):
        assert line in r.output
    r = _kb("erase", "--email", ADDRESS, env={"KB_DATABASE_URL": store_url})
    assert r.exit_code == 0 and "nothing stored for anna_1@example.de" in r.output, r.output


def test_the_erase_command_refuses_a_malformed_address_before_touching_the_database(tmp_path):
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    r = _kb("erase", "--email", "anna at example", "--url", url)
    assert r.exit_code == 2 and "Error: 'anna at example' is not an e-mail address" in r.output, r.output
    assert not (tmp_path / "kb.sqlite3").exists()
    r = _kb("erase", "--url", url)
    assert r.exit_code == 2 and "--email" in r.output


# -- only the whole address, in any letters ---------------------------------------------------
ANNA = "anna@gmx.de"


def _outbox(store):
    return {r["ref"]: r["payload"] for r in store.query("SELECT ref, payload FROM handoff_outbox")}


def _neighbours(store):
    """Hanna and Johanna, whose addresses end in Anna's; a search and a question by someone else
    that name Anna's address; Anna's own request."""
    refs = {"anna": _request(store, ANNA, "100-1", sent=False),
            "hanna": _request(store, "hanna@gmx.de", "300-1", sent=False),
            "johanna": _request(store, "Johanna@GMX.de", "400-1", sent=True),
            "mentions": _request(store, "eva@web.de", "500-1", question="bitte an ANNA@gmx.de.", sent=True)}
    with store.transaction() as db:  # written in a way masking missed (stored by hand here)
        db.execute("UPDATE contact_requests SET question = 'bitte an ANNA@gmx.de.' WHERE ref = ?", (refs["mentions"],))
        for token, query in (("t1", "hanna@gmx.de paket"), ("t2", "johanna@gmx.de"), ("t3", "an anna@gmx.de, bitte"),
                             ("t4", "anna@gmx.de.example.org"), ("t5", "x.anna@gmx.de")):
            db.execute("INSERT INTO searches (token, at, query, lang, answered, results, channel) "
                       "VALUES (?, '2026-11-01T10:00Z', ?, 'de', 0, '[]', 'portal')", (token, query))
    return refs


def test_an_address_inside_another_one_is_no_match(store_url):
    store = Store(store_url)
    refs = _neighbours(store)
    before = _outbox(store)

    report = erase_address(store, ANNA)

    after = _outbox(store)
    assert after[refs["hanna"]] == before[refs["hanna"]] and after[refs["johanna"]] == before[refs["johanna"]]
    details = ContactDetails(store).of(list(refs.values()))
    assert [details[refs[k]]["order_number"] for k in ("anna", "hanna", "johanna")] == [None, "300-1", "400-1"]
    queries = {t: store.search_by_token(t)["query"] for t in ("t1", "t2", "t3", "t4", "t5")}
    assert queries == {"t1": "hanna@gmx.de paket", "t2": "johanna@gmx.de", "t3": "an [email], bitte",
                       "t4": "anna@gmx.de.example.org", "t5": "x.anna@gmx.de"}
    assert (report.requests, report.order_numbers, report.payloads, report.texts) == (1, 1, 2, 2)
    question = store.query("SELECT question FROM contact_requests WHERE ref = ?", (refs["mentions"],))[0]["question"]
    assert question == "bitte an [email]."  # a dot that ends the sentence is no part of the address


def test_another_customers_hand_off_loses_only_the_address_named_in_it(store_url):
    store = Store(store_url)
    refs = _neighbours(store)

    erase_address(store, ANNA)

    mentions = json.loads(_outbox(store)[refs["mentions"]])  # delivered, but not Anna's: not emptied
    assert (mentions["reply_to"], mentions["order_number"], mentions["question"]) == \
        ("eva@web.de", "500-1", "bitte an [email].")
    assert ContactDetails(store).of([refs["mentions"]])[refs["mentions"]]["order_number"] == "500-1"
    assert _outbox(store)[refs["anna"]] == "{}"  # Anna's own, not yet delivered: cancelled
    hanna = Outbox(store).states([refs["hanna"]])[refs["hanna"]]
    assert [s.state for s in hanna] == ["queued"]  # her neighbour's still goes out


@pytest.mark.parametrize("stored, asked", [("straße@web.de", "straße@web.de"), ("JÜRGEN@web.de", "jürgen@web.de"),
                                           ("jürgen@web.de", "JÜRGEN@WEB.DE")])
def test_letters_beyond_ascii_are_found_in_free_text(store_url, stored, asked):
    store = Store(store_url)
    ref = _request(store, "eva@web.de", "500-1", question=f"Antwort an {stored} bitte")
    with store.transaction() as db:  # written in a way masking missed (stored by hand here)
        db.execute("UPDATE contact_requests SET question = ? WHERE ref = ?", (f"Antwort an {stored} bitte", ref))
        db.execute("INSERT INTO searches (token, at, query, lang, answered, results, channel) "
                   "VALUES ('t1', '2026-11-01T10:00Z', ?, 'de', 0, '[]', 'portal')", (f"{stored} paket",))

    report = erase_address(store, asked)

    assert report.texts == 2 and not report.nothing
    assert store.search_by_token("t1")["query"] == "[email] paket"
    assert store.query("SELECT question FROM contact_requests WHERE ref = ?", (ref,))[0]["question"] == \
        "Antwort an [email] bitte"


def test_sharp_s_is_no_double_s(store_url):
    store = Store(store_url)
    with store.transaction() as db:
        db.execute("INSERT INTO searches (token, at, query, lang, answered, results, channel) "
                   "VALUES ('t1', '2026-11-01T10:00Z', 'straße@web.de', 'de', 0, '[]', 'portal')")
    assert erase_address(store, "strasse@web.de").nothing
    assert store.search_by_token("t1")["query"] == "straße@web.de"


def test_learned_phrasings_lose_the_address(store_url):
    from kb.content.phrasing import fold
    from kb.ops import learning
    store = Store(store_url)
    learning.ensure_schema(store)
    copied = "paket an anna@gmx.de"
    rows = (("inbox", "request:1", "bitte an ANNA@gmx.de antworten", "de/a"),
            ("copy", f"copy:eva:{fold(copied)}", copied, "de/a"),
            ("copy", f"copy:eva:{fold(copied)}", copied, "de/b"),
            ("copy", f"copy:eva:{fold('paket an [email]')}", "paket an [email]", "de/b"),  # the same once erased
            ("inbox", "request:2", "frage von hanna@gmx.de", "de/a"))
    with store.transaction() as db:
        for kind, source, phrasing, article in rows:
            db.execute("INSERT INTO learning_evidence (at, kind, source, phrasing, lang, article_id, staff) "
                       "VALUES ('2026-11-01T10:00Z', ?, ?, ?, 'de', ?, 0)", (kind, source, phrasing, article))

    report = erase_address(store, ANNA)

    assert report.texts == 3
    left = sorted((r["source"], r["phrasing"], r["article_id"])
                  for r in store.query("SELECT source, phrasing, article_id FROM learning_evidence"))
    assert left == sorted([("request:1", "bitte an [email] antworten", "de/a"),
                           (f"copy:eva:{fold('paket an [email]')}", "paket an [email]", "de/a"),
                           (f"copy:eva:{fold('paket an [email]')}", "paket an [email]", "de/b"),
                           ("request:2", "frage von hanna@gmx.de", "de/a")])
    assert "anna gmx" not in json.dumps(left)


# how a deliverer of the previous release claims: it knows no ``cancelled`` column
OLD_RELEASE_CLAIM = "SELECT ref FROM handoff_outbox WHERE sent_at IS NULL AND next_at <= ?"
LONG_AFTER = 10**11  # the year 5138: any due time a deliverer could see, short of never


def test_a_hand_off_the_erasure_cancels_is_never_due_for_a_previous_release(store_url):
    """A replica of the previous release, beside the migrated schema in a rolling upgrade, would
    claim the cancelled row and send its emptied payload (KeyError 'ref' in its worker)."""
    store = Store(store_url)
    _shop(store)  # Anna's hand-off still on its way is cancelled
    waiting = _request(store, "eva@web.de", "300-1", sent=False)
    erase_address(store, ADDRESS)
    # only another customer's hand-off is still to be sent
    assert [r["ref"] for r in store.query(OLD_RELEASE_CLAIM, (LONG_AFTER,))] == [waiting]


def test_a_send_under_way_when_its_hand_off_is_cancelled_is_still_recorded(store_url):
    """The deliverer holding the row keeps its claim: a send that went out is recorded as
    delivered, a failed one leaves the row never due."""
    store = Store(store_url)
    sent, failed = _request(store, ADDRESS, "100-1", sent=False), _request(store, ADDRESS, "100-2", sent=False)
    box = Outbox(store)
    first, second = box.claim_next(), box.claim_next()
    erase_address(store, ADDRESS)
    by_ref = {first.ref: first, second.ref: second}
    assert box.mark_sent(by_ref[sent])
    assert box.mark_failed(by_ref[failed], "timeout") is not None
    states = box.states([sent, failed])
    assert (states[sent][0].state, states[failed][0].state) == ("delivered", "cancelled")
    assert store.query(OLD_RELEASE_CLAIM, (LONG_AFTER,)) == []


def test_a_hand_off_being_sent_is_reported_apart_not_as_cancelled(store_url):
    """A deliverer holding the row (leased, its lease not run out) already read the payload:
    the report says it may still arrive, not that the helpdesk never gets it."""
    store = Store(store_url)
    held, waiting = _request(store, ADDRESS, "100-1", sent=False), _request(store, ADDRESS, "100-2", sent=False)
    with store.transaction() as db:  # the second row is due later: the claim takes the first
        db.execute("UPDATE handoff_outbox SET next_at = next_at + 60 WHERE ref = ?", (waiting,))
    claim = Outbox(store).claim_next()
    assert claim.ref == held
    report = erase_address(store, ADDRESS, now=claim.leased_until - 1)
    assert (report.payloads, report.cancelled, report.being_sent) == (2, 1, 1)
    # its lease run out (the deliverer died): nothing is being sent any more
    assert erase_address(store, ADDRESS, now=claim.leased_until + 1).nothing


def test_the_erase_command_reports_a_hand_off_being_sent(store_url):
    store = Store(store_url)
    _request(store, ADDRESS, "100-1", sent=False)
    Outbox(store).claim_next()
    r = _kb("erase", "--email", ADDRESS, "--url", store_url)
    assert "       0  of them not yet delivered: cancelled" in r.output, r.output
    assert "       1  of them being sent at this moment: may still arrive" in r.output


def test_editors_decisions_and_hand_off_errors_lose_the_address(store_url):
    """An editor's decision on a phrasing, and a helpdesk's error quoting the reply address, are
    free text too: the whole address goes, in the phrasing and in its folded key."""
    from kb.content.phrasing import fold
    from kb.ops import learning
    store = Store(store_url)
    learning.ensure_schema(store)
    ref = _request(store, "eva@web.de", "500-1", sent=False)
    with store.transaction() as db:
        db.execute("UPDATE handoff_outbox SET last_error = ? WHERE ref = ?",
                   ("550 mailbox ANNA@gmx.de refused; hanna@gmx.de ok", ref))
        for article, phrasing in (("de/a", "paket an anna@gmx.de"), ("de/b", "paket an anna@gmx.de"),
                                  ("de/b", "paket an [email]"), ("de/c", "frage von hanna@gmx.de")):
            db.execute("INSERT INTO question_decisions (at, article_id, key, phrasing, decision) "
                       "VALUES ('2026-11-01T10:00Z', ?, ?, ?, 'rejected')", (article, fold(phrasing), phrasing))

    report = erase_address(store, ANNA)

    assert report.texts == 3
    assert store.query("SELECT last_error FROM handoff_outbox")[0]["last_error"] == \
        "550 mailbox [email] refused; hanna@gmx.de ok"
    left = sorted((r["article_id"], r["key"], r["phrasing"])
                  for r in store.query("SELECT article_id, key, phrasing FROM question_decisions"))
    erased = ("paket an [email]", fold("paket an [email]"))
    assert left == sorted([("de/a", erased[1], erased[0]), ("de/b", erased[1], erased[0]),
                           ("de/c", fold("frage von hanna@gmx.de"), "frage von hanna@gmx.de")])
