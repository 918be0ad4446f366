"""A typo one edit from a known word is corrected before the search (kb/search/typo_words.py)."""
import shutil

import pytest

from search_helpers import FIXTURES, build_fake_engine, fake_engine  # noqa: F401 (fixture)

from kb.search.typo_words import CompoundRepair, TypoWords, nearest_word, one_edit

GERMAN = "abcdefghijklmnopqrstuvwxyzäöüß"
NOTHING = frozenset().__contains__


@pytest.mark.parametrize("typed, meant, langs", [
    ("unbedngt", "unbedingt", ("de",)),  # a letter dropped
    ("satubsauger", "staubsauger", ("de",)),  # two letters swapped
    ("staubsaugr", "staubsauger", ("de",)),
    ("zusatzversicherrung", "zusatzversicherung", ("de",)),  # one doubled
    ("somthing", "something", ("en",)),
    ("arives", "arrives", ("en",)),  # "drives" is more frequent, but customers keep the first letter
    ("bestelung", "bestellung", ("de", "en")),  # language unknown: both dictionaries
])
def test_a_word_one_edit_from_a_dictionary_word_is_that_word(typed, meant, langs):
    assert nearest_word(typed, langs, NOTHING, GERMAN) == meant


@pytest.mark.parametrize("typed", [
    "woanders",  # a German word as typed
    "klarna",  # a name: no word one edit away
    "amex",  # four letters: only the help centre's words are candidates, and it has none
    "versandgebührenx",  # nothing one edit away in the dictionary
    "rücksendeetiketten",  # a compound no dictionary holds, and no word one edit away
    "rechnungskauf",  # a compound of dictionary words, one edit from another ("rechnungslauf")
    "rausbekommen",  # colloquial: "raus" and "bekommen", one edit from "rausgekommen"
    "lieferarten",  # a verb's stem and a word, one edit from "lieferanten"
])
def test_known_words_names_and_short_words_stay(typed):
    assert nearest_word(typed, ("de", "en"), NOTHING, GERMAN) is None


@pytest.mark.parametrize("typed, meant", [
    ("suport", "support"),  # "sport" is more frequent
    ("einlogen", "einloggen"),  # "einlegen" is more frequent
    ("bestelen", "bestellen"),  # "bestehen" is more frequent
    ("kenwort", "kennwort"),  # no list holds it, nor "kernwort": the double decides
])
def test_a_dropped_letter_of_a_double_comes_first(typed, meant):
    assert nearest_word(typed, ("de",), NOTHING, GERMAN) == meant


@pytest.mark.parametrize("typed, meant", [
    ("ruckgabe", "rückgabe"),  # no "ruck|gabe": parts this short make typos into words
    ("bestelung", "bestellung"),  # no "beste|lung"
    ("verandkosten", "versandkosten"),  # no "verand|kosten": a dictionary's rare form
])
def test_a_typo_is_no_compound_of_short_or_rare_parts(typed, meant):
    assert nearest_word(typed, ("de",), NOTHING, GERMAN) == meant


@pytest.mark.parametrize("typed, meant", [
    ("liferadresse", "lieferadresse"),  # in the first part, a verb's stem
    ("versandadrese", "versandadresse"),  # in the second
    ("rückgabebedingunen", "rückgabebedingungen"),
    ("geschäfstkonto", "geschäftskonto"),  # with its linking "s"
])
def test_a_typo_in_one_part_of_a_compound_no_dictionary_holds_is_repaired(typed, meant):
    compounds = CompoundRepair(["lieferadresse", "versandkosten", "rückgabe", "bedingungen", "geschäftskunden"])
    assert nearest_word(typed, ("de",), NOTHING, GERMAN, (), compounds) == meant
    assert nearest_word(typed, ("en",), NOTHING, GERMAN, (), compounds) is None  # German compounds only


def test_a_compound_is_repaired_only_towards_the_help_centre_words():
    assert nearest_word("retourenschein", ("de",), NOTHING, GERMAN, (), CompoundRepair(["retoure"])) is None
    # "adresse" ends none of the help centre's words
    assert nearest_word("versandadrese", ("de",), NOTHING, GERMAN, (), CompoundRepair(["versand"])) is None


