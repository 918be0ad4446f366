"""A customer's e-mail or chat as an agent pastes it: what is searched, and which article comes first
(kb/search/message_search.py, kb/search/message_request.py, kb/search/mail_layout.py, kb/search/chat_turns.py)."""
import re
import re._constants as sre_constants
import re._parser as sre_parser
from pathlib import Path

import pytest

from search_helpers import fake_engine  # noqa: F401 (a fixture)

from kb.search import chat_turns, mail_layout
from kb.search.engine import QueryError
from kb.search.message_request import MAX_MESSAGE_CHARS, request_text
from kb.search.message_search import message_parts, search_message

# Outlook (German), copied from the reading pane: header lines, then the customer's text
OUTLOOK_DE = """Von: Anna Schmidt <anna.schmidt@example.de>
Gesendet: Montag, 12. Oktober 2026 10:32
An: Hafenkorb Kundenservice <service@hafenkorb.de>
Cc: Jonas Schmidt <jonas.schmidt@example.de>
Betreff: Rücksendung Wanderschuhe

Hallo liebes Hafenkorb-Team,

die Wanderschuhe aus meiner Bestellung sind mir zu klein. Wie kann ich sie zurückschicken?

Viele Grüße
Anna Schmidt
"""

# Outlook (English), a reply with the message replied to below "-----Original Message-----"
OUTLOOK_EN_REPLY = """From: John Miller <john.miller@example.com>
Sent: Tuesday, October 13, 2026 9:12 AM
To: Hafenkorb Service <service@hafenkorb.de>
Subject: RE: Your order has shipped

Hello,

can I still change the delivery address of my order? I am moving next week.

Best regards
John Miller

-----Original Message-----
From: Hafenkorb Service <service@hafenkorb.de>
Sent: Monday, October 12, 2026 4:05 PM
To: John Miller <john.miller@example.com>
Subject: Your order has shipped

Dear John, your parcel is on its way. You can track it with DHL.
"""

# Outlook (German), a reply whose history starts with the next header block, no separator line
OUTLOOK_DE_REPLY = """Von: Anna Schmidt <anna.schmidt@example.de>
Gesendet: Dienstag, 13. Oktober 2026 09:12
An: Hafenkorb Kundenservice <service@hafenkorb.de>
Betreff: AW: Ihre Bestellung wurde versandt

Guten Tag,

die Sendungsverfolgung zeigt seit fünf Tagen keinen neuen Status. Wo ist mein Paket?

Von: Hafenkorb Kundenservice <service@hafenkorb.de>
Gesendet: Montag, 12. Oktober 2026 16:05
An: Anna Schmidt <anna.schmidt@example.de>
Betreff: Ihre Bestellung wurde versandt

Sehr geehrte Frau Schmidt, Ihre Rechnung finden Sie im Kundenkonto unter Bestellungen.
"""

# Outlook (German), a colleague's forward: "WG:" subject, a rule, the customer's header and text
OUTLOOK_DE_FORWARD = """Von: Tom Berger <tom.berger@hafenkorb.de>
Gesendet: Dienstag, 13. Oktober 2026 09:12
An: Kundenservice <service@hafenkorb.de>
Betreff: WG: Rechnung fehlt

________________________________
Von: Anna Schmidt <anna.schmidt@example.de>
Gesendet: Montag, 12. Oktober 2026 16:05
An: info@hafenkorb.de
Betreff: Rechnung fehlt

Hallo, in meinem Paket lag keine Rechnung. Wo finde ich die Rechnung zu meiner Bestellung?

LG Anna
"""

# Gmail (German), forwarded: the separator, Gmail's header lines, then the customer's text
GMAIL_DE_FORWARD = """---------- Weitergeleitete Nachricht ----------
Von: Anna Schmidt <anna.schmidt@example.de>
Date: Mo., 12. Okt. 2026 um 10:32 Uhr
Subject: Paket
To: <service@hafenkorb.de>


Guten Tag,

meine Bestellung ist seit einer Woche unterwegs und die Sendungsverfolgung zeigt nichts Neues. Wo ist mein Paket?

Danke und Gruß
Anna
"""

