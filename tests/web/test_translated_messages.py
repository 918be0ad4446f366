"""Messages the lower layers write in English reach a German page in German: the catalog's
entries with {placeholders} match the messages as the code writes them."""
import pytest

from kb.content.article_edit import EditError, validate_id
from kb.content.check import NOT_EDITABLE_ID
from kb.ops.suggestions import SuggestionError, find
from kb.web.i18n import translate_message


def _raised(fn, *args):
    with pytest.raises((EditError, SuggestionError)) as caught:
        fn(*args)
    return str(caught.value)


@pytest.mark.parametrize("written, german", [
    (_raised(validate_id, "de/neu artikel"), "„de/neu artikel“ ist keine gültige ID"),
    (_raised(validate_id, "de/../x"), "„de/../x“ ist keine gültige ID: Leere Teile"),
    (_raised(validate_id, ""), "Der Artikel braucht eine ID"),
    (_raised(find, [], "0123456789"), "Den Vorschlag „0123456789“ gibt es nicht mehr"),
    ("missing required key 'title'", "Pflichtfeld „title“ fehlt."),
    ("empty body: the article has no text below the front matter", "Kein Text"),
    ("the question is too long (at most 150 characters)", "höchstens 150 Zeichen"),
    ("'min_views' must be a whole number from 0 to 1000000000, got '2000000000'", "muss eine ganze Zahl von 0"),
    ("version 'abc' of 'de/x' was not found (or the article was deleted in it)", "Die Version „abc“ von „de/x“"),
    ("image from another site (cdn.example.com): the portal shows only its own images; add it with 'Add an image' "
     "in the editor", "Bild von einer anderen Website (cdn.example.com)"),
    (NOT_EDITABLE_ID.format(id="de/Aktion/Sommer Rabatt", n=4, suggestion="de/aktion/sommer-rabatt"),
     "Der Dateiname ergibt die ID „de/Aktion/Sommer Rabatt“, die der Browser-Editor nicht öffnen"),
])
def test_messages_of_the_lower_layers_are_translated(written, german):
    assert german in translate_message("de", written)
    assert translate_message("en", written) == written


def test_a_message_the_catalog_lacks_stays_as_written():
    assert translate_message("de", "something new happened") == "something new happened"


BROKEN_FILES = {
    "no-front-matter.md": "Nur Text.\n",
    "not-closed.md": "---\ntitle: Offen\nlang: de\ncategory: Versand\nText ohne Ende.\n",
    "not-yaml.md": "---\ntitle: Kaputt\nlang: de\ncategory: [offen\n---\nText.\n",
    "no-day.md": "---\ntitle: Tag\nlang: de\ncategory: Versand\nupdated: 2026-13-01\n---\nText.\n",
    "a-list.md": "---\n- title\n- lang\n---\nText.\n",
    "odd-keys.md": "---\ntitle: [eins, zwei]\nlang: xx\ncategory: Versand\naudience: alle\nupdated: gestern\n"
                   "colour: rot\n---\nText.\n",
    "empty.md": "---\ntitle: Leer\nlang: de\ncategory: Versand\n---\n",
}


def test_every_finding_of_kb_check_on_a_broken_file_reads_in_german(tmp_path):
    from kb.content.articles import load_articles
    (tmp_path / "de").mkdir()
    for name, text in BROKEN_FILES.items():
        (tmp_path / "de" / name).write_text(text, encoding="utf-8")
    _valid, problems = load_articles(tmp_path, "de")
    assert len({p.path for p in problems}) == len(BROKEN_FILES)
    untranslated = [p.message for p in problems if translate_message("de", p.message) == p.message]
    assert untranslated == []


def test_the_editors_own_change_notes_read_in_german_a_persons_stay_as_written(app):
    from kb.web.editor_history import change_note
    with app.test_request_context(headers={"Accept-Language": "de"}):
        from flask import g
        g.lang = "de"
        assert change_note("Publish de/versand/paket") == "Veröffentlicht: de/versand/paket"
        assert change_note("Restore de/x to the version 0123abcd, kept published").endswith("bleibt veröffentlicht")
        assert change_note("Delete the old table, it was wrong") == "Delete the old table, it was wrong"
        assert change_note("Update prices for 2027") == "Update prices for 2027"
