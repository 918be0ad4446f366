"""Messages the lower layers write in English reach a German page in German: the catalog's
entries with {placeholders} match the messages as the code writes them."""
import pytest

from kb.content.article_edit import EditError, validate_id
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
])
def test_messages_of_the_lower_layers_are_translated(written, german):
    assert german in translate_message("de", written)
    assert translate_message("en", written) == written


def test_a_message_the_catalog_lacks_stays_as_written():
    assert translate_message("de", "something new happened") == "something new happened"