# Gmail (English), forwarded by a colleague with a note above the separator
GMAIL_EN_FORWARD = """From: Tom Berger <tom.berger@hafenkorb.de>
Subject: Fwd: Voucher code not working

Could someone take this one? Thanks, Tom

---------- Forwarded message ---------
From: John Miller <john.miller@example.com>
Date: Mon, Oct 12, 2026 at 10:32 AM
Subject: Voucher code not working
To: <info@hafenkorb.de>


Hello,

I tried to use my voucher code at checkout but it says the code is invalid. What can I do?

Cheers,
John
"""

# Gmail (English), a reply whose attribution line Gmail wrapped, the history below it unquoted
GMAIL_EN_REPLY = """Hi,
I still have not received my refund for the jacket I sent back two weeks ago. How long does a refund take?
On Mon, Oct 12, 2026 at 10:32 AM Hafenkorb Service <
service@hafenkorb.de> wrote:
Dear John, your parcel has been handed to DHL. Track it with your tracking number.
"""

# Apple Mail (German), a reply: the history below "Am … schrieb …:" without "> "
APPLE_DE_REPLY = """Ich möchte meine Bestellung von gestern stornieren. Geht das noch?

Am 12.10.2026 um 10:32 schrieb Hafenkorb Kundenservice <service@hafenkorb.de>:

Vielen Dank für Ihre Bestellung! Sie wird in den nächsten Tagen per Spedition geliefert.
"""

CHAT_DE = """Kunde: Hallo
Agent: Hallo, wie kann ich Ihnen helfen?
Kunde: Ich habe mein Passwort vergessen und komme nicht mehr in mein Kundenkonto.
Agent: Moment bitte, ich schaue nach. Haben Sie Ihre Lieferadresse geändert?
Kunde: Wie kann ich das Passwort zurücksetzen?
"""

CHAT_EN = """Customer: Hello
You: Hello, how can I help?
Customer: I want to cancel my order, I ordered the wrong size.
You: Just a moment please, I am checking the delivery times.
Customer: Can I still cancel it?
"""

CHAT_TIMED = """[10:31] Hafenkorb Bot: Hi! How can I help you today?
[10:32] Anna: hi, I paid with PayPal but my order still says payment pending
[10:32] Anna: is something wrong with my payment?
[10:33] Support (Tom): One moment please, let me check your return.
[10:36] Anna: ok thanks!
"""


@pytest.mark.parametrize("message, searched", [
    (OUTLOOK_DE, ["Rücksendung Wanderschuhe", "Wie kann ich sie zurückschicken?",
                  "die Wanderschuhe aus meiner Bestellung sind mir zu klein."]),
    (OUTLOOK_EN_REPLY, ["Your order has shipped", "can I still change the delivery address of my order?",
                        "I am moving next week."]),
    (OUTLOOK_DE_REPLY, ["Ihre Bestellung wurde versandt", "Wo ist mein Paket?",
                        "die Sendungsverfolgung zeigt seit fünf Tagen keinen neuen Status."]),
    (OUTLOOK_DE_FORWARD, ["Rechnung fehlt", "Wo finde ich die Rechnung zu meiner Bestellung?",
                          "Hallo, in meinem Paket lag keine Rechnung. LG Anna"]),
    (GMAIL_DE_FORWARD, ["Paket", "Wo ist mein Paket?",
                        "meine Bestellung ist seit einer Woche unterwegs und die Sendungsverfolgung zeigt nichts Neues."]),
    (GMAIL_EN_FORWARD, ["Voucher code not working", "What can I do?",  # the colleague's note left out
                        "I tried to use my voucher code at checkout but it says the code is invalid."]),
    (GMAIL_EN_REPLY, ["How long does a refund take?",
                      "I still have not received my refund for the jacket I sent back two weeks ago."]),
    (APPLE_DE_REPLY, ["Geht das noch?", "Ich möchte meine Bestellung von gestern stornieren."]),
])
def test_an_email_is_searched_by_its_subject_and_text_without_headers_or_history(message, searched):
    assert message_parts(message, own_domains=SHOP_DOMAINS) == searched


