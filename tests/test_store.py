"""Masking personal data, and the SQLite store: complete writes or none, no lost rows."""
import json
import os
import sqlite3
import threading

import pytest

from kb.content.privacy import mask_pii
from kb.ops.database import (COMMENT_FULL, COMMENT_SAVED, COMMENT_UNKNOWN, MAX_COMMENT_CHARS, Store,
                             StoreUnavailable, merged_comment)


@pytest.mark.parametrize("text, gone, kept", [
    ("meine Bestellung HK-2026-1234567 ist weg", ["1234567"], ["meine Bestellung", "ist weg"]),
    ("ruf mich an: +49 40 1234 5670", ["1234", "5670"], ["ruf mich an"]),
    ("0171/2345678 oder 040 123 456 78", ["2345678", "123 456"], []),
    ("mail an max.muster@web.de bitte", ["max.muster", "web.de"], ["[email]", "bitte"]),
    ("Karte 4111 1111 1111 1111 belastet", ["4111"], ["Karte", "belastet"]),
    ("IBAN DE89 3704 0044 0532 0130 00", ["3704", "DE89"], ["IBAN"]),
    ("order 12345678", ["12345678"], ["order"]),
])
def test_mask_pii_removes_identifiers(text, gone, kept):
    masked = mask_pii(text)
    for g in gone:
        assert g not in masked, masked
    for k in kept:
        assert k in masked, masked


@pytest.mark.parametrize("text", [
    "can I send it back after 3 weeks", "Versandkosten 4,95 EUR ab 2026", "PLZ 20095 Hamburg",
    "Rückgabe innerhalb von 30 Tagen", "iPhone 15 Pro", ""])
def test_mask_pii_keeps_ordinary_questions(text):
    assert mask_pii(text) == text


def test_writes_are_masked_and_read_back(store_url):
    store = Store(store_url)
    token = store.log_search("Paket HK-2026-1234567 fehlt", "de", False, ["a", "b"], "portal")
    row = store.search_by_token(token)
    assert row["query"] == "Paket [code] fehlt" and json.loads(row["results"]) == ["a", "b"]
    ref = store.add_contact_request("Bitte an 0171 2345678 zurückrufen", "k@example.de", "de",
                                    row["query"], ["a"], token)
    req = store.query("SELECT * FROM contact_requests WHERE ref = ?", (ref,))[0]
    assert "2345678" not in req["question"] and req["email"] == "k@example.de" and req["status"] == "open"
    vote = store.add_feedback("a", False, None, "de")
    assert store.add_comment(vote, "fehlt: x@y.de") == COMMENT_SAVED
    assert store.query("SELECT comment FROM feedback")[0]["comment"] == "fehlt: [email]"
    store.count_view("a")
    store.count_view("a")
    assert store.query("SELECT views FROM article_views")[0]["views"] == 2


def test_a_comment_sent_again_keeps_every_word_and_overwrites_nothing(store_url):
    """A double tap, a reload, or Back with more typed: the comment is the customer's each
    time, so it is taken; nothing stored is replaced by a text without it."""
    store = Store(store_url)
    vote = store.add_feedback("a", False, None, "de")
    comment = lambda: store.query("SELECT comment FROM feedback WHERE token = ?", (vote,))[0]["comment"]
    assert store.add_comment(vote, "Tabelle fehlt") == COMMENT_SAVED
    assert store.add_comment(vote, "Tabelle fehlt") == COMMENT_SAVED and comment() == "Tabelle fehlt"
    assert store.add_comment(vote, "Tabelle fehlt. Und die Preise.") == COMMENT_SAVED
    assert comment() == "Tabelle fehlt. Und die Preise."
    assert store.add_comment(vote, "Auch der Link") == COMMENT_SAVED  # typed anew after Back: added below
    assert comment() == "Tabelle fehlt. Und die Preise.\n\nAuch der Link"
    assert store.add_comment(vote, "x" * MAX_COMMENT_CHARS) == COMMENT_FULL
    assert comment() == "Tabelle fehlt. Und die Preise.\n\nAuch der Link"
    assert store.add_comment("made-up", "spam") == COMMENT_UNKNOWN
    assert store.add_comment(vote, "   ") == COMMENT_UNKNOWN


