"""Editor insights: top and unanswered searches, unhelpful articles, stats, deflection, SVG, CSV.

Every test seeds a real database (a SQLite file, and a PostgreSQL database) through
kb.ops.database.Store's write methods and then pins the rows' timestamps with plain
UPDATEs, so the period boundaries (first day included, the day before and the future
excluded) are exact.
"""
import csv
import io
import random
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest

from kb.ops import insights
from kb.ops.insights import (ArticleStat, CompetingArticles, DeflectionPoint, MissingWord, NotHelpfulArticle,
                         TopSearch, UnansweredGroup, article_stats, competing_articles, content_words, deflection,
                         deflection_svg, missing_words, not_helpful_articles, spreadsheet_for, to_csv, top_searches,
                         unanswered_groups)
from kb.ops.database import COMMENT_SAVED, Store

NOW = datetime(2026, 3, 18, 12, 0, tzinfo=timezone.utc)   # a Wednesday; days=30 starts 2026-02-17
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = '=HYPERLINK("http://evil.example","x") <script>alert("x")</script> & \'q\''


@pytest.fixture(autouse=True)
def _no_fsync(monkeypatch):
    """Keep the Store's real SQL but skip fsync per commit: tests stay fast on a busy disk."""
    connect = Store._connect

    @contextmanager
    def fast_connect(self):
        with connect(self) as db:
            if self.engine == "sqlite":
                db.execute("PRAGMA synchronous=OFF")
            yield db
    monkeypatch.setattr(Store, "_connect", fast_connect)


class Seed:
    """Writes through the Store, then moves each row to the wanted UTC minute."""

    def __init__(self, url):
        self.store = Store(url)

    def _set(self, sql, params):
        with self.store.transaction() as db:
            db.execute(sql, params)

    def search(self, query, at, answered=False, lang="de", results=("a",), hedged=False, channel="portal"):
        token = self.store.log_search(query, lang, answered, list(results), channel, hedged)
        self._set("UPDATE searches SET at = ? WHERE token = ?", (at, token))
        return token

    def vote(self, article, helpful, at, comment=None, search_token=None):
        token = self.store.add_feedback(article, helpful, comment, "de", search_token)
        self._set("UPDATE feedback SET at = ? WHERE token = ?", (at, token))
        return token

    def contact(self, at, search_token=None):
        ref = self.store.add_contact_request("Wo ist es?", None, "de", None, [], search_token)
        self._set("UPDATE contact_requests SET at = ? WHERE ref = ?", (at, ref))

    def views(self, article, day, n):
        self._set("INSERT INTO article_views (article_id, day, views) VALUES (?, ?, ?)", (article, day, n))


@pytest.fixture()
def seed(store_url):
    return Seed(store_url)


# -- empty database and arguments -------------------------------------------------------------
def test_empty_database_gives_empty_lists_and_gap_free_zero_buckets(store_url):
    store = Store(store_url)
    assert top_searches(store, now=NOW) == []
    assert unanswered_groups(store, now=NOW) == []
    assert not_helpful_articles(store, now=NOW) == []
    assert article_stats(store, now=NOW) == []
    days = deflection(store, 3, "day", now=NOW)
    assert days == [DeflectionPoint(d, d, d, 0, 0, 0, None) for d in ("2026-03-16", "2026-03-17", "2026-03-18")]
    weeks = deflection(store, 30, now=NOW)          # week is the default bucket
    assert [w.bucket for w in weeks] == ["2026-W08", "2026-W09", "2026-W10", "2026-W11", "2026-W12"]
    assert all(w.searches == w.helpful_searches == w.contact_requests == 0 and w.rate is None for w in weeks)
    root = ET.fromstring(deflection_svg(weeks))
    assert root.findall(f".//{SVG}rect") == []       # no data: gaps, not 0 % bars
    assert ET.fromstring(deflection_svg([])).tag == f"{SVG}svg"
    assert to_csv([]) == ""
    assert to_csv([], TopSearch) == "query,count,answered_share,last_seen\r\n"


@pytest.mark.parametrize("days", [0, -1, 1.5, True])
def test_period_must_be_positive_whole_days(store_url, days):
    store = Store(store_url)
    with pytest.raises(ValueError):
        top_searches(store, days, now=NOW)


def test_bad_bucket_and_bad_similarity_are_refused(store_url):
    store = Store(store_url)
    with pytest.raises(ValueError):
        deflection(store, 7, "month", now=NOW)
    with pytest.raises(ValueError):
        unanswered_groups(store, min_similarity=0, now=NOW)


def test_default_now_is_the_real_clock(store_url):
    store = Store(store_url)
    store.log_search("Versand  Kosten", "de", True, [], "api")
    store.count_view("versand")
    assert top_searches(store, 1) == [TopSearch("versand kosten", 1, 1.0, top_searches(store, 1)[0].last_seen)]
    assert article_stats(store, 1) == [ArticleStat("versand", 1, 0, 0, None)]