@pytest.mark.parametrize("message, searched", [
    (CHAT_DE, ["Wie kann ich das Passwort zurücksetzen?",
               "Ich habe mein Passwort vergessen und komme nicht mehr in mein Kundenkonto."]),
    (CHAT_EN, ["Can I still cancel it?", "I want to cancel my order, I ordered the wrong size."]),
    (CHAT_TIMED, ["is something wrong with my payment?",
                  "hi, I paid with PayPal but my order still says payment pending"]),
    # no roles or times: the agent is the one who asks how to help, the customer the other
    ("Anna: Hallo\nTom: Hallo Anna, wie kann ich helfen?\nAnna: Mein Paket ist nicht angekommen.\n"
     "Tom: Einen Moment bitte.", ["Mein Paket ist nicht angekommen."]),
    # WhatsApp's copy; "Bestellnummer: …" in a customer's turn continues it
    ("12.10.26, 10:32 - Anna: Wo ist mein Paket?\n12.10.26, 10:33 - Hafenkorb: Einen Moment bitte\n"
     "12.10.26, 10:35 - Anna: Die Sendungsnummer geht nicht", ["Wo ist mein Paket?", "Die Sendungsnummer geht nicht"]),
])
def test_a_chat_is_searched_by_the_customers_lines_only(message, searched):
    assert message_parts(message) == searched


def test_a_line_with_a_colon_in_a_customers_turn_stays_in_it():
    chat = "Kunde: Ich bin umgezogen.\nNeue Straße: Hafenweg 3\nAgent: Danke!\nKunde: Kommt das Paket trotzdem an?"
    assert request_text(chat) == "Ich bin umgezogen. Neue Straße: Hafenweg 3 Kommt das Paket trotzdem an?"


@pytest.mark.parametrize("letter", [
    "Hallo,\nich habe folgende Frage: wo ist mein Paket?\nMeine Bestellnummer: 12345\nViele Grüße",
    "Artikel: Wanderschuhe\nGröße: 42\nArtikel: Regenjacke\nGröße: L\nKann ich beides umtauschen?",
    "Support: bitte helfen Sie mir.\nMeine Frage: wie lange dauert die Lieferung?",
])
def test_a_letters_lines_with_colons_are_no_chat(letter):
    """Speakers that are not marked by roles on both sides, times or an agent's phrase with
    turns taken: every line is the customer's."""
    assert chat_turns.customer_turns(letter.splitlines()) is None


def test_history_after_the_customers_text_ends_the_message_and_a_header_at_the_start_does_not():
    assert "Rechnung" not in request_text(OUTLOOK_DE_REPLY) and "DHL" not in request_text(OUTLOOK_EN_REPLY)
    assert "Spedition" not in request_text(APPLE_DE_REPLY) and "DHL" not in request_text(GMAIL_EN_REPLY)
    wrapped_de = ("Wie lange dauert die Erstattung?\nAm Mo., 12. Okt. 2026 um 10:32 Uhr schrieb Hafenkorb <\n"
                  "service@hafenkorb.de>:\nIhre Rücksendung ist da.")
    assert request_text(wrapped_de) == "Wie lange dauert die Erstattung?"
    gmx = "Wo ist mein Paket?\n\nGesendet: Montag, 12. Oktober 2026 um 10:32 Uhr\nVon: service@hafenkorb.de\nAn: x"
    assert request_text(gmx) == "Wo ist mein Paket?"
    assert request_text("Subject: Refund\nFrom: John <j@example.com>\n\nWhere is my refund?") == "Where is my refund?"


# the shop's e-mail domain (site.yml's service@hafenkorb.de): a note from it above a forward is a colleague's
SHOP_DOMAINS = ("hafenkorb.de",)

# a colleague's note above the customer's forwarded e-mail, with questions of the colleague's own
NOTED_GMAIL_FORWARD = """From: Tom Berger <tom.berger@hafenkorb.de>
Subject: Fwd: Voucher code not working

FYI see below, can you check this one? Where do we keep the return labels?

---------- Forwarded message ---------
From: John Miller <john.miller@example.com>
Date: Mon, Oct 12, 2026 at 10:32 AM
Subject: Voucher code not working
To: <info@hafenkorb.de>

Hello, my voucher code is refused at checkout. What can I do?
"""

