"""The agent's "copy answer": whole sections as clean text, in the article's language, internal ones marked."""
import re
from html import unescape

from conftest import csrf_token
from kb.web.copy_text import copy_text

BODY = """Einleitung.

## Fristen

Sie haben 30 Tage Zeit (siehe Tabelle).

- Etikett drucken
- Paket packen
  - gut polstern
- abgeben

1. Portal öffnen
2. Etikett wählen

| Land | Tage |
|---|---|
| DE | 2 |

## Anderes

Nicht mehr dabei.
"""
PASSWORD = "correct horse battery"


def test_whole_section_with_one_list_item_per_line_and_link_in_the_article_language():
    art = {"audience": "public", "lang": "de", "body": BODY}
    text = copy_text(art, "fristen", "Fristen", "https://hilfe.example/articles/r#fristen").text
    assert text == ("Fristen:\nSie haben 30 Tage Zeit (siehe Tabelle).\n\n- Etikett drucken\n- Paket packen\n"
                    "  - gut polstern\n- abgeben\n\n1. Portal öffnen\n2. Etikett wählen\n\nLand: Tage\nDE: 2\n\n"
                    "Mehr dazu: https://hilfe.example/articles/r#fristen")
    assert "…" not in text and "Nicht mehr dabei" not in text and "Einleitung" not in text
    english = copy_text({**art, "lang": "en"}, "fristen", None, "https://x.example/a").text
    assert english.endswith("\n\nMore: https://x.example/a") and "Mehr" not in english


def test_a_heading_that_ends_in_a_mark_gets_no_colon():
    body = "## Wo finde ich meine Sendungsnummer?\n\nIn der Versandmail.\n\n## Achtung!\n\nNie teilen.\n"
    art = {"audience": "public", "lang": "de", "body": body}
    text = copy_text(art, None, None, "https://hilfe.example/a").text
    assert text.startswith("Wo finde ich meine Sendungsnummer?\nIn der Versandmail.\n\nAchtung!\nNie teilen.")
    section = copy_text(art, "wo-finde-ich-meine-sendungsnummer", "Wo finde ich meine Sendungsnummer?",
                        "https://hilfe.example/a").text  # the section's own heading too
    assert section.startswith("Wo finde ich meine Sendungsnummer?\nIn der Versandmail.")


def test_internal_article_is_marked_and_has_no_customer_link():
    copy = copy_text({"audience": "internal", "lang": "de", "body": BODY}, None, None, "https://x.example/i")
    assert copy.internal and "https://" not in copy.text and "Nicht mehr dabei" in copy.text


def test_links_keep_their_address_where_a_customer_can_open_it():
    body = ("Melden Sie die Rücksendung im [Retourenportal](https://shop.example/retoure) an, "
            "siehe [Erstattung](../retouren/erstattung.md#dauer) oder [intern](../intern/kulanz.md), "
            "Mail an [service@shop.example](mailto:service@shop.example) oder [uns](mailto:service@shop.example), "
            "[hier](ftp://shop.example/x).\n")
    addresses = {"https://shop.example/retoure": "https://shop.example/retoure",
                 "../retouren/erstattung.md#dauer": "https://hilfe.example/articles/de/retouren/erstattung#dauer",
                 "mailto:service@shop.example": "mailto:service@shop.example"}
    copy = copy_text({"audience": "public", "lang": "de", "body": body}, None, None, "https://hilfe.example/a",
                     addresses.get)
    assert copy.text.startswith(
        "Melden Sie die Rücksendung im Retourenportal (https://shop.example/retoure) an, siehe Erstattung "
        "(https://hilfe.example/articles/de/retouren/erstattung#dauer) oder intern, Mail an "
        "service@shop.example oder uns (mailto:service@shop.example), hier.")
    assert not copy.relative and copy_text({"audience": "public", "lang": "de", "body": body}, None, None,
                                           "/articles/de/a").relative


def _agent(app, client):
    app.extensions["kb.accounts"].add("anna", "agent", PASSWORD)
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "anna", "password": PASSWORD})


def _copies(html):
    return [unescape(t) for t in re.findall(r'<textarea id="copy-\d+"[^>]*>(.*?)</textarea>', html, re.S)]


def test_workspace_copies_english_sections_in_english_and_warns_on_internal(app, client):
    _agent(app, client)
    html = client.get("/agent/", query_string={"q": "return label", "language": "en"}).get_data(as_text=True)
    copies = _copies(html)
    assert copies and "Create the label in the returns portal and drop the parcel at DHL." in copies[0]
    # relative without KB_BASE_URL: absolute links come only from the configured address
    assert "More: /articles/en/returns" in copies[0] and "Mehr" not in copies[0]
    assert "Die Links in diesem Text haben noch keine Webadresse" in html  # the agent is told
    html = client.get("/agent/", query_string={"q": "Kulanz Teamleitung Freigabe"}).get_data(as_text=True)
    first = html.split('<li class="answer')[1]
    assert "internal" in first and "Interner Artikel: Diesen Text nicht unverändert" in first
    copy = _copies('<li class="answer' + first)[0]
    assert "15 EUR Kulanz" in copy and "http" not in copy


def test_empty_pasted_message_error_is_in_german(app, client):
    _agent(app, client)
    page = client.get("/agent/message").get_data(as_text=True)
    r = client.post("/agent/message", data={"csrf_token": csrf_token(page), "message": "Hallo,\n\nGrüße\n"})
    text = unescape(r.get_data(as_text=True))
    assert "the message has no text" not in text
    assert "Die Nachricht enthält keinen Text" in text   # only a greeting and a sign-off