# -- 1. top searches ---------------------------------------------------------------------------
def test_top_searches_normalise_case_and_spaces_and_respect_the_period(seed):
    seed.search("Wo ist mein Paket?", "2026-03-10T08:00Z")
    seed.search("wo ist  mein paket? ", "2026-03-12T09:00Z", answered=True)
    seed.search("WO IST MEIN PAKET?", "2026-02-17T00:00Z")          # first minute of the period
    seed.search("Rücksendung", "2026-03-01T10:00Z", answered=True)
    seed.search("RÜCKSENDUNG", "2026-03-02T10:00Z", answered=True)  # only Python lowers Ü
    seed.search("Gutschein einlösen", "2026-03-05T10:00Z")
    seed.search("Versandkosten", "2026-03-06T10:00Z")
    seed.search("Wo ist mein Paket?", "2026-02-16T23:59Z")          # the day before: out
    seed.search("Gutschein einlösen", "2026-03-19T00:00Z")          # future: out
    assert top_searches(seed.store, 30, now=NOW) == [
        TopSearch("wo ist mein paket?", 3, 1 / 3, "2026-03-12T09:00Z"),
        TopSearch("rücksendung", 2, 1.0, "2026-03-02T10:00Z"),
        TopSearch("versandkosten", 1, 0.0, "2026-03-06T10:00Z"),     # tie on count: newest first
        TopSearch("gutschein einlösen", 1, 0.0, "2026-03-05T10:00Z"),
    ]
    assert [t.query for t in top_searches(seed.store, 30, 2, now=NOW)] == ["wo ist mein paket?", "rücksendung"]
    assert top_searches(seed.store, 1, now=NOW) == []


# -- 2. unanswered groups ----------------------------------------------------------------------
def test_content_words_fold_accents_drop_stop_words_and_stem():
    assert content_words("Wo ist mein Paket?") == {"paket"}
    assert content_words("Paket wo ist es") == {"paket"}
    assert content_words("Wo bleibt mein Paket") == {"bleibt", "paket"}
    assert content_words("Gutschein einlösen") == content_words("GUTSCHEINE einlosen!!") == {"gutschein", "einlos"}
    assert content_words("Where are my parcels?", "en") == {"parcel"}
    assert content_words("Bestellung [number] storniert") == content_words("Bestellungen storniert")
    assert content_words("wo ist es?") == {"wo", "ist", "es"}   # stop words only: keep them
    # a doubled letter counts once, so the commonest typo groups with the right spelling
    assert content_words("rückerstatung") == content_words("Ruckerstattung") == content_words("Rückerstattung")


def test_unanswered_searches_grouped_by_similar_wording(seed):
    for at in ("2026-03-01T10:00Z", "2026-03-02T10:00Z", "2026-03-03T10:00Z"):
        seed.search("Wo ist mein Paket?", at)
    seed.search("wo ist mein paket", "2026-03-04T10:00Z")
    seed.search("wo  ist mein paket ", "2026-03-05T10:00Z")         # same wording once spaces collapse
    seed.search("Paket wo ist es", "2026-03-06T10:00Z")
    seed.search("Wo bleibt mein Paket", "2026-03-07T10:00Z")        # Jaccard {bleibt, paket} / {paket} = 0.5
    seed.search("Gutschein einlösen", "2026-03-08T10:00Z")
    seed.search("Gutschein einlösen", "2026-03-09T10:00Z")
    seed.search("Gutscheine einlosen!", "2026-03-10T10:00Z")
    seed.search("Rücksendeetikett drucken Paket Retoure", "2026-03-12T10:00Z")   # 1/4 with {paket}: own group
    seed.search("Where is my parcel", "2026-03-13T10:00Z", lang="en")
    seed.search("parcels where?", "2026-03-14T10:00Z", lang="en")
    seed.search("Wo ist mein Paket?", "2026-03-11T10:00Z", answered=True)   # answered: not a gap
    seed.search("Wo ist mein Paket?", "2026-02-10T10:00Z")                  # before the period
    groups = unanswered_groups(seed.store, 30, now=NOW)
    assert groups == [
        UnansweredGroup("Wo ist mein Paket?", 7, 4,
                        ("Wo ist mein Paket?", "wo ist mein paket", "Wo bleibt mein Paket", "Paket wo ist es"),
                        ("paket",), "2026-03-07T10:00Z", "de"),
        UnansweredGroup("Gutschein einlösen", 3, 2, ("Gutschein einlösen", "Gutscheine einlosen!"),
                        ("einlos", "gutschein"), "2026-03-10T10:00Z", "de"),
        UnansweredGroup("parcels where?", 2, 2, ("parcels where?", "Where is my parcel"),
                        ("parcel",), "2026-03-14T10:00Z", "en"),  # the English article to write
        UnansweredGroup("Rücksendeetikett drucken Paket Retoure", 1, 1, ("Rücksendeetikett drucken Paket Retoure",),
                        ("druck", "paket", "retour", "rucksendetiket"), "2026-03-12T10:00Z", "de"),
    ]
    assert unanswered_groups(seed.store, 30, 1, now=NOW) == groups[:1]
    # with a stricter threshold "Wo bleibt mein Paket" is a gap of its own
    strict = unanswered_groups(seed.store, 30, now=NOW, min_similarity=0.6)
    assert [(g.representative, g.count) for g in strict][:2] == [("Wo ist mein Paket?", 6), ("Gutschein einlösen", 3)]
    assert ("Wo bleibt mein Paket", 1) in [(g.representative, g.count) for g in strict]


def test_a_pasted_message_is_grouped_by_a_bounded_number_of_its_words(seed):
    from kb.ops.insights.grouping import MAX_GROUPED_WORDS
    long_text = " ".join(f"wort{chr(97 + i)}" for i in range(MAX_GROUPED_WORDS + 6))
    seed.search(long_text, "2026-03-01T10:00Z")
    seed.search(long_text.upper() + "!", "2026-03-02T10:00Z")
    seed.search(long_text + " zusatzwort", "2026-03-03T10:00Z")  # one more word after the bound's words
    [group] = unanswered_groups(seed.store, 30, now=NOW)
    assert group.count == 3 and len(group.keywords) == MAX_GROUPED_WORDS


