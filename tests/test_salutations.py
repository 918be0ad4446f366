"""A question's greeting and thanks are cut before it is searched (kb/content/salutations.py)."""
import time

import pytest

from search_helpers import fake_engine, ranks_as  # noqa: F401 (fake_engine: a fixture)

from kb.content.salutations import courtesy_only, signed_name, thanks_only, without_salutations
from kb.search.message_search import message_parts


@pytest.mark.parametrize("typed, searched", [
    ("Hallo, wo ist mein Paket? Danke!", "wo ist mein Paket?"),
    ("hi, can I change my order? thanks", "can I change my order?"),
    ("Guten Tag, ich habe falsch bestellt. Danke im Voraus", "ich habe falsch bestellt."),
    ("hey there how do i return this thx", "how do i return this"),
    ("Hi Team! Rechnung fehlt. MfG", "Rechnung fehlt."),
    ("paket nicht da, viele grüße", "paket nicht da"),
    ("paket weg. Gruß", "paket weg."),
    ("dear team, where is my refund? best regards", "where is my refund?"),
    ("Hallo zusammen, retoure", "retoure"),
    ("Sehr geehrte Damen und Herren, ich möchte kündigen. Vielen Dank", "ich möchte kündigen."),
    ("wo ist meine bestellung bitte", "wo ist meine bestellung"),
    ("where is my order pls", "where is my order"),
    ("can you help me please? thanks", "can you help me"),
    ("wo ist mein paket? bitte, vielen dank. Viele Grüße", "wo ist mein paket?"),  # one after the other
    ("bitte danke", "bitte"),  # a word must remain: the thanks goes, the "bitte" stays
    ("ich habe eine frage: wo ist meine bestellung", "wo ist meine bestellung"),
    ("Hallo, ich hätte da mal eine Frage: wo ist mein Paket?", "wo ist mein Paket?"),
    ("kurze frage, wo ist meine bestellung", "wo ist meine bestellung"),
    ("can you help me? my order is late", "my order is late"),
    ("quick question: where is my order", "where is my order"),
    # the closing before a masked signed name (kb/content/privacy.py), and "LG" after a sentence
    ("wo ist mein Paket? Viele Grüße, [name]", "wo ist mein Paket?"),
    ("paket kaputt mfg [name]", "paket kaputt"),
    ("wo ist mein Paket? LG [name]", "wo ist mein Paket?"),
    ("wo ist mein Paket? LG", "wo ist mein Paket?"),
    ("can I return it? Best, [name]", "can I return it?"),
    ("wo ist mein Paket? Viele Grüße aus Hamburg", "wo ist mein Paket?"),  # a place is part of it
    ("where is my refund? Greetings from Leeds", "where is my refund?"),
    # an introduction with its masked name asks nothing
    ("Hallo, mein Name ist [name], ich habe eine Frage: wo ist mein Paket?", "wo ist mein Paket?"),
    ("my name is [name] and my order is late", "my order is late"),
    ("Name: [name], Lieferung fehlt", "Lieferung fehlt"),
    # a self-introduction with its masked name ("hier ist Anna Schmidt."), as the search reads
    # it: with or without the placeholder
    ("Hallo, hier ist [name]. Wo ist mein Paket?", "Wo ist mein Paket?"),
    ("Hallo, hier ist. Wo ist mein Paket?", "Wo ist mein Paket?"),
    ("ich bin die [name], wo ist mein paket", "wo ist mein paket"),
    ("I'm [name] and my parcel is late", "my parcel is late"),
])
def test_greeting_and_thanks_are_cut(typed, searched):
    assert without_salutations(typed) == searched


@pytest.mark.parametrize("typed", [
    "Hallo",  # nothing else to search for
    "danke",
    "Hi Team!",
    "danke für die schnelle lieferung",  # thanks that are the message, at its start
    "thank you note in the parcel",
    "heyday sale",  # a word that only begins like a greeting
    "hi-fi anlage reparieren",
    "reparatur fernseher von LG",  # a brand, not "Liebe Grüße"
    "history of my orders",
    "wie kann ich mich bedanken",
    "bitte",
    "please help",  # a "please" that is not at the end
    "eine frage zur rechnung",  # no mark after "frage": it is part of the question
    "help me find my order",
    "kann ich grüße aus dem urlaub senden",  # "aus dem": no place of a closing
    "my name is on the parcel but wrong",
    "greetings from the team card",
])
def test_a_question_that_is_not_only_courtesy_stays(typed):
    assert without_salutations(typed) == typed


def test_the_search_ranks_the_question_without_its_courtesy(fake_engine):
    plain = "wie lange dauert die Lieferung?"
    assert ranks_as(fake_engine, "Hallo, wie lange dauert die Lieferung? Vielen Dank!", plain)
    assert ranks_as(fake_engine, "kurze frage: wie lange dauert die Lieferung? bitte", plain)
    assert ranks_as(fake_engine, "wie lange dauert die Lieferung? Viele Grüße, Anna Schmidt", plain)
    assert ranks_as(fake_engine, "wie lange dauert die Lieferung? LG Anna", plain)
    assert ranks_as(fake_engine, "mein Name ist Anna Schmidt, wie lange dauert die Lieferung?", plain)