NOTED_OUTLOOK_FORWARD = """Von: Tom Berger <tom.berger@hafenkorb.de>
Gesendet: Dienstag, 13. Oktober 2026 09:12
An: Kundenservice <service@hafenkorb.de>
Betreff: WG: Rechnung fehlt

Kannst du das übernehmen? Wie lange dauert die Lieferung nach Österreich gerade?

________________________________
Von: Anna Schmidt <anna.schmidt@example.de>
Gesendet: Montag, 12. Oktober 2026 16:05
Betreff: Rechnung fehlt

Wo finde ich die Rechnung zu meiner Bestellung?
"""

# forwarded twice, colleague to colleague: each colleague's note is left out, the customer's message at the bottom searched
NOTED_CHAIN = """Von: Tom Berger <tom.berger@hafenkorb.de>
Betreff: WG: WG: Rücksendung

Bitte übernehmen, danke!

---------- Weitergeleitete Nachricht ----------
Von: Lisa Kurz <lisa.kurz@hafenkorb.de>
Betreff: WG: Rücksendung

Weiß jemand, ob Gutscheine verrechnet werden?

---------- Weitergeleitete Nachricht ----------
Von: Anna Schmidt <anna.schmidt@example.de>
Betreff: Rücksendung

Die Wanderschuhe sind zu klein. Wie kann ich sie zurückschicken?
"""

# the customer forwards their own earlier e-mail: the note above it is theirs, with their question
OWN_FORWARD = """Von: Anna Schmidt <anna.schmidt@example.de>
Gesendet: Dienstag, 13. Oktober 2026 09:12
Betreff: WG: Rücksendung

Ich habe noch keine Antwort. Wann bekomme ich mein Geld zurück?

---------- Weitergeleitete Nachricht ----------
Von: Anna Schmidt <ANNA.SCHMIDT@example.de>
Datum: Montag, 5. Oktober 2026 10:32
Betreff: Rücksendung

Ich habe die Wanderschuhe am Montag zurückgeschickt.
"""

# a forward of nothing but a header (an order confirmation's subject): the note is all there is
BARE_FORWARD = """Wo ist mein Paket? Die Bestellbestätigung steht unten.

---------- Forwarded message ---------
From: Hafenkorb <service@hafenkorb.de>
Subject: Ihre Bestellung 100-2345
"""


@pytest.mark.parametrize("message, searched", [
    (NOTED_GMAIL_FORWARD, ["Voucher code not working", "What can I do?",
                           "Hello, my voucher code is refused at checkout."]),
    (NOTED_OUTLOOK_FORWARD, ["Rechnung fehlt", "Wo finde ich die Rechnung zu meiner Bestellung?"]),
    (NOTED_CHAIN, ["Rücksendung", "Wie kann ich sie zurückschicken?", "Die Wanderschuhe sind zu klein."]),
])
def test_a_colleagues_note_above_a_forwarded_message_is_not_searched(message, searched):
    """The note's header names a sender on the shop's domain, the forwarded one a customer."""
    assert message_parts(message, own_domains=SHOP_DOMAINS) == searched


@pytest.mark.parametrize("message", [NOTED_GMAIL_FORWARD, NOTED_OUTLOOK_FORWARD, NOTED_CHAIN])
def test_without_the_shops_domains_every_note_is_searched(message):
    """No e-mail address in site.yml: no note can be told to be a colleague's, so each one counts."""
    assert message_parts(message) == message_parts(message, by_customer=True)


@pytest.mark.parametrize("message, searched", [
    (OWN_FORWARD, ["Rücksendung", "Wann bekomme ich mein Geld zurück?",
                   "Ich habe noch keine Antwort. Ich habe die Wanderschuhe am Montag zurückgeschickt."]),
    (BARE_FORWARD, ["Ihre Bestellung 100-2345", "Wo ist mein Paket?", "Die Bestellbestätigung steht unten."]),
])
def test_a_note_of_the_customers_own_or_above_a_forward_without_text_is_searched(message, searched):
    """A sender outside the shop's domain above the forwarded message, or a forwarded message
    with no text of its own: the note is the request."""
    assert message_parts(message, own_domains=SHOP_DOMAINS) == searched