def test_a_group_shows_at_most_five_wordings_but_counts_all(seed):
    for i, word in enumerate(["Paket", "Paket?", "paket!", "PAKET", "Paket.", "Paket!!", "Pakete"]):
        for _ in range(7 - i):
            seed.search(word, f"2026-03-0{i + 1}T10:00Z")
    [group] = unanswered_groups(seed.store, 30, now=NOW)
    assert (group.count, group.variants) == (28, 7)
    assert group.wordings == ("Paket", "Paket?", "paket!", "PAKET", "Paket.")


def _naive_groups(rows, threshold):
    """Reference: greedy grouping scanning every group, as the docstring describes it."""
    count, last = {}, {}
    for text, at in rows:
        count[text] = count.get(text, 0) + 1
        last[text] = max(last.get(text, ""), at)
    clusters = {}
    for text in count:
        clusters.setdefault(content_words(text, "de"), []).append(text)
    c_count = {w: sum(count[t] for t in ts) for w, ts in clusters.items()}
    c_last = {w: max(last[t] for t in ts) for w, ts in clusters.items()}
    order = sorted(clusters, key=lambda w: sorted(w))
    order.sort(key=lambda w: c_last[w], reverse=True)
    order.sort(key=lambda w: c_count[w], reverse=True)
    reps, members = [], []
    for words in order:
        sims = [(len(words & r) / len(words | r), -g) for g, r in enumerate(reps)]
        best = max(sims, default=(0, 0))
        if best[0] >= threshold:
            members[-best[1]].append(words)
        else:
            reps.append(words)
            members.append([words])
    return sorted((sum(c_count[w] for w in m), tuple(sorted(r))) for r, m in zip(reps, members))


@pytest.mark.parametrize("threshold", [0.5, 0.34, 0.8])
def test_indexed_grouping_matches_a_full_scan(seed, threshold):
    rnd = random.Random(7)
    vocab = ["paket", "versand", "kosten", "gutschein", "rechnung", "konto", "retoure", "adresse", "farbe"]
    rows = []
    for i in range(400):
        text = " ".join(rnd.sample(vocab, rnd.choice([1, 1, 2, 2, 3, 4, 6])))
        at = f"2026-03-{1 + i % 17:02d}T{i % 24:02d}:{i % 60:02d}Z"
        rows.append((text, at))
    with seed.store.transaction() as db:   # one transaction, not 400
        db.executemany("INSERT INTO searches (token, at, query, lang, answered, results, channel) "
                       "VALUES (?, ?, ?, 'de', 0, '[]', 'portal')",
                       [(f"t{i}", at, text) for i, (text, at) in enumerate(rows)])
    got = unanswered_groups(seed.store, 30, None, now=NOW, min_similarity=threshold)
    assert sorted((g.count, g.keywords) for g in got) == _naive_groups(rows, threshold)
    assert sum(g.count for g in got) == 400


# -- 3. not helpful articles -------------------------------------------------------------------
def _seed_votes(seed):
    for i in range(1, 7):
        seed.vote("retoure", False, f"2026-03-0{i}T10:00Z", comment=f"c{i}")
    seed.vote("retoure", True, "2026-03-07T10:00Z")
    seed.vote("retoure", True, "2026-03-07T10:00Z", comment="prima")
    seed.vote("versand", False, "2026-03-01T10:00Z", comment="zu kurz")
    seed.vote("versand", False, "2026-03-02T10:00Z")
    seed.vote("versand", False, "2026-03-03T10:00Z", comment="Kosten fehlen")
    seed.vote("versand", True, "2026-03-04T10:00Z", comment="gut")          # a "yes" comment: not listed
    seed.vote("versand", False, "2026-02-01T10:00Z", comment="alt")         # before the period
    for i in range(3):
        token = seed.vote("konto", False, "2026-03-05T10:00Z")
    assert seed.store.add_comment(token, "Passwort-Link kaputt") == COMMENT_SAVED  # comment added later
    seed.vote("zahlung", True, "2026-03-05T10:00Z")
    seed.vote("zahlung", True, "2026-03-06T10:00Z")


def test_competing_articles_count_hedged_searches_per_pair_in_the_period(seed):
    hedged = dict(answered=True, hedged=True)
    seed.search("Rechnung zahlen", "2026-03-10T09:00Z", results=("zahlung", "rechnung", "x"), **hedged)
    seed.search("rechnung  zahlen", "2026-03-12T09:00Z", results=("rechnung", "zahlung"), **hedged)
    seed.search("auf Rechnung kaufen", "2026-03-11T09:00Z", results=("zahlung", "rechnung"), **hedged)
    seed.search("paket weg", "2026-03-13T09:00Z", results=("verfolgen", "lieferzeit"), **hedged)
    seed.search("Rechnung zahlen", "2026-03-14T09:00Z", results=("zahlung", "rechnung"), answered=True)  # no hedge
    seed.search("Rechnung zahlen", "2026-02-16T23:59Z", results=("zahlung", "rechnung"), **hedged)  # before
    seed.search("nur eins", "2026-03-13T09:00Z", results=("zahlung",), **hedged)  # nothing to compete with
    rows = competing_articles(seed.store, 30, now=NOW)
    assert rows == [
        CompetingArticles("zahlung", "rechnung", 3, ("rechnung zahlen", "auf rechnung kaufen"), "2026-03-12T09:00Z"),
        CompetingArticles("verfolgen", "lieferzeit", 1, ("paket weg",), "2026-03-13T09:00Z")]
    assert competing_articles(seed.store, 30, limit=1, now=NOW) == rows[:1]
    exported = _parse(to_csv(rows, CompetingArticles))
    assert exported[0] == ["article_id", "other_article_id", "count", "wordings", "last_seen"]