@pytest.mark.parametrize("typed, name", [
    ("wo ist mein Paket? Viele Grüße, Anna Schmidt", "Anna Schmidt"),
    ("wo ist mein paket mfg anna maria schmidt", "anna maria schmidt"),
    ("danke gruß anna", "anna"),  # the name follows the last closing
    ("Danke, Anna!", "Anna"),
    ("where is my refund? VG, Anna", "Anna")])
def test_the_name_signed_under_a_question_is_found(typed, name):
    span = signed_name(typed)
    assert span is not None and typed[span[0]:span[1]] == name


@pytest.mark.parametrize("typed", [
    "danke für die hilfe",  # words such as "für" are no name
    "thanks, order status",  # after thanks only a capitalised name
    "danke, gruß",  # a closing is no name
    "where is my order? Regards",
    "wo ist mein paket anna",  # no closing before it
    "gruß anna, wo ist mein paket?",  # a question after it
    "reparatur fernseher von LG Electronics"])  # "LG" inside a sentence
def test_no_name_is_found_where_none_is_signed(typed):
    assert signed_name(typed) is None


def test_a_pasted_message_is_cut_by_the_same_words():
    message = ("Moin,\n\nGrusskarte bestellt, wann kommt die an?\nUnd kann ich sie zurücksenden?\n\n"
               "Gruß\nMax\n\n> Ihre Bestellung wurde versandt.")
    assert message_parts(message) == ["Grusskarte bestellt, wann kommt die an?", "Und kann ich sie zurücksenden?"]


@pytest.mark.parametrize("message", [
    "Danke, hat sich erledigt!", "Vielen Dank, alles klar. Viele Grüße, Anna Schmidt",
    "Hat geklappt, danke!", "thanks, all sorted", "Thanks so much! Best regards, John", "ok, never mind"])
def test_a_message_that_only_thanks_asks_nothing(message):
    assert courtesy_only(message) and thanks_only(message)
    assert message_parts(message) == []


@pytest.mark.parametrize("message", [
    "Danke, hat nicht funktioniert", "danke, wo ist mein paket", "Danke, Rechnung?", "ok, und die Rücksendung?",
    "LG Fernseher geht nicht an"])
def test_a_message_with_a_request_besides_its_thanks_is_searched(message):
    assert not courtesy_only(message)
    assert message_parts(message)


def test_a_greeting_and_a_sign_off_alone_are_no_thanks():
    assert courtesy_only("Hallo,\n\nGrüße") and not thanks_only("Hallo,\n\nGrüße")


def test_a_signature_line_of_a_short_sign_off_ends_the_message():
    assert message_parts("Wo ist mein Paket?\nBest, John\nSent on the go") == ["Wo ist mein Paket?"]
    assert message_parts("Thanks, all sorted now!\nBest, John") == []


@pytest.mark.parametrize("message, request_line", [
    ("Hallo, ich habe meine Rechnung nicht bekommen.", "ich habe meine Rechnung nicht bekommen."),
    ("Hi, where is my parcel.", "where is my parcel."),
    ("hallo ich brauche eine neue rechnung", "ich brauche eine neue rechnung"),
    ("Sehr geehrte Damen und Herren, wo bleibt mein Paket.", "wo bleibt mein Paket."),
])
def test_a_greeting_on_the_requests_own_line_keeps_the_request(message, request_line):
    assert any(request_line in part for part in message_parts(message))


@pytest.mark.parametrize("greeting", ["Hallo Frau Müller,", "Sehr geehrte Frau Dr. Weber,", "Guten Tag Herr Schmidt",
                                      "Liebe Frau O’Brien!", "Dear Customer Service Team,", "Moin,"])
def test_a_greeting_line_with_a_name_is_cut(greeting):
    assert message_parts(f"{greeting}\nWo ist mein Paket? Ich warte seit einer Woche.") == [
        "Wo ist mein Paket?", "Ich warte seit einer Woche."]


def test_a_long_line_after_a_greeting_word_is_read_in_linear_time():
    hostile = "dear " + "a " * 9_000 + "? "  # within MAX_MESSAGE_CHARS
    started = time.perf_counter()
    message_parts(hostile)
    assert time.perf_counter() - started < 1.0  # a quadratic pattern takes seconds here


@pytest.mark.parametrize("signature", ["Danke, Klaus Weber\nTel. 0151 23456789", "Vielen Dank, Anna",
                                       "Thanks, John Smith\nMobile: +44 7700 900123", "Telefon: 030 1234567"])
def test_a_signature_with_thanks_and_a_name_or_a_phone_number_ends_the_message(signature):
    message = f"Hallo,\n\nich möchte meine Lieferadresse ändern. Geht das noch?\n\n{signature}"
    assert message_parts(message) == ["Geht das noch?", "ich möchte meine Lieferadresse ändern."]


def test_thanks_before_a_question_is_no_signature():
    assert message_parts("Danke, aber wo ist mein Paket?\nHandy kaputt, was nun?") == [
        "Danke, aber wo ist mein Paket?", "Handy kaputt, was nun?"]
