"""The question forms of bench/robustness.py: deterministic, and each changes what it says."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from robustness import FORMS  # noqa: E402

QUESTION = "wann kommt meine rückerstattung für die größe"
SHOP = "Hafenkorb"


def test_each_form_is_deterministic_and_changes_the_question():
    for name, change in FORMS.items():
        once, again = change(QUESTION, "de", SHOP), change(QUESTION, "de", SHOP)
        assert once == again, name
        assert (once == QUESTION) == (name == "as written"), name


def test_the_forms_say_what_they_are():
    assert FORMS["capitals"](QUESTION, "de", SHOP) == QUESTION.upper()
    assert FORMS["umlauts written out"](QUESTION, "de", SHOP) == "wann kommt meine rueckerstattung fuer die groesse"
    assert FORMS["greeting and thanks"](QUESTION, "en", SHOP) == f"Hi, {QUESTION} Thanks!"
    assert "#10023456" in FORMS["order number"](QUESTION, "de", SHOP)
    assert FORMS["a link"](QUESTION, "de", SHOP) == f"{QUESTION} https://www.hafenkorb.de/konto/bestellungen"
    assert FORMS["signed with a name"](QUESTION, "en", SHOP).endswith(" Best regards, John Smith")