def test_not_helpful_articles_with_votes_ratio_and_latest_comments(seed):
    _seed_votes(seed)
    assert not_helpful_articles(seed.store, 30, now=NOW) == [
        NotHelpfulArticle("retoure", 6, 2, 0.25, ("c6", "c5", "c4", "c3", "c2")),
        NotHelpfulArticle("konto", 3, 0, 0.0, ("Passwort-Link kaputt",)),    # tie on "no": lower ratio first
        NotHelpfulArticle("versand", 3, 1, 0.25, ("Kosten fehlen", "zu kurz")),
    ]
    assert [a.article_id for a in not_helpful_articles(seed.store, 30, 1, now=NOW)] == ["retoure"]
    assert not_helpful_articles(seed.store, 30, 0, now=NOW) == []


# -- 4. article stats --------------------------------------------------------------------------
def test_article_stats_views_and_votes_in_the_period(seed):
    _seed_votes(seed)
    seed.views("versand", "2026-03-01", 10)
    seed.views("versand", "2026-03-18", 5)
    seed.views("versand", "2026-02-16", 100)     # before the period
    seed.views("retoure", "2026-03-02", 7)
    seed.views("hilfe", "2026-02-17", 7)         # first day of the period
    assert article_stats(seed.store, 30, now=NOW) == [
        ArticleStat("versand", 15, 1, 3, 0.25),
        ArticleStat("hilfe", 7, 0, 0, None),
        ArticleStat("retoure", 7, 2, 6, 0.25),
        ArticleStat("konto", 0, 0, 3, 0.0),
        ArticleStat("zahlung", 0, 2, 0, 1.0),
    ]
    assert article_stats(seed.store, 30, 2, now=NOW) == article_stats(seed.store, 30, now=NOW)[:2]


# -- 5. deflection -----------------------------------------------------------------------------
def _seed_deflection(seed):
    s1 = seed.search("paket", "2026-03-10T08:00Z", answered=True)
    seed.vote("a", True, "2026-03-10T08:05Z", search_token=s1)
    seed.vote("b", True, "2026-03-10T08:06Z", search_token=s1)      # same search: counts once
    s2 = seed.search("paket", "2026-03-10T09:00Z", answered=True)
    seed.vote("a", False, "2026-03-10T09:05Z", search_token=s2)     # not helpful: no
    s3 = seed.search("paket", "2026-03-10T23:59Z", answered=True)
    seed.vote("a", True, "2026-03-11T00:10Z", search_token=s3)      # counts on the search's day
    seed.search("gutschein", "2026-03-12T10:00Z")
    s5 = seed.search("paket", "2026-03-09T23:59Z", answered=True)   # before the period
    seed.vote("a", True, "2026-03-10T00:05Z", search_token=s5)
    seed.vote("a", True, "2026-03-10T10:00Z")                        # vote without a search
    seed.vote("a", True, "2026-03-10T10:00Z", search_token="no-such-search")
    s6 = seed.search("konto", "2026-03-17T10:00Z", answered=True)
    seed.vote("c", True, "2026-03-17T10:05Z", search_token=s6)
    seed.contact("2026-03-10T12:00Z", s2)
    seed.contact("2026-03-12T12:00Z")
    seed.contact("2026-03-12T13:00Z")
    seed.contact("2026-03-16T09:00Z")
    seed.contact("2026-03-09T09:00Z")                                # before the period


def test_deflection_per_day_has_every_day_and_exact_rates(seed):
    _seed_deflection(seed)
    points = deflection(seed.store, 9, "day", now=NOW)

    def day(d, searches, helpful, contacts, rate):
        return DeflectionPoint(d, d, d, searches, helpful, contacts, rate)
    assert points == [
        day("2026-03-10", 3, 2, 1, 2 / 3),
        day("2026-03-11", 0, 0, 0, None),
        day("2026-03-12", 1, 0, 2, 0.0),
        day("2026-03-13", 0, 0, 0, None),
        day("2026-03-14", 0, 0, 0, None),
        day("2026-03-15", 0, 0, 0, None),
        day("2026-03-16", 0, 0, 1, 0.0),
        day("2026-03-17", 1, 1, 0, 1.0),
        day("2026-03-18", 0, 0, 0, None),
    ]


def test_deflection_days_are_the_shops_days_in_its_time_zone(seed):
    from zoneinfo import ZoneInfo
    s1 = seed.search("paket", "2026-03-11T23:30Z")   # 00:30 on the 12th in Berlin (winter: UTC+1)
    seed.vote("a", True, "2026-03-11T23:40Z", search_token=s1)
    seed.contact("2026-03-17T23:10Z")                # 00:10 on the 18th in Berlin
    seed.contact("2026-03-09T23:05Z")                # the 10th in Berlin: inside a period starting on it
    berlin = deflection(seed.store, 9, "day", now=NOW, zone=ZoneInfo("Europe/Berlin"))
    assert [(p.start, p.searches, p.helpful_searches, p.contact_requests) for p in berlin if p.searches
            or p.contact_requests] == [("2026-03-10", 0, 0, 1), ("2026-03-12", 1, 1, 0), ("2026-03-18", 0, 0, 1)]
    utc = deflection(seed.store, 9, "day", now=NOW)  # the same searches in UTC days
    assert [(p.start, p.searches, p.contact_requests) for p in utc if p.searches or p.contact_requests] == [
        ("2026-03-11", 1, 0), ("2026-03-17", 0, 1)]


