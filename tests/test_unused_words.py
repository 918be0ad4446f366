"""The editors' missing-vocabulary report asks the real index of the fixture help centre which
customer words stand for a word no article uses (kb/search/unused_words.py), each word read
as the search reads it (kb/search/word_reading.py). The index is built with the fake encoders:
the words, their analysis and the speller do not depend on the models.

The report on real stored searches (masked as the store keeps them) shows the words as the
customers typed them, one row per word with its forms and spellings, and no word the search
read as an article's word."""

import pytest

from kb.ops.database import Store
from kb.ops.insights import missing_words
from kb.search.unused_words import missing_word_reader
from kb.search.word_reading import WordReading
from search_helpers import fake_engine  # noqa: F401 (a fixture)


@pytest.fixture(scope="module")
def reads_as(fake_engine):  # noqa: F811 (the fixture)
    return missing_word_reader(fake_engine.index, fake_engine.read_word)


@pytest.mark.parametrize("word, lang", [("newsletter", "de"), ("abstottern", "de"), ("leaflet", "en"),
                                        ("newsletter", None),
                                        ("rücksendeetikett", "de")])  # a compound no dictionary holds
def test_a_real_word_no_article_uses_stands_for_itself(reads_as, word, lang):
    assert reads_as(word, lang) == word


@pytest.mark.parametrize("typed, lang, meant", [
    ("newsleter", "de", "newsletter"),                # a typo the search repairs, of a missing word
    ("rückerstatung", "de", "rückerstattung"),
    ("ruecksendeetikett", "de", "rücksendeetikett"),  # typed without umlauts
])
def test_a_word_stands_for_the_missing_word_the_search_reads_it_as(reads_as, typed, lang, meant):
    assert reads_as(typed, lang) == meant


@pytest.mark.parametrize("word, lang", [
    ("pakete", "de"),          # the articles say "Paket": a form of the word is used
    ("retourenpakete", "de"),  # its parts are the articles' words
    ("returns", "en"),         # used by the articles
    ("lieferzeit", "de"),      # a tag of an article
    ("rücksenden", "de"),
    ("retourenlabl", "de"),    # a typo the search reads as the articles' "retourenlabel": answered
    ("lapel", "de"),           # an English word the speller reads as the articles' "label"
    ("ruckgabe", "de"),        # the articles' "rückgabe" without its dots
    ("rechnugsadresse", "de"),  # a typo the search cannot repair: no word
    ("xyzzy", "en"),           # no word of any language
    ("gestern", "de"),         # everyday words say nothing about a topic
    ("obwohl", "de"),
    ("support", "en"),
])
def test_used_words_understood_typos_and_non_words_stand_for_none(reads_as, word, lang):
    assert reads_as(word, lang) is None


def test_a_reading_built_from_the_index_alone_reads_as_the_engine_does(fake_engine):  # noqa: F811
    """A report outside a server (bench/missing_words.py) reads words without the encoders."""
    own = WordReading.of_index(fake_engine.index)
    for word, lang in (("newsleter", "de"), ("lapel", "de"), ("ruecksendeetikett", "de"), ("leaflet", "en")):
        assert own(word, lang) == fake_engine.read_word(word, lang)


SEARCHES = [  # (what customers typed, how often)
    ("Rücksendeetikett drucken", 2), ("wo finde ich rücksendeetiketts?", 1), ("ruecksendeetikett", 1),
    ("Newsletter abbestellen", 2), ("newsleter abbestellen", 1),
    ("Gutschein einlösen, meine Mail ist max.mustermann@example.com", 1), ("gutscheine", 2),
    ("Retourenlabl", 1), ("Lapel ausdrucken", 1), ("Lieferzeit", 1),
]


@pytest.fixture()
def stored(fake_engine, tmp_path):  # noqa: F811
    """The searches as the portal logs them: searched, then stored masked with their results."""
    store = Store(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    for query, times in SEARCHES:
        for _ in range(times):
            result = fake_engine.search(query, lang="de")
            store.log_search(query, result.lang, result.answered, [h.id for h in result.results], "portal")
    return store


def test_the_report_lists_the_words_as_customers_typed_them_one_row_per_word(stored, reads_as):
    rows = {m.word: m for m in missing_words(stored, 30, limit=None, reads_as=reads_as)}
    etikett = rows["rücksendeetikett"]
    assert (etikett.count, etikett.other_spellings) == (4, ("ruecksendeetikett", "rücksendeetiketts"))
    newsletter = rows["newsletter"]   # the typo counts for the word it was meant to be
    assert (newsletter.count, newsletter.other_spellings) == (3, ("newsleter",))
    gutschein = rows["gutscheine"]    # the most frequent spelling names the row
    assert (gutschein.count, gutschein.other_spellings) == (3, ("gutschein",))
    assert not {"retourenlabl", "retourenlabel", "lapel", "label", "lieferzeit", "rücksendeetiketts",
                "newsleter", "gutschein"} & set(rows)
    typed = {w.lower() for query, _ in SEARCHES for w in query.replace("?", " ").replace(",", " ").split()}
    for row in rows.values():  # words and spellings as typed, never a stem or a repaired typo
        assert {row.word, *row.other_spellings} <= typed
        assert "mustermann" not in " ".join((row.word, *row.other_spellings, *row.wordings))
    assert "gutschein einlösen, meine mail ist [email]" in gutschein.wordings  # stored masked


def test_the_report_reads_only_the_most_frequent_words_and_says_so(stored, reads_as):
    read = []

    def recording(word, lang):
        read.append(word)
        return reads_as(word, lang)

    rows = missing_words(stored, 30, limit=None, reads_as=recording, max_words=2)
    everything = missing_words(stored, 30, limit=None, reads_as=reads_as)
    assert (rows.cut, rows.words_checked) == (True, 2) and rows.distinct_words == everything.distinct_words > 2
    assert sorted(read) == ["abbestellen", "drucken"]  # searched 3 and 2 times; ties alphabetical
    assert not everything.cut and everything.words_checked == everything.distinct_words


def _live_caches(engine):
    """What the live search keeps: its typo words and its spellers' suggestions."""
    spellers = {key: list(s._cache.items()) for key, s in engine._spelling._spellers.items()}
    return {public: list(t._cache.data.items()) for public, t in engine._typos.items()}, spellers


def test_a_report_leaves_the_live_searchs_caches_as_they_were(fake_engine, tmp_path):  # noqa: F811
    for query in ("newsleter abbestellen", "rückerstatung", "retourenlabl drucken"):
        fake_engine.search(query, lang="de")
    before = _live_caches(fake_engine)
    assert before[0][True] and before[1]  # the searches filled them
    store = Store(f"sqlite:///{tmp_path / 'kb.sqlite3'}")
    for word in ("newsletterr", "rechnugsadresse", "leaflet", "xyzzyq", "gutscheinn", "abstotern", "lapel"):
        store.log_search(word, "de", False, [], "portal")
    missing_words(store, 30, limit=None, reads_as=missing_word_reader(fake_engine.index, fake_engine.read_word))
    assert _live_caches(fake_engine) == before