@pytest.mark.parametrize("stored, new, merged", [
    (None, "neu", "neu"), ("alt", "alt", "alt"), ("alt", "alt und neu", "alt und neu"),
    ("alt und neu", "neu", "alt und neu"), ("alt", "anders", "alt\n\nanders")])
def test_merged_comment(stored, new, merged):
    assert merged_comment(stored, new) == merged


def test_comments_sent_at_the_same_moment_all_end_up_in_the_vote(store_url):
    """On PostgreSQL the sends' transactions run side by side: each waits for the vote's row,
    then adds to the comment the one before it stored instead of overwriting it."""
    store = Store(store_url)
    vote = store.add_feedback("a", False, None, "de")
    texts = [f"Punkt {n} fehlt" for n in range(6)]
    threads = [threading.Thread(target=store.add_comment, args=(vote, t)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stored = store.query("SELECT comment FROM feedback")[0]["comment"]
    assert sorted(stored.split("\n\n")) == texts


def test_concurrent_writers_lose_nothing(store_url):
    store = Store(store_url)

    def vote(n):
        for _ in range(25):
            store.add_feedback(f"article-{n}", True, None, "de")

    threads = [threading.Thread(target=vote, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert store.query("SELECT COUNT(*) AS n FROM feedback")[0]["n"] == 200


def test_locked_database_gives_a_retryable_error_and_writes_nothing(tmp_path):
    path = tmp_path / "kb.sqlite3"
    store = Store(path, timeout=0.2)
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    with pytest.raises(StoreUnavailable, match="not writable right now"):
        store.add_contact_request("Frage", None, "de", None, [])
    blocker.execute("ROLLBACK")
    blocker.close()
    assert store.query("SELECT COUNT(*) AS n FROM contact_requests")[0]["n"] == 0


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write to read-only files")
def test_read_only_database(tmp_path):
    path = tmp_path / "kb.sqlite3"
    Store(path)
    os.chmod(path, 0o444)
    with pytest.raises(StoreUnavailable):
        Store(path).add_feedback("a", True, None, "de")


def test_read_only_database_gives_a_clear_error_and_reads_still_work(tmp_path):
    """Read-only as the server would see it (a read-only mount); simulated with SQLite's mode=ro,
    because root ignores file permissions."""
    path = tmp_path / "kb.sqlite3"
    Store(path).add_feedback("a", True, None, "de")

    store = Store(path)

    def read_only_connect():
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=0.5, isolation_level=None)
        db.row_factory = sqlite3.Row
        return db
    store.backend.connect = read_only_connect
    store._local = threading.local()
    with pytest.raises(StoreUnavailable, match="not writable"):
        store.add_contact_request("Frage", None, "de", None, [])
    assert store.query("SELECT COUNT(*) AS n FROM feedback")[0]["n"] == 1
    assert store.query("SELECT COUNT(*) AS n FROM contact_requests")[0]["n"] == 0


def test_a_failed_write_leaves_no_transaction_open_on_the_kept_connection(store_url):
    store = Store(store_url)
    with pytest.raises(ZeroDivisionError):
        with store.transaction() as db:
            db.execute("INSERT INTO article_views (article_id, day, views) VALUES ('x', '2026-01-01', 1)")
            1 / 0
    store.count_view("y")  # the same thread's connection writes again: not stuck in a transaction
    rows = store.query("SELECT article_id FROM article_views ORDER BY article_id")
    assert [r["article_id"] for r in rows] == ["y"]
    other = Store(store_url, timeout=0.5)  # and another writer is not locked out
    other.count_view("z")