def test_every_table_counts_the_shops_days_in_its_time_zone(seed):
    """Today only (days=1) at 00:45 in Berlin: what happened since midnight there, not since
    midnight UTC (an hour earlier in winter: 23:00 UTC the day before)."""
    from zoneinfo import ZoneInfo
    berlin, now = ZoneInfo("Europe/Berlin"), datetime(2026, 3, 17, 23, 45, tzinfo=timezone.utc)
    seed.search("paket weg", "2026-03-17T23:30Z")                         # 00:30 on the 18th in Berlin
    seed.search("rechnung", "2026-03-17T22:30Z")                          # 23:30 on the 17th in Berlin
    seed.search("paket verloren", "2026-03-17T23:20Z", hedged=True, results=("a", "b"))
    seed.vote("a", False, "2026-03-17T23:40Z", comment="fehlt")
    seed.vote("b", False, "2026-03-17T22:40Z")
    for _ in range(4):
        seed.store.count_view("a", date(2026, 3, 18))                     # the portal passes the shop's day
    assert sorted(t.query for t in top_searches(seed.store, 1, now=now, zone=berlin)) == ["paket verloren", "paket weg"]
    assert {t.query for t in top_searches(seed.store, 1, now=now)} == {"paket weg", "rechnung", "paket verloren"}
    assert [a.article_id for a in not_helpful_articles(seed.store, 1, now=now, zone=berlin)] == ["a"]
    assert article_stats(seed.store, 1, now=now, zone=berlin) == [ArticleStat("a", 4, 0, 1, 0.0)]
    assert [c.article_id for c in competing_articles(seed.store, 1, now=now, zone=berlin)] == ["a"]
    grouped = unanswered_groups(seed.store, 1, now=now, zone=berlin)
    assert sorted(w for g in grouped for w in g.wordings) == ["paket verloren", "paket weg"]


@pytest.mark.parametrize("zone, now, days, expected", [
    # the 29th of March 2026 has 23 hours in Berlin (clocks go forward at 02:00)
    ("Europe/Berlin", datetime(2026, 3, 29, 12, 0, tzinfo=timezone.utc), 1,
     ("2026-03-28T23:00Z", "2026-03-29T22:00Z")),
    ("Europe/Berlin", datetime(2026, 10, 25, 12, 0, tzinfo=timezone.utc), 1,      # 25 hours
     ("2026-10-24T22:00Z", "2026-10-25T23:00Z")),
    ("Asia/Kathmandu", datetime(2026, 3, 18, 20, 0, tzinfo=timezone.utc), 2,      # UTC+5:45: already the 19th
     ("2026-03-17T18:15Z", "2026-03-19T18:15Z")),
    ("America/New_York", datetime(2026, 3, 18, 2, 0, tzinfo=timezone.utc), 1,     # still the 17th there
     ("2026-03-17T04:00Z", "2026-03-18T04:00Z")),
])
def test_the_shops_days_are_bounded_at_its_midnights(zone, now, days, expected):
    from zoneinfo import ZoneInfo

    from kb.ops.insights.period import bounds
    assert bounds(days, now, ZoneInfo(zone)) == expected
    assert bounds(days, now) == ((now.date() - timedelta(days=days - 1)).isoformat(),
                                 (now.date() + timedelta(days=1)).isoformat())  # UTC days, plain dates


def test_deflection_per_iso_week_clipped_to_the_period(seed):
    _seed_deflection(seed)
    assert deflection(seed.store, 9, "week", now=NOW) == [
        DeflectionPoint("2026-W11", "2026-03-10", "2026-03-15", 4, 2, 3, 0.4),
        DeflectionPoint("2026-W12", "2026-03-16", "2026-03-18", 1, 1, 1, 0.5),
    ]
    # across a year boundary the ISO week's year is used (2025-12-29 is in 2026-W01)
    new_year = deflection(seed.store, 7, "week", now=datetime(2026, 1, 2, 8, 0, tzinfo=timezone.utc))
    assert [(p.bucket, p.start, p.end) for p in new_year] == [
        ("2025-W52", "2025-12-27", "2025-12-28"), ("2026-W01", "2025-12-29", "2026-01-02")]


# -- 6. SVG ------------------------------------------------------------------------------------
def _svg_checks(markup):
    root = ET.fromstring(markup)                       # well-formed XML or this raises
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    ids = {el.get("id"): el for el in root.iter() if el.get("id")}
    label_ids = root.get("aria-labelledby").split()
    assert [ids[i].tag for i in label_ids] == [f"{SVG}title", f"{SVG}desc"]
    for el in root.iter():
        assert "style" not in el.attrib and not any(a.startswith("on") for a in el.attrib), el.attrib
        assert not el.tag.endswith(("script", "style", "foreignObject", "image", "use", "a"))
        assert not any("href" in a for a in el.attrib)
    assert "<script" not in markup and "javascript:" not in markup
    return root


def test_svg_chart_is_accessible_has_gridlines_and_leaves_gaps(seed):
    _seed_deflection(seed)
    points = deflection(seed.store, 9, "day", now=NOW)
    root = _svg_checks(deflection_svg(points))
    assert root.get("width") == "640" and root.get("height") == "220"
    assert root.find(f"{SVG}title").text == "Deflection rate"
    desc = root.find(f"{SVG}desc").text
    assert "2026-03-10: 67 % (2/3)" in desc and "2026-03-11: no data" in desc and "2026-03-17: 100 % (1/1)" in desc
    grid = [t.text for t in root.iter(f"{SVG}text") if t.text.endswith("%")]
    assert grid == ["0 %", "25 %", "50 %", "75 %", "100 %"]
    lines = root.findall(f".//{SVG}line")
    assert len(lines) == 5
    y_of = {int(t.text[:-2]): float(t.get("y")) for t in root.iter(f"{SVG}text") if t.text.endswith("%")}
    bars = root.findall(f".//{SVG}rect")
    # one bar per bucket that has a rate (0 % included, drawn as a thin bar); None buckets are gaps
    assert [b.find(f"{SVG}title").text for b in bars] == [
        "2026-03-10: 67 %", "2026-03-12: 0 %", "2026-03-16: 0 %", "2026-03-17: 100 %"]
    full = bars[3]
    assert float(full.get("y")) == pytest.approx(y_of[100])
    assert float(full.get("y")) + float(full.get("height")) == pytest.approx(y_of[0])
    assert 0 < float(bars[1].get("height")) < 3
    two_thirds = float(bars[0].get("height")) / (y_of[0] - y_of[100])
    assert two_thirds == pytest.approx(2 / 3, abs=0.01)
    # bars sit in their bucket's slot, left to right
    xs = [float(b.get("x")) for b in bars]
    assert xs == sorted(xs) and xs[0] < xs[1] < xs[2] < xs[3]