def test_retyping_repairs_compounds_by_the_help_centre_german_words():
    typos = TypoWords(NOTHING, {"de": ["lieferung", "rechnungsadresse"], "en": ["delivery"]})
    assert typos.retyped("Neue Liferadresse", "de") == "Neue Lieferadresse"
    assert TypoWords(NOTHING, {"en": ["delivery"]}).retyped("liferadresse", None) == "liferadresse"


def test_the_help_centre_words_are_candidates_from_four_letters():
    help_centre = {"label", "retourenlabel"}.__contains__
    assert nearest_word("labl", ("en",), help_centre, GERMAN) == "label"
    assert nearest_word("retourenlabl", ("de",), help_centre, GERMAN) == "retourenlabel"
    assert nearest_word("label", ("en",), help_centre, GERMAN) is None  # the help centre's own word


def test_one_edit_covers_every_kind_of_edit():
    edits = one_edit("ab", "abc")
    assert {"b", "a", "ba", "cab", "acb", "abc", "cb", "ac"} <= edits and "ab" not in edits
    assert "abcd" not in edits  # two edits


def test_the_help_centre_words_come_before_more_frequent_dictionary_words():
    assert nearest_word("lieferng", ("de",), NOTHING, GERMAN) == "lieferung"  # a letter left out
    assert nearest_word("lieferng", ("de",), {"liefern"}.__contains__, GERMAN) == "liefern"


def test_retyping_keeps_case_and_the_other_words_and_reads_ß_from_the_help_centre():
    words = {"straße", "größe", "fuß", "lieferung"}
    typos = TypoWords(words.__contains__, {"de": words})
    assert typos.retyped("Lieferng in die Strase 12", "de") == "Lieferung in die Straße 12"
    assert typos.retyped("Lieferng", "de") == "Lieferung"  # cached: the same answer
    assert typos.retyped("klarna rechnung", "de") == "klarna rechnung"
    assert TypoWords(NOTHING, {}).retyped("unbedngt", None) == "unbedngt"  # no language to correct in


def test_a_typo_in_a_word_typed_without_umlauts_is_found_in_its_umlaut_spelling():
    words = {"rückerstattung", "dauer"}
    typos = TypoWords(words.__contains__, {"de": words})
    assert typos.retyped("rueckerstatung dauer", "de") == "rückerstattung dauer"
    assert typos.retyped("queue", "de") == "queue"  # a known word stays
    assert typos.retyped("rueckerstatung", "en") == "rueckerstatung"  # only German questions


def test_the_work_one_question_causes_is_bounded(monkeypatch):
    from kb.search import typo_words
    words = {"rückerstattung", "lieferung"}
    typos = TypoWords(words.__contains__, {"de": words})
    long_word = "lieferung" * 3 + "x" * (typo_words.MAX_TYPO_CHARS - 26)  # one letter past the bound
    assert typos.retyped(long_word[:-1] + " lieferng", "de") == long_word[:-1] + " lieferung"
    looked_up = []
    real = typo_words.nearest_word
    monkeypatch.setattr(typo_words, "nearest_word",
                        lambda word, *a, **k: looked_up.append(word) or real(word, *a, **k))
    assert typos.retyped(long_word + "y", "de") == long_word + "y"  # a name, code or mashing: not looked up
    assert typos.retyped("ueueueuek", "de") == "ueueueuek"  # more pairs than a word typed without umlauts has
    assert looked_up == ["ueueueuek"]  # its own spelling only, not its eight umlaut spellings
    mashed = " ".join(f"qwxz{letter}" for letter in "abcdefghij")
    typos.retyped(mashed, "de")
    assert len(looked_up) == 1 + typo_words.MAX_LOOKED_UP
    typos.retyped(mashed + " rueckerstatung", "de")  # the cached words cost nothing; the new ones count
    assert len(looked_up) == 1 + 2 * typo_words.MAX_LOOKED_UP
    looked_up.clear()  # each umlaut spelling of a word counts as a lookup of its own
    typos.retyped(" ".join(f"qwx{c}uezkuevv" for c in "abcdefgh"), "de")
    assert len(looked_up) == typo_words.MAX_LOOKED_UP