# a customer forwards the shop's own invoice with their question above it
INVOICE_FORWARD = """Von: Anna Schmidt <anna.schmidt@gmx.de>
Betreff: WG: Ihre Rechnung 100-2345

Warum wurde mir die Rechnung doppelt abgebucht?

---------- Weitergeleitete Nachricht ----------
Von: Hafenkorb Buchhaltung <rechnung@hafenkorb.de>
Betreff: Ihre Rechnung 100-2345

Vielen Dank für Ihre Bestellung. Anbei erhalten Sie Ihre Rechnung als PDF.
"""
# the same without the customer's header (the agent copied from the first text line)
INVOICE_FORWARD_NO_HEADER = INVOICE_FORWARD.split("\n\n", 1)[1]
# a customer forwards a carrier's notice: a third party, not the shop
CARRIER_FORWARD = """From: John Miller <john.miller@example.com>
Subject: Fwd: Zustellung fehlgeschlagen

Why was my parcel sent back to you?

---------- Forwarded message ---------
From: DHL Paket <noreply@dhl.de>
Subject: Zustellung fehlgeschlagen

Your parcel could not be delivered and is on its way back to the sender.
"""
# colleague -> customer -> the shop's invoice: the colleague's note goes, the customer's stays
COLLEAGUE_CUSTOMER_SHOP_CHAIN = """Von: Tom Berger <tom.berger@hafenkorb.de>
Betreff: WG: WG: Ihre Rechnung 100-2345

Kannst du das übernehmen? Wie lange dauert die Lieferung nach Österreich gerade?

---------- Weitergeleitete Nachricht ----------
Von: Anna Schmidt <anna.schmidt@gmx.de>
Betreff: WG: Ihre Rechnung 100-2345

Warum wurde mir die Rechnung doppelt abgebucht?

---------- Weitergeleitete Nachricht ----------
Von: Hafenkorb Buchhaltung <rechnung@hafenkorb.de>
Betreff: Ihre Rechnung 100-2345

Anbei erhalten Sie Ihre Rechnung als PDF.
"""


@pytest.mark.parametrize("message", [INVOICE_FORWARD, INVOICE_FORWARD_NO_HEADER])
def test_a_customers_question_above_the_shops_forwarded_mail_is_searched(message):
    """The customer forwards the shop's invoice: their question above it is the request, the
    invoice's text is searched too."""
    parts = message_parts(message, own_domains=SHOP_DOMAINS)
    assert "Warum wurde mir die Rechnung doppelt abgebucht?" in parts
    assert any("Rechnung als PDF" in part for part in parts)


def test_a_customers_question_above_a_third_partys_forwarded_mail_is_searched():
    assert message_parts(CARRIER_FORWARD, own_domains=SHOP_DOMAINS) == [
        "Zustellung fehlgeschlagen", "Why was my parcel sent back to you?",
        "Your parcel could not be delivered and is on its way back to the sender."]


def test_in_a_chain_only_the_colleagues_note_is_left_out():
    """Colleague -> customer -> the shop's mail: the customer's middle message is their request."""
    parts = message_parts(COLLEAGUE_CUSTOMER_SHOP_CHAIN, own_domains=SHOP_DOMAINS)
    assert "Warum wurde mir die Rechnung doppelt abgebucht?" in parts
    assert not any("Österreich" in part or "übernehmen" in part for part in parts)
    assert any("Rechnung als PDF" in part for part in parts)


def test_a_note_from_the_shops_domain_above_the_shops_own_mail_is_kept():
    """A forward of the shop's own mail keeps its note, whoever's domain wrote it."""
    note = INVOICE_FORWARD.replace("anna.schmidt@gmx.de", "tom.berger@hafenkorb.de")
    assert "Warum wurde mir die Rechnung doppelt abgebucht?" in message_parts(note, own_domains=SHOP_DOMAINS)