def test_svg_escapes_hostile_text_and_localises(seed):
    _seed_deflection(seed)
    points = deflection(seed.store, 9, "week", now=NOW)
    markup = deflection_svg(points, 400, 160, labels=[HOSTILE, "KW 12"], title="</title><script>x</script>",
                            no_data="keine Daten", id_prefix='chart" onload="x')
    root = _svg_checks(markup)
    assert root.find(f"{SVG}title").text == "</title><script>x</script>"
    axis = [t.text for t in root.iter(f"{SVG}text") if not t.text.endswith("%")]
    assert axis == [HOSTILE, "KW 12"]
    assert HOSTILE in root.find(f"{SVG}desc").text
    assert root.get("width") == "400" and root.get("viewBox") == "0 0 400 160"
    assert not any(a.startswith("on") for el in root.iter() for a in el.attrib)
    with pytest.raises(ValueError):
        deflection_svg(points, labels=["only one"])


def test_svg_thins_out_axis_labels_when_many_buckets(store_url):
    store = Store(store_url)
    points = deflection(store, 60, "day", now=NOW)
    root = _svg_checks(deflection_svg(points))
    axis = [t.text for t in root.iter(f"{SVG}text") if not t.text.endswith("%")]
    assert axis[0] == points[0].start and 4 <= len(axis) <= 10
    assert len(root.find(f"{SVG}desc").text.split("; ")) == 60


# -- 7. CSV ------------------------------------------------------------------------------------
def _parse(text):
    return list(csv.reader(io.StringIO(text)))


def test_csv_header_lists_numbers_and_formula_guard(seed):
    _seed_votes(seed)
    seed.vote("versand", False, "2026-03-05T10:00Z", comment=HOSTILE)
    seed.vote("versand", False, "2026-03-05T10:01Z", comment="-1 Stern, @support, +49")
    text = to_csv(not_helpful_articles(seed.store, 30, now=NOW))
    assert text.endswith("\r\n")
    rows = _parse(text)
    assert rows[0] == ["article_id", "no_votes", "yes_votes", "helpful_ratio", "comments"]
    assert rows[1] == ["retoure", "6", "2", "0.25", "c6 | c5 | c4 | c3 | c2"]
    assert rows[2] == ["versand", "5", "1", "0.1667",
                       "'-1 Stern, @support, +49 | " + HOSTILE + " | Kosten fehlen | zu kurz"]
    assert rows[3] == ["konto", "3", "0", "0.0", "Passwort-Link kaputt"]


def test_csv_for_a_german_spreadsheet_splits_at_semicolons_with_decimal_commas_and_local_times():
    from zoneinfo import ZoneInfo
    rows = [TopSearch("rücksendung; kosten", 4, 0.25, "2026-07-01T08:31Z"), TopSearch("-1 euro?", 1, -0.5, "x")]
    german = to_csv(rows, sheet=spreadsheet_for("de", ZoneInfo("Europe/Berlin")))
    assert list(csv.reader(io.StringIO(german), delimiter=";")) == [
        ["query", "count", "answered_share", "last_seen"],
        ["rücksendung; kosten", "4", "0,25", "2026-07-01 10:31"],   # summer: UTC+2
        ["'-1 euro?", "1", "-0,5", "x"]]                            # text guarded, numbers not
    english = to_csv(rows, sheet=spreadsheet_for("en", ZoneInfo("Europe/Berlin")))
    assert _parse(english)[1] == ["rücksendung; kosten", "4", "0.25", "2026-07-01 10:31"]
    assert _parse(to_csv(rows))[1] == ["rücksendung; kosten", "4", "0.25", "2026-07-01T08:31Z"]
    third = [TopSearch("paket", 3, 1 / 3, "x")]  # a share as people read it, not as a float is stored
    german_third = to_csv(third, sheet=spreadsheet_for("de", ZoneInfo("Europe/Berlin")))
    assert list(csv.reader(io.StringIO(german_third), delimiter=";"))[1] == ["paket", "3", "0,3333", "x"]