def test_a_word_glued_or_hyphen_joined_to_a_number_names_a_model_and_is_no_typo():
    typos = TypoWords({"sitzen", "lieferung"}.__contains__, {"de": {"sitzen": 3, "lieferung": 2}})
    assert typos.retyped("Sitzer", "de") == "Sitzen"  # alone: one edit from a help-centre word
    assert typos.retyped("Sofa Malmö 3-Sitzer", "de") == "Sofa Malmö 3-Sitzer"
    assert typos.retyped("3Sitzer", "de") == "3Sitzer"
    assert typos.retyped("Sitzer-2 Lieferng", "de") == "Sitzer-2 Lieferung"
    assert typos.retyped("Sitzer2", "de") == "Sitzer2"
    assert typos.retyped("3 Sitzer", "de") == "3 Sitzen"  # apart from the number: an ordinary word


def test_the_help_centre_words_are_candidates_in_the_question_language():
    typos = TypoWords({"aber", "after"}.__contains__, {"de": {"aber": 2}, "en": {"after": 1}})
    assert typos.retyped("bed frame snapped ater 2 yrs", "en") == "bed frame snapped after 2 yrs"
    assert typos.retyped("ater", "de") == "aber"
    assert typos.retyped("ater", None) == "after"  # either language: a letter left out before one replaced


def test_a_word_of_another_language_of_the_help_centre_is_no_typo():
    typos = TypoWords(NOTHING, {"de": [], "en": []})
    assert typos.retyped("gibts a size chart", "en") == "gibts a size chart"  # not "gifts"
    assert typos.retyped("whats mit fedex", "de") == "whats mit fedex"  # not "wats", "feder"
    assert TypoWords(NOTHING, {"en": []}).retyped("gibts", "en") == "gifts"  # an English-only help centre


def test_an_english_word_in_a_german_question_is_no_typo_in_a_german_only_help_centre():
    typos = TypoWords(NOTHING, {"de": []})
    assert typos.retyped("wie cancel ich meinen auftrag", "de") == "wie cancel ich meinen auftrag"  # no "cancer"
    assert typos.retyped("cancel meine bestelung", "de") == "cancel meine bestellung"


def test_the_search_reads_the_corrected_question_and_shows_both(fake_engine):
    typo = fake_engine.search("artikel zurücksendn", lang="de")
    meant = fake_engine.search("artikel zurücksenden", lang="de")
    assert (typo.query, typo.original) == ("artikel zurücksenden", "artikel zurücksendn")
    assert [h.id for h in typo.results] == [h.id for h in meant.results]
    assert [h.score for h in typo.results] == [h.score for h in meant.results]
    as_typed = fake_engine.search("artikel zurücksendn", lang="de", correct=False)
    assert (as_typed.query, as_typed.original) == ("artikel zurücksendn", None)


def test_an_anonymous_search_never_corrects_towards_internal_words(tmp_path):
    """"Paketfuxx" (no dictionary word) is only in an internal article."""
    shutil.copytree(FIXTURES, tmp_path / "articles")
    (tmp_path / "articles" / "intern" / "fuxx.md").write_text(
        "---\ntitle: Paketfuxx für Agenten\nlang: de\ncategory: Intern\naudience: internal\n---\n\n"
        "## Paketfuxx\n\nDer Paketfuxx zeigt Agenten jede Sendung.\n", encoding="utf-8")
    engine = build_fake_engine(tmp_path / "articles", tmp_path / "index")
    public = engine.search("paketfux sendung", lang="de")
    assert (public.query, public.original) == ("paketfux sendung", None)
    internal = engine.search("paketfux sendung", lang="de", audience="internal")
    assert (internal.query, internal.original) == ("paketfuxx sendung", "paketfux sendung")


def test_a_letter_left_out_comes_before_a_more_common_word_with_a_letter_replaced():
    help_centre = {"when", "where", "here", "order"}.__contains__
    assert nearest_word("wher", ("en",), help_centre, GERMAN) == "where"  # not "when", twice as common
