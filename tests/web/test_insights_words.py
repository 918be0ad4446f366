"""The insights page's "words no article uses" on searches customers made through the portal
(searched by the real engine, stored masked), read by a German editor: the words as the
customers typed them, one row per word with its other spellings, no word the search read as an
article's word, and the CSV with the page's German column names."""
import csv
import io

from conftest import PASSWORD, csrf_token

CUSTOMERS = ("Rücksendeetikett drucken", "Rücksendeetikett drucken", "wo finde ich rücksendeetiketts",
             "ruecksendeetikett", "Lapel ausdrucken", "Retourenlabl", "Newsletter an max.mustermann@example.com")


def _german_editor(client):
    client.set_cookie("lang", "de")
    token = csrf_token(client.get("/agent/login").get_data(as_text=True))
    client.post("/agent/login", data={"csrf_token": token, "username": "eva", "password": PASSWORD})


def _rows(section: str) -> list[list[str]]:
    body = section.split("<tbody>")[1].split("</tbody>")[0]
    return [[cell.split("</td>")[0] for cell in row.split("<td>")[1:]] for row in body.split("<tr>")[1:]]


def test_a_german_editor_reads_the_customers_words_one_row_per_word(app, accounts):
    customer = app.test_client()
    customer.set_cookie("lang", "de")
    for query in CUSTOMERS:
        assert customer.get("/search", query_string={"q": query}).status_code == 200
    editor = app.test_client()
    _german_editor(editor)
    html = editor.get("/agent/insights?days=30").get_data(as_text=True)
    section = html.split('id="t-missing-words"')[1].split("</section>")[0]
    assert "Wörter der Kundschaft, die kein Artikel verwendet" in section
    assert "Die Formen und Schreibweisen eines Wortes stehen in einer Zeile" in section
    assert '<th scope="col">Wort</th><th scope="col">Auch eingegeben als</th><th scope="col">Suchen</th>' in section
    rows = {row[0]: row for row in _rows(section)}
    assert rows["rücksendeetikett"][1:3] == ["ruecksendeetikett · rücksendeetiketts", "4"]
    assert not {"lapel", "label", "retourenlabl", "retourenlabel", "rücksendeetiketts"} & set(rows)
    assert "mustermann" not in section and "newsletter an [email]" in section
    sheet = editor.get("/agent/insights/missing-words.csv?days=30").get_data(as_text=True).lstrip("\ufeff")
    table = list(csv.reader(io.StringIO(sheet), delimiter=";"))
    assert table[0][:3] == ["Wort", "Auch eingegeben als", "Suchen"]
    assert ["rücksendeetikett", "ruecksendeetikett | rücksendeetiketts", "4"] in [r[:3] for r in table]


def test_the_page_and_the_csv_say_when_only_the_most_frequent_words_were_checked(app, accounts, monkeypatch):
    import importlib
    monkeypatch.setattr(importlib.import_module("kb.ops.insights.missing_words"), "MAX_WORDS_READ", 2)
    customer = app.test_client()
    for query in CUSTOMERS:
        customer.get("/search", query_string={"q": query, "lang": "de"})
    editor = app.test_client()
    _german_editor(editor)
    html = editor.get("/agent/insights?days=30").get_data(as_text=True)
    section = html.split('id="t-missing-words"')[1].split("</section>")[0]
    german = "Geprüft wurden nur die 2 häufigsten der {total} verschiedenen Wörter"
    total = int(section.split("Geprüft wurden nur die 2 häufigsten der ")[1].split(" ")[0])
    assert total > 2 and german.format(total=total) in section
    sheet = editor.get("/agent/insights/missing-words.csv?days=30")
    assert german.format(total=total) in sheet.get_data(as_text=True).splitlines()[-1]
    assert sheet.headers["KB-Words-Checked"] == f"2 of {total}"
    editor.set_cookie("lang", "en")
    english = f"Only the 2 most frequent of the {total} different words searched in this period were checked."
    assert english in editor.get("/agent/insights?days=30").get_data(as_text=True)
    plain = editor.get("/agent/insights/missing-words.csv?days=30&plain=1").get_data(as_text=True)
    assert english not in plain  # programs read the header, not a line that is no row


def test_one_report_serves_the_page_its_csv_and_adding_a_word(app, accounts, monkeypatch):
    from kb.search import unused_words
    readers = []
    real = unused_words.missing_word_reader
    monkeypatch.setattr(unused_words, "missing_word_reader", lambda *a: readers.append(a) or real(*a))
    app.test_client().get("/search", query_string={"q": CUSTOMERS[0], "lang": "de"})
    editor = app.test_client()
    _german_editor(editor)
    editor.get("/agent/insights?days=30")
    editor.get("/agent/insights/missing-words.csv?days=30")
    token = csrf_token(editor.get("/agent/insights?days=30").get_data(as_text=True))
    editor.post("/agent/insights/words?days=30", data={"csrf_token": token, "word": "xyz", "article": "de/x"})
    assert len(readers) == 1
    editor.get("/agent/insights?days=7")  # another period is another report
    assert len(readers) == 2
