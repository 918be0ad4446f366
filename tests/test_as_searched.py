"""The question as the search reads it: no personal data, no courtesy, umlauts restored."""
import pytest

from search_helpers import fake_engine, ranks_as  # noqa: F401 (fake_engine: a fixture)

from kb.content.adornments import unadorned
from kb.search.as_searched import as_searched, without_personal_data

HELP_CENTRE = {"rücksendung", "lieferadresse"}.__contains__


@pytest.mark.parametrize("typed, searched", [
    ("wo ist mein paket 4711234567", "wo ist mein paket"),
    ("wo ist bestellung #10023456?", "wo ist bestellung?"),
    ("meine email max.mustermann@web.de ändern", "meine email ändern"),
    ("lieferadresse ändern auf Hauptstraße 12, 10115 Berlin", "lieferadresse ändern auf"),
    ("gutschein ABCD-EFGH-IJKL-MNOP geht nicht", "gutschein geht nicht"),
    ("order HK-98765 where is it", "order where is it"),
    ("please call me back on +49 176 12345678", "please call me back on"),
    # a request stored masked and searched again (the inbox): its placeholders are no words
    ("Bestellung [number]", "Bestellung"),
    ("wo ist paket [code]? Gruß [name]", "wo ist paket? Gruß"),
])
def test_personal_data_is_not_searched(typed, searched):
    assert without_personal_data(typed) == searched


@pytest.mark.parametrize("typed, searched", [
    ("Hallo, hier ist Anna Schmidt. Wo ist mein Paket?", "Wo ist mein Paket?"),
    ("Ich bin Jonas Becker. Meine Rücksendung fehlt", "Meine Rücksendung fehlt"),
    ("lieferadresse ändern auf goethestr 5 in 20095 hamburg", "lieferadresse ändern auf"),
    ("ruf mich an: null eins sieben sechs zwei drei vier fünf sechs sieben, wegen der rücksendung",
     "ruf mich an, wegen der rücksendung"),
])
def test_a_self_introduction_and_data_in_words_are_not_searched(typed, searched):
    assert as_searched(typed, HELP_CENTRE) == searched


@pytest.mark.parametrize("typed", [
    "rückgabe nach 30 tagen",  # numbers that carry meaning stay
    "iphone 15 hülle",
    "passwort ist falsch",
    "4711234567",  # nothing else to search for: as typed
])
def test_a_question_without_personal_data_stays(typed):
    assert without_personal_data(typed) == typed


def test_a_question_in_capitals_is_read_in_lower_case_not_as_a_code():
    # four-letter words in capitals look like the groups of a voucher code
    assert as_searched("WHEN WILL THIS ITEM SHIP", HELP_CENTRE) == "when will this item ship"
    assert as_searched("WO IST MEIN PAKET 4711234567", HELP_CENTRE) == "wo ist mein paket"
    assert as_searched("wo ist mein PAKET", HELP_CENTRE) == "wo ist mein PAKET"  # the encoders lower it


@pytest.mark.parametrize("typed, searched", [
    ('"wo ist meine bestellung"', "wo ist meine bestellung"),
    ("„wo ist meine bestellung“", "wo ist meine bestellung"),
    ("«retoure»", "retoure"),
    ('kann ich "express" wählen', "kann ich express wählen"),
    ("wo ist meine bestellung???", "wo ist meine bestellung?"),
    ("geht's noch?!?!", "geht's noch?"),  # the apostrophe is part of the word
    ("ich wollte fragen... wo ist es", "ich wollte fragen... wo ist es"),  # an ellipsis stays
    ('""', '""'), ("???", "???")])  # nothing else: as typed
def test_quotation_marks_and_repeated_marks_are_not_searched(typed, searched):
    assert unadorned(typed) == searched


@pytest.mark.parametrize("typed, searched", [
    ("wo ist mein paket 😡", "wo ist mein paket"),
    ("wo ist mein paket 😡😡??", "wo ist mein paket?"),
    ("👍🏽 danke, retoure angekommen ❤️", "danke, retoure angekommen"),
    ("kann ich das zurückgeben :-(", "kann ich das zurückgeben"),
    ("where is my parcel :) ;-) xD ^^ <3", "where is my parcel"),
    ("wo ist mein paket https://www.hafenkorb.de/konto/bestellungen/10023456", "wo ist mein paket"),
    ("www.hafenkorb.de/retoure geht nicht?", "geht nicht?"),
    ("see hafenkorb.com/orders, where is it", "see, where is it"),
    ("lieferung um 10:30 möglich?", "lieferung um 10:30 möglich?"),  # a time is no smiley
    ("siehe punkt 8) der agb", "siehe punkt 8) der agb"),
    ("bei amazon.de bestellt", "bei amazon.de bestellt"),  # a bare domain names a shop
    ("😡", "😡"), ("https://www.hafenkorb.de", "https://www.hafenkorb.de")])  # nothing else: as typed
def test_emoji_smileys_and_links_are_not_searched(typed, searched):
    assert unadorned(typed) == searched


def test_a_question_with_emoji_and_a_link_ranks_as_the_question(fake_engine):
    assert ranks_as(fake_engine, "wie lange dauert die Lieferung? 🙈 https://www.shop.de/lieferung",
                    "wie lange dauert die Lieferung?")


def test_a_quoted_question_ranks_as_the_question(fake_engine):
    assert ranks_as(fake_engine, "„wie lange dauert die Lieferung???“", "wie lange dauert die Lieferung?")


def test_all_steps_together():
    typed = "Hallo, Ruecksendung fuer Bestellung 4711234567 geht nicht. Danke!"
    assert as_searched(typed, HELP_CENTRE) == "Rücksendung fuer Bestellung geht nicht."


def test_the_search_ranks_the_question_without_the_order_number(fake_engine):
    with_number = fake_engine.search("wie lange dauert die Lieferung, Bestellung 4711234567?", lang="de")
    plain = fake_engine.search("wie lange dauert die Lieferung, Bestellung?", lang="de")
    assert with_number.query == "wie lange dauert die Lieferung, Bestellung?"
    assert [(h.id, h.score) for h in with_number.results] == [(h.id, h.score) for h in plain.results]