def test_a_subdomain_of_the_shops_domain_is_the_shops():
    note = NOTED_OUTLOOK_FORWARD.replace("tom.berger@hafenkorb.de", "tom.berger@mail.hafenkorb.de")
    assert message_parts(note, own_domains=SHOP_DOMAINS) == [
        "Rechnung fehlt", "Wo finde ich die Rechnung zu meiner Bestellung?"]
    lookalike = NOTED_OUTLOOK_FORWARD.replace("tom.berger@hafenkorb.de", "tom@nothafenkorb.de")
    assert "Kannst du das übernehmen?" in " ".join(message_parts(lookalike, own_domains=SHOP_DOMAINS))


def test_a_note_in_a_message_the_customer_sent_is_theirs():
    """The contact form and the portal's search box hold what the customer wrote: a note above an
    e-mail they forwarded into it is their question, whoever the forwarded one names."""
    sent = ("Von: Tom Berger <tom.berger@hafenkorb.de>\n\nIch warte seit zwei Wochen. Wann kommt meine Erstattung?"
            "\n\n---------- Weitergeleitete Nachricht ----------\nVon: Anna <anna@example.de>\n"
            "Betreff: Ihre Rücksendung\n\nIhre Rücksendung ist bei uns angekommen.")
    assert message_parts(sent, own_domains=SHOP_DOMAINS) == [
        "Ihre Rücksendung", "Ihre Rücksendung ist bei uns angekommen."]
    assert message_parts(sent, by_customer=True, own_domains=SHOP_DOMAINS) == [
        "Ihre Rücksendung", "Wann kommt meine Erstattung?",
        "Ich warte seit zwei Wochen. Ihre Rücksendung ist bei uns angekommen."]


def test_a_header_line_in_the_text_that_names_no_sender_is_text():
    message = "Ich habe am 3.10. bestellt.\nDatum: 3.10.2026\nWann kommt das Paket?"
    assert request_text(message) == "Ich habe am 3.10. bestellt. Datum: 3.10.2026 Wann kommt das Paket?"


@pytest.mark.parametrize("subject", ["Anfrage", "Ihre Anfrage", "AW: Frage", "Kontaktformular", "(kein Betreff)",
                                     "Hallo", "Question", "Fwd: Help", "WG:"])
def test_a_subject_that_names_no_topic_is_not_searched(subject):
    assert message_parts(f"Betreff: {subject}\n\nWo ist mein Paket? Ich warte seit einer Woche.") == [
        "Wo ist mein Paket?", "Ich warte seit einer Woche."]


def test_a_subject_alone_is_searched_and_one_said_again_in_the_text_once():
    assert message_parts("From: John <j@example.com>\nSubject: Where is my refund?\n\n") == ["Where is my refund?"]
    assert message_parts("Betreff: Wo ist mein Paket?\n\nWo ist mein Paket?") == ["Wo ist mein Paket?"]


def test_a_reply_that_only_thanks_asks_nothing_whatever_its_subject(fake_engine):
    reply = ("Von: Anna Schmidt <anna.schmidt@example.de>\nGesendet: Dienstag, 13. Oktober 2026 09:12\n"
             "Betreff: AW: Ihre Rücksendung\n\nDanke, hat sich erledigt!\n\nLG Anna")
    assert message_parts(reply) == []
    with pytest.raises(QueryError, match="only thanks"):
        search_message(fake_engine, reply)


def test_a_header_only_message_without_a_subject_has_no_text(fake_engine):
    with pytest.raises(QueryError, match="no text"):
        search_message(fake_engine, "From: John <j@example.com>\nSent: Monday\nTo: service@hafenkorb.de\n")


