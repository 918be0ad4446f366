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
from kb.search.dense import encoder_text
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
