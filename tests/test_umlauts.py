"""Words typed without umlauts are searched with them (kb/search/umlauts.py)."""
import pytest

from search_helpers import fake_engine  # noqa: F401 (fixture)

from kb.content.umlaut_spellings import spellings
from kb.search.umlauts import restore_umlauts

HELP_CENTRE = {"rückerstattung", "rücksendung", "für", "größe"}.__contains__


@pytest.mark.parametrize("typed, searched", [
    ("Wann kommt meine Rueckerstattung", "Wann kommt meine Rückerstattung"),
    ("RUECKSENDUNG", "Rücksendung"),
    ("groesse", "größe"),  # two pairs: oe and ss
    ("koennen sie mir helfen", "können sie mir helfen"),  # a German dictionary word
    ("versandgebuehren", "versandgebühren"),  # a compound of known parts
    ("geschenk fuer mama", "geschenk für mama"),  # the dictionary's spelling gives way to the help centre's
])
def test_a_word_typed_without_umlauts_is_restored(typed, searched):
    assert restore_umlauts(typed, HELP_CENTRE) == searched


@pytest.mark.parametrize("typed", [
    "neue queue true blue",  # words as typed: German and English
    "aktuell wissen steuer dauer",
    "strasse",  # the dictionary's Swiss spelling, and the help centre has no "straße"
    "gross",  # also English
    "Manuel Joergensen",  # no known spelling with umlauts: a name stays
    "zoeglich2",  # not a word
    "massenbestellung",  # "ss" is also "ss" in a compound
])
def test_known_words_and_unknown_spellings_stay_as_typed(typed):
    assert restore_umlauts(typed, HELP_CENTRE) == typed


def test_every_reading_of_the_pairs_is_tried_as_typed_first():
    assert spellings("Groesse") == ["groesse", "groeße", "grösse", "größe"]


def test_the_search_reads_the_restored_question(fake_engine):
    typed = fake_engine.search("artikel zuruecksenden", lang="de")
    written = fake_engine.search("artikel zurücksenden", lang="de")
    assert typed.query == "artikel zurücksenden"
    assert [h.id for h in typed.results] == [h.id for h in written.results]
    assert typed.results[0].id == "de/ruecksendung"


def test_a_question_in_another_language_keeps_its_ae_oe_ue(fake_engine):
    """"stoer" is German "stör" written out, and an English typo of "store"."""
    english = fake_engine.search("how long will you hold my order in the stoer", lang="en")
    assert english.query == "how long will you hold my order in the store"
    german = fake_engine.search("wann kommt der stoer", lang="de")
    assert german.query == "wann kommt der stör"


def test_the_inbox_reads_the_same_spellings_as_the_search():
    """One table for every reader: the inbox finds "Straße" by "strasse" and
    "Größe" by "groesse", as the search does."""
    from kb.content.umlaut_spellings import written_out
    from kb.ops.inbox import _spellings

    assert written_out("Größe straße") == "Groesse strasse"
    assert "straße" in _spellings("strasse") and "größe" in _spellings("groesse")
    assert "oesterreich" in _spellings("österreich")