# the fixture help centre: de/lieferzeit, de/ruecksendung, en/delivery, en/returns, intern/kulanz
@pytest.mark.parametrize("message, first", [
    ("Von: Anna <a@example.de>\nGesendet: Montag, 12. Oktober 2026\nAn: service@hafenkorb.de\n"
     "Betreff: Lieferung\n\nHallo,\nwie lange dauert die Lieferung nach Österreich?\n\nGruß\nAnna", "de/lieferzeit"),
    ("---------- Weitergeleitete Nachricht ----------\nVon: Anna <a@example.de>\nDate: Mo., 12. Okt. 2026\n"
     "Subject: Rücksendung\nTo: <service@hafenkorb.de>\n\n\nIch möchte einen Artikel zurücksenden. Wie geht das?",
     "de/ruecksendung"),
    # the agent's lines are about delivery times, the customer asks about a return
    ("Kunde: Hallo\nAgent: Hallo! Wie lange dauert die Lieferung bei Ihnen? Moment bitte.\n"
     "Kunde: Ich möchte einen Artikel zurücksenden.", "de/ruecksendung"),
    # the colleague's note asks about delivery times, the forwarded customer about a return
    ("Von: Tom <tom@hafenkorb.de>\n\nKannst du das übernehmen? Wie lange dauert die Lieferung nach Österreich "
     "gerade?\n\n"
     "---------- Weitergeleitete Nachricht ----------\nVon: Anna <a@example.de>\nSubject: Rücksendung\n\n"
     "Ich möchte einen Artikel zurücksenden. Wie geht das?", "de/ruecksendung"),
])
def test_the_article_for_the_customers_request_comes_first(fake_engine, message, first):
    _parts, hits = search_message(fake_engine, message, lang="de", own_domains=SHOP_DOMAINS)
    assert hits[0].hit.id == first, [(h.hit.id, h.parts) for h in hits]


# the sample help centre's cases run in tests/test_index_search.py, beside its other uses of the
# sample shop's index (one build per test worker, not two)
SHOP_CASES = [
    (OUTLOOK_DE, "de/retouren/ruecksendung"),
    (OUTLOOK_EN_REPLY, "en/shipping/change-delivery-address"),
    (OUTLOOK_DE_REPLY, "de/versand/sendungsverfolgung"),
    (OUTLOOK_DE_FORWARD, "de/rechnungen/rechnung"),
    (GMAIL_DE_FORWARD, "de/versand/sendungsverfolgung"),
    (GMAIL_EN_FORWARD, "en/vouchers/promo-codes"),
    (GMAIL_EN_REPLY, "en/returns/refunds"),
    (APPLE_DE_REPLY, "de/bestellung/stornieren"),
    (CHAT_DE, "de/konto/passwort-vergessen"),
    (CHAT_EN, "en/orders/cancel-order"),
    (CHAT_TIMED, "en/payment/payment-problems"),
    (NOTED_GMAIL_FORWARD, "en/vouchers/promo-codes"),  # not the note's return labels
    (NOTED_OUTLOOK_FORWARD, "de/rechnungen/rechnung"),  # not the note's delivery to Austria
    (NOTED_CHAIN, "de/retouren/ruecksendung"),  # not the second note's vouchers
]


def _repeats(parsed):
    """Every repeat in a parsed pattern: (opcode, its upper bound), nested ones too."""
    for op, av in parsed:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            yield op, av[1]
            yield from _repeats(av[2])
        elif op in (sre_constants.SUBPATTERN,):
            yield from _repeats(av[3])
        elif op == sre_constants.BRANCH:
            for branch in av[1]:
                yield from _repeats(branch)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            yield from _repeats(av[1])
        elif op == sre_constants.ATOMIC_GROUP:
            yield from _repeats(av)


PATTERNS = [(module.__name__, name, value) for module in (mail_layout, chat_turns)
            for name, value in vars(module).items() if isinstance(value, re.Pattern)]
SEARCHED = {"_ATTRIBUTION_VERB", "_AGENT_PHRASE"}  # applied with search(): a start at every position


@pytest.mark.parametrize("module, name, pattern", PATTERNS)
def test_no_pattern_reading_a_line_can_backtrack_over_an_unbounded_repeat(module, name, pattern):
    """A pattern applied with match() whose unbounded repeats are possessive never gives back what
    a repeat took: a line is read once, in time linear in its length (two greedy repeats that can
    match the same text try every split of it: quadratic). One applied with search() starts at
    every position, so it has no unbounded repeat at all."""
    repeats = list(_repeats(sre_parser.parse(pattern.pattern, pattern.flags)))
    unbounded = [op for op, most in repeats if most == sre_constants.MAXREPEAT]
    if name in SEARCHED:
        assert unbounded == []
    else:
        assert all(op == sre_constants.POSSESSIVE_REPEAT for op in unbounded), (module, name)