@pytest.mark.parametrize("prefix", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_guards_every_formula_start(prefix):
    text = to_csv([TopSearch(prefix + "SUM(A1:A9)", 2, 0.5, "2026-03-01T10:00Z")])
    assert _parse(text)[1] == ["'" + prefix + "SUM(A1:A9)", "2", "0.5", "2026-03-01T10:00Z"]


def test_csv_keeps_numbers_numeric_and_none_empty():
    @dataclass(frozen=True)
    class Row:
        n: int
        x: float
        maybe: float | None
        flag: bool
        tags: tuple

    rows = _parse(to_csv([Row(-3, -0.5, None, True, ("=a", "b"))]))
    assert rows == [["n", "x", "maybe", "flag", "tags"], ["-3", "-0.5", "", "1", "'=a | b"]]
    with pytest.raises(TypeError):
        to_csv([Row(1, 1.0, None, False, ()), TopSearch("a", 1, 1.0, "x")])
    with pytest.raises(TypeError):
        to_csv([{"a": 1}])


def test_hostile_query_survives_the_whole_way_to_csv(seed):
    seed.search(HOSTILE, "2026-03-10T08:00Z")
    seed.search("Paket, \"schnell\"\nbitte", "2026-03-10T09:00Z")
    rows = _parse(to_csv(top_searches(seed.store, 30, now=NOW)))
    cells = {r[0] for r in rows[1:]}
    assert "'" + HOSTILE.lower() in cells
    assert 'paket, "schnell" bitte' in cells      # whitespace collapsed; comma and quotes round-trip
    groups = _parse(to_csv(unanswered_groups(seed.store, 30, now=NOW)))
    assert groups[0] == ["representative", "count", "variants", "wordings", "keywords", "last_seen", "lang"]
    assert {r[0] for r in groups[1:]} == {"'" + HOSTILE, 'Paket, "schnell" bitte'}


def test_everything_is_exported(seed):
    assert set(insights.__all__) >= {"top_searches", "unanswered_groups", "competing_articles", "not_helpful_articles",
                                     "article_stats", "deflection", "deflection_svg", "to_csv", "missing_words"}


# -- customers' words no article uses ---------------------------------------------------------
UNUSED = {"newsletter", "abstottern", "leaflet"}


def unused(word, lang):
    return word if word in UNUSED else None


def test_missing_words_counts_searches_and_names_the_article_voted_helpful(seed):
    shown = ("de/gartenpost", "de/konto")
    first = seed.search("Newsletter abbestellen", "2026-03-10T08:00Z", answered=True, results=shown)
    seed.vote("de/gartenpost", True, "2026-03-10T08:01Z", search_token=first)
    seed.vote("de/konto", True, "2026-03-10T08:02Z", search_token=first)   # one search, two votes: one search
    second = seed.search("wie melde ich mich vom newsletter ab", "2026-03-11T08:00Z", results=shown)
    seed.vote("de/gartenpost", True, "2026-03-11T08:01Z", search_token=second)
    seed.vote("de/konto", False, "2026-03-11T08:02Z", search_token=second)  # not helpful: no evidence
    third = seed.search("newsletter abbestellen", "2026-03-12T08:00Z", results=("de/konto",))
    seed.vote("de/impressum", True, "2026-03-12T08:01Z", search_token=third)  # not shown by that search
    seed.search("sofa abstottern", "2026-03-12T09:00Z", lang="de")
    seed.search("newsletter", "2026-02-16T23:59Z")                          # the day before the period
    seed.search("newsletter kündigen", "2026-03-12T10:00Z", channel="agent")  # staff, not customers
    seed.search("[email] newsletter [number] abbestellen", "2026-03-13T08:00Z")
    rows = missing_words(seed.store, 30, reads_as=unused, now=NOW)
    assert rows[0] == MissingWord(
        word="newsletter", other_spellings=(), count=4, answered_share=0.25,
        wordings=("newsletter abbestellen", "[email] newsletter [number] abbestellen",
                  "wie melde ich mich vom newsletter ab"),
        article_id="de/gartenpost", helpful_votes=2, last_seen="2026-03-13T08:00Z")
    assert rows[1] == MissingWord("abstottern", (), 1, 0.0, ("sofa abstottern",), None, 0, "2026-03-12T09:00Z")
    assert len(rows) == 2   # "sofa", "abbestellen", stop words and placeholders are no unused words here


def test_missing_words_asks_about_each_word_once_and_only_about_words(seed):
    seed.search("Wie kann ich die Rechnung 2x abstottern?", "2026-03-10T08:00Z")
    seed.search("rechnung abstottern", "2026-03-10T09:00Z", lang="en")
    seed.search("i cant abstottern, dont know how", "2026-03-10T10:00Z")   # contractions without "'"
    asked = []

    def record(word, lang):
        asked.append((word, lang))
        return word if word == "abstottern" else None
    rows = missing_words(seed.store, 30, limit=1, reads_as=record, now=NOW)
    assert [r.word for r in rows] == ["abstottern"] and rows[0].count == 3
    assert sorted(asked) == [("abstottern", "de"), ("abstottern", "en"), ("know", "de"), ("rechnung", "de"),
                             ("rechnung", "en")]
    with pytest.raises(ValueError):
        missing_words(seed.store, 30, limit=-1, reads_as=record, now=NOW)


def test_missing_words_are_one_row_per_word_in_the_spellings_customers_typed(seed):
    """Forms of one word are one row, named by the most frequent spelling the search reads as
    typed; a typo counts for the word it is read as, and a search counts once per row."""
    read = {"gutschein": "gutschein", "gutscheine": "gutscheine", "gutscheins": "gutscheins",
            "gutschien": "gutschein", "leaflets": "leaflets", "leaflet": "leaflet", "leaflte": "leaflet"}
    seed.search("Gutscheine einlösen", "2026-03-10T08:00Z")
    seed.search("gutscheine", "2026-03-10T09:00Z")
    seed.search("gutschein gutscheins", "2026-03-11T09:00Z", results=("de/gutschein",))  # one search, two forms
    seed.search("gutschien", "2026-03-11T10:00Z", answered=True)                          # a typo of the word
    seed.search("leaflte", "2026-03-12T08:00Z", lang="en")
    seed.search("leaflte", "2026-03-12T09:00Z", lang="en")           # typed with a typo only: as read
    seed.search("leaflets", "2026-03-12T10:00Z", lang="en")
    rows = missing_words(seed.store, 30, reads_as=lambda w, lang: read.get(w), now=NOW)
    assert rows[0] == MissingWord(
        word="gutscheine", other_spellings=("gutschein", "gutscheins", "gutschien"), count=4, answered_share=0.25,
        wordings=("gutschein gutscheins", "gutscheine", "gutscheine einlösen"), article_id=None, helpful_votes=0,
        last_seen="2026-03-11T10:00Z")
    assert (rows[1].word, rows[1].other_spellings, rows[1].count) == ("leaflets", ("leaflte",), 3)
    assert len(rows) == 2


# -- 8. found by learned questions --------------------------------------------------------------
def test_learned_effect_counts_customer_searches_by_an_accepted_phrasing(seed):
    """On both engines (PostgreSQL has no strftime): only searches after the decision, in the
    window, by customers, that showed the article first."""
    from kb.ops import learning
    store = seed.store
    store.log_search("Wo ist mein Paket", "de", True, ["de/sendung"], "portal")      # before the decision
    learning.decide(store, "de/sendung", "wo ist mein paket", "accepted", "eva")
    for query, first, channel in (("wo ist mein Paket?", "de/sendung", "portal"),
                                  ("Wo ist mein Paket", "de/sendung", "api"),
                                  ("wo ist mein paket", "de/sendung", "agent"),       # staff: not counted
                                  ("wo ist mein paket", "de/lieferzeit", "portal")):  # another article first
        store.log_search(query, "de", True, [first, "x"], channel)
    old = seed.search("wo ist mein paket", "2026-01-01T10:00Z", results=("de/sendung",))  # outside the window
    assert old
    effects = insights.learned_effect(store, 30)
    assert [(e.article_id, e.searches, e.phrasings) for e in effects] == [("de/sendung", 2, ("wo ist mein paket",))]


# -- a search whose wording a purge cleared --------------------------------------------------------
def test_a_search_without_its_wording_is_in_no_list_of_wordings(seed):
    """A purge keeps the newest old search with its wording cleared (kb/ops/retention.py): no
    report lists an empty wording for it, even where the row still says what it showed."""
    from kb.ops import learning
    from kb.ops.retention import purge
    seed.search("paket fehlt", "2026-03-10T08:00Z", results=("de/a", "de/b"), hedged=True)
    token = seed.search("wo ist mein paket", "2025-10-01T08:00Z", results=("de/a", "de/b"), hedged=True)
    learning.decide(seed.store, "de/a", "", "accepted", "eva")
    purge(seed.store, 90, now=NOW)
    assert seed.store.search_by_token(token)["query"] == ""
    seed._set("UPDATE searches SET results = ? WHERE token = ?", ('["de/a", "de/b"]', token))

    days = 365
    assert [t.query for t in top_searches(seed.store, days, now=NOW)] == ["paket fehlt"]
    assert [w for g in unanswered_groups(seed.store, days, now=NOW) for w in g.wordings] == ["paket fehlt"]
    assert [c.wordings for c in competing_articles(seed.store, days, now=NOW)] == [("paket fehlt",)]
    assert [m.wordings for m in missing_words(seed.store, days, reads_as=lambda w, lang: w, now=NOW)] == \
        [("paket fehlt",), ("paket fehlt",)]
    assert [e.searches for e in insights.learned_effect(seed.store, days, now=NOW)] == [0]


# -- staff searches ----------------------------------------------------------------------------
def test_staff_searches_and_their_votes_are_left_out_of_every_customer_figure(seed):
    """An agent or editor signed in on the portal searches as channel 'agent': trying things out
    is no customer's need. Top searches, unanswered, competing, the chart (also its hours kept
    after the retention period), votes and their comments count customers only."""
    from kb.ops.retention import purge
    staff = dict(channel="agent")
    seed.search("Wo ist mein Paket?", "2026-03-10T08:00Z", answered=True, results=("versand",))
    customer = seed.search("Kulanz Kratzer", "2026-03-10T09:00Z")
    seed.vote("versand", True, "2026-03-10T09:01Z", search_token=customer)
    for minute in ("10", "11", "12"):
        seed.search("Kulanz Kratzer", f"2026-03-10T09:{minute}Z", **staff)
    tried = seed.search("Rechnung zahlen", "2026-03-10T10:00Z", answered=True, hedged=True,
                        results=("zahlung", "rechnung"), **staff)
    seed.vote("zahlung", True, "2026-03-10T10:01Z", search_token=tried)
    seed.vote("rechnung", False, "2026-03-10T10:02Z", comment="nur getestet", search_token=tried)
    assert [(t.query, t.count) for t in top_searches(seed.store, 30, now=NOW)] == [
        ("kulanz kratzer", 1), ("wo ist mein paket?", 1)]
    assert [(g.representative, g.count) for g in unanswered_groups(seed.store, 30, now=NOW)] == [("Kulanz Kratzer", 1)]
    assert competing_articles(seed.store, 30, now=NOW) == []
    assert not_helpful_articles(seed.store, 30, now=NOW) == []
    assert {s.article_id: (s.yes_votes, s.no_votes) for s in article_stats(seed.store, 30, now=NOW)} == {
        "versand": (1, 0)}
    day = next(p for p in deflection(seed.store, 9, "day", now=NOW) if p.start == "2026-03-10")
    assert (day.searches, day.helpful_searches) == (2, 1)
    purge(seed.store, 1, now=NOW)  # the searches go; their hours keep customers' counts
    day = next(p for p in deflection(seed.store, 9, "day", now=NOW) if p.start == "2026-03-10")
    assert (day.searches, day.helpful_searches) == (2, 1)
