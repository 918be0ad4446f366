"""The encoders read a question in lower case, however the customer typed it.

A real multilingual encoder reads case ("WO IST MEIN PAKET" lands far from "wo ist
mein paket"), so capitals, a phone's capital first letter and lower case must reach
it as one text, and the question-vector cache must hold the vector of that text: it
used to be keyed by the folded question while holding the vector of whichever casing
came first.
"""
import shutil

import pytest

from search_helpers import FAKE_MODELS, FIXTURES, CountingEncoder, fake_encoders

from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search.dense import encoder_text, own_names_pattern
from kb.search.engine import SearchEngine

CASINGS = ("WIE LANGE DAUERT DIE LIEFERUNG", "Wie lange dauert die Lieferung",
           "wie lange dauert die lieferung")


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    base = tmp_path_factory.mktemp("case")
    shutil.copytree(FIXTURES, base / "articles")
    build_index(base / "articles", base / "index", fake_encoders, FAKE_MODELS)
    return base / "index"


@pytest.fixture()
def counted(index):
    """An engine whose encoders record what they were asked to encode."""
    encoders = tuple(CountingEncoder(e) for e in fake_encoders())
    return SearchEngine(LoadedIndex(index, FAKE_MODELS), encoders)


def ranking(result):
    return [(hit.id, round(hit.score, 6)) for hit in result.results]


def test_every_casing_of_a_question_ranks_the_same_and_is_encoded_once(counted):
    results = [counted.search(q, lang="de") for q in CASINGS]
    assert results[0].results, "the fixture articles answer a delivery question"
    assert all(ranking(r) == ranking(results[0]) for r in results[1:])
    multi = counted.encoders[0]
    assert multi.seen == ["wie lange dauert die lieferung"]


def test_primed_questions_are_encoded_as_the_search_reads_them(counted):
    counted.prime(["WIE LANGE DAUERT DIE LIEFERUNG", "Wie lange dauert die Lieferung"])
    multi = counted.encoders[0]
    assert multi.seen == ["wie lange dauert die lieferung"]
    counted.search("Wie Lange Dauert Die Lieferung", lang="de")
    assert multi.seen == ["wie lange dauert die lieferung"], "served from the cache"


def test_lower_case_keeps_the_sharp_s():
    # casefold would write "strasse", a spelling the German articles do not use
    assert encoder_text("STRAßE Und Hausnummer ändern") == "straße und hausnummer ändern"


@pytest.mark.parametrize("typed, read", [
    ("Hafenkorb wo ist mein Paket", "wo ist mein paket"),
    ("does hafenkorb ship to austria", "does ship to austria"),
    ("Hafenkorbs Rückgaberecht", "rückgaberecht"),  # with a genitive s
    ("Fernweh  Reisen storno", "storno"),  # a name of two words, however spaced
    ("hafenkorbxyz retoure", "hafenkorbxyz retoure"),  # only the whole word
    ("Hafenkorb", "hafenkorb"),  # nothing else to read
])
def test_the_shops_own_name_is_not_read_by_the_encoders(typed, read):
    assert encoder_text(typed, own_names_pattern(("Hafenkorb", "Fernweh Reisen"))) == read


def test_without_a_name_the_encoders_read_the_question_in_lower_case():
    assert own_names_pattern(()) is None and own_names_pattern(("", "  ")) is None
    assert encoder_text("Hafenkorb wo ist mein Paket", None) == "hafenkorb wo ist mein paket"


def test_a_question_naming_the_shop_ranks_as_the_question(index):
    encoders = tuple(CountingEncoder(e) for e in fake_encoders())
    engine = SearchEngine(LoadedIndex(index, FAKE_MODELS), encoders, own_names=("Hafenkorb",))
    named = engine.search("Hafenkorb: wie lange dauert die Lieferung", lang="de")
    plain = engine.search("wie lange dauert die Lieferung", lang="de")
    assert named.results and ranking(named) == ranking(plain)
    assert encoders[0].seen == ["wie lange dauert die lieferung"]  # one encode for both
    assert named.query.startswith("Hafenkorb")  # the question as searched keeps it (keywords read it)



def test_the_encoders_read_a_questions_first_pieces_only():
    from kb.search.dense import MAX_ENCODED_PIECES
    long_question = " ".join(["where is my parcel, please?"] * 12)  # 84 pieces: read whole
    assert encoder_text(long_question) == long_question
    costly = encoder_text(("a? " * 200)[:500])  # 333 pieces, each a token of its own
    assert costly == ("a? " * 64).rstrip() and len(costly.split()) * 2 == MAX_ENCODED_PIECES
    assert encoder_text(("x." * 250)[:500]) == "x." * (MAX_ENCODED_PIECES // 2)
    assert len(encoder_text("y" * 3000)) == 20 * MAX_ENCODED_PIECES  # a long word counts by 20 letters