def test_the_pattern_check_finds_a_repeat_that_backtracks():
    greedy = [op for op, most in _repeats(sre_parser.parse(r"am .* schrieb .*:")) if most == sre_constants.MAXREPEAT]
    assert greedy == [sre_constants.MAX_REPEAT] * 2


@pytest.mark.parametrize("hostile, searched", [
    ("Am " + " schrieb x" * 2_500, ["Am  schrieb x schrieb x"]),  # no colon at its end: text, no attribution
    ("Kunde" + " a" * 10_000 + ": wo ist mein Paket?", ["Kunde a a a"]),  # too long for a speaker
    ("Von: x\n" * 2_500 + "\nWo ist mein Paket?", ["Wo ist mein Paket?"]),  # one header block
    ("Wo ist mein Paket?\n" + "Datum: 1.10.\n\n" * 1_500, ["Wo ist mein Paket?"]),  # no sender: text of no words
    ("Betreff: " + "AW: " * 5_000 + "Paket", ["AW: AW: AW: AW:"]),  # prefixes cut up to MAX_PREFIXES
    ("[10:32] " + "a" * 19_000 + ": x\n[10:33] Agent: y", ["[10:32] aaaa"]),  # one speaker: no chat
])
def test_a_hostile_message_of_twenty_thousand_characters_is_read_whole(hostile, searched):
    """Read line by line by the patterns checked above; the text is cut at MAX_MESSAGE_CHARS."""
    parts = message_parts(hostile[:MAX_MESSAGE_CHARS])
    assert len(parts) == len(searched) and all(part.startswith(start) for part, start in zip(parts, searched)), \
        [part[:40] for part in parts]


def test_the_shops_domains_are_those_of_its_e_mail_channels(tmp_path):
    """site.yml's e-mail address names the shop's domain: colleagues' notes come from it."""
    from kb.web.site import load_site
    assert load_site(Path(__file__).parent.parent / "site.yml").own_domains == SHOP_DOMAINS
    site = tmp_path / "site.yml"
    site.write_text("channels:\n  - {kind: email, value: Service, href: 'mailto:Service@Shop.example?subject=Hi'}\n"
                    "  - {kind: email, value: hilfe@shop.example}\n  - {kind: phone, value: 'a@b.c'}\n")
    assert load_site(site).own_domains == ("shop.example",)
    assert load_site(None).own_domains == ()


# what a customer pasted into the contact form: the shop's mail, opening with its "Original Message"
# line and header, and their own sentence below it
PASTED_ORIGINAL = """-----Original Message-----
From: Service Hafenkorb <[email]>
Sent: Montag, 2. März 2026 10:12
To: [email]
Subject: Ihre Bestellung wurde versandt

Mein Paket ist nach zwei Wochen immer noch nicht angekommen. Was kann ich tun?
"""


@pytest.mark.parametrize("text, preview", [
    (PASTED_ORIGINAL, "Mein Paket ist nach zwei Wochen immer noch nicht angekommen. Was kann ich tun?"),
    (GMAIL_DE_FORWARD, "meine Bestellung ist seit einer Woche unterwegs und die Sendungsverfolgung zeigt"),
    (OUTLOOK_EN_REPLY, "can I still change the delivery address of my order? I am moving next week."),
    ("Hallo,\n\nwo ist mein Paket?\n\nViele Grüße\nAnna", "wo ist mein Paket?"),
    ("Am 12.10.2026 um 10:32 schrieb Hafenkorb <\n[email]>:\nIhre Bestellung ist unterwegs.",
     "Ihre Bestellung ist unterwegs."),
    ("Danke!", "Danke!"),
    ("-----Original Message-----\nFrom: Service Hafenkorb <[email]>", "-----Original Message----- From: Service"),
])
def test_the_inbox_preview_starts_with_words_not_with_a_mail_header(text, preview):
    """The customer's own lines; when the mail opens with its quoted history, its lines that are
    not header, separator or attribution; all of it when nothing else is left."""
    from kb.search.message_request import customer_preview
    assert customer_preview(text).startswith(preview)
