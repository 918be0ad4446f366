"""Ranking, fusion, snippets, highlights, spelling, language guessing and passages,
on a real index of the fixture articles built with deterministic fake encoders:
fast, no model loaded."""
import numpy as np
import pytest
from markupsafe import escape

from kb.content.passages import ARTICLE, SECTION, SENTENCE
from kb.content.text import ALNUM_WORD, LETTER_WORD, WHOOSH_TOKEN, WORD_CHARS, fold, stem
from kb.index.speller import Speller, levenshtein
from kb.search.fusion import top_two, z_scores
from kb.search.query_language import LanguageGuesser
from kb.search.results import Hit
from kb.search.snippets import SNIPPET_CHARS, highlights, mark, snippet
from search_helpers import fake_engine  # noqa: F401 (fixture)


# -- ranking and fusion -------------------------------------------------------------------
def test_question_finds_the_article_in_its_language(fake_engine):
    r = fake_engine.search("Lieferung nach Österreich")
    assert r.lang == "de" and r.results[0].id == "de/lieferzeit"
    assert r.results[0].anchor == "lieferung-ins-ausland"


def test_translations_compete_as_one_and_the_question_language_is_shown(fake_engine):
    r = fake_engine.search("how long does delivery to Austria take", limit=10)
    ids = [h.id for h in r.results]
    assert r.lang == "en" and ids[0] == "en/delivery"
    assert "de/lieferzeit" not in ids  # its translation already stands for it
    german = fake_engine.search("wie lange dauert die Lieferung nach Österreich", limit=10)
    assert german.results[0].id == "de/lieferzeit" and "en/delivery" not in [h.id for h in german.results]


def test_public_searches_never_see_internal_articles(fake_engine):
    public = fake_engine.search("Kulanz Freigabe", limit=10)
    assert all(h.audience == "public" for h in public.results)
    internal = fake_engine.search("Kulanz Freigabe", audience="internal", limit=10)
    assert internal.results[0].id == "intern/kulanz"


def test_filters_and_limit(fake_engine):
    assert len(fake_engine.search("Lieferung", limit=1).results) == 1
    only_en = fake_engine.search("Lieferung", languages=["en"], limit=10).results
    assert only_en and all(h.lang == "en" for h in only_en)
    assert fake_engine.search("Lieferung", category="no such category").results == []


def test_repeated_search_is_served_from_the_cache_and_callers_cannot_change_it(fake_engine):
    first = fake_engine.search("retourenlabel drucken")
    calls = [e.calls for e in fake_engine.encoders]
    first.results.clear()
    again = fake_engine.search("retourenlabel drucken")
    assert again.results and [e.calls for e in fake_engine.encoders] == calls


def test_the_monolingual_encoder_is_not_asked_for_a_german_question(fake_engine):
    english = fake_engine.encoders[1]
    before = english.calls
    fake_engine.search("Wie lange dauert die Zustellung in die Schweiz")
    assert english.calls == before


def test_z_scores_count_only_the_masked_articles():
    x = np.array([1.0, 2.0, 3.0, 100.0])
    mask = np.array([True, True, True, False])
    z = z_scores(x, mask)
    assert z[:3].mean() == pytest.approx(0.0) and z[:3].std() == pytest.approx(1.0)
    assert z[3] > 50  # outside the mask: on the same scale, not part of it
    assert not z_scores(x, np.array([True, False, False, False])).any()  # one article: no evidence
    assert np.allclose(z_scores(np.ones(4), mask), 0.0)  # no spread: centred, not divided by zero


def test_top_two():
    assert top_two(np.array([0.2, 0.9, 0.5])) == (pytest.approx(0.9), pytest.approx(0.4))
    assert top_two(np.array([0.7])) == (0.7, 0.7)


# -- snippets and highlights ---------------------------------------------------------------
LONG = " ".join(f"Satz Nummer {i} erzählt etwas über die Lieferung und noch mehr Worte." for i in range(12))


def test_short_sections_are_shown_whole():
    assert snippet("Eins zwei drei. Vier fünf sechs.") == "Eins zwei drei. Vier fünf sechs."
    assert snippet("") == ""


def test_long_sections_centre_on_the_answering_sentence():
    s = snippet(LONG, best_sentence=6)
    assert "Nummer 6 " in s and s.startswith("… ") and s.endswith(" …")
    assert len(s) <= SNIPPET_CHARS + 4
    first = snippet(LONG)
    assert first.startswith("Satz Nummer 0 ") and first.endswith("…")


def test_highlights_match_stems_not_strings():
    text = "Lieferungen nach Österreich dauern länger."
    spans = highlights(text, "Lieferung Österreich", "de")
    assert [text[a:b] for a, b in spans] == ["Lieferungen", "Österreich"]
    assert highlights(text, "und die", "de") == []  # stop words mark nothing


def test_mark_wraps_and_escapes():
    assert mark("a <b> c", [(2, 5)]) == "a «<b>» c"
    html = mark("x & <y>", [(4, 7)], "<mark>", "</mark>", escape=lambda t: str(escape(t)))
    assert html == "x &amp; <mark>&lt;y&gt;</mark>"


def test_a_hit_has_one_json_form():
    hit = Hit("de/a", "T", "de", "Versand", "public", 1.5, "T › S", "s", "snip", [(0, 4)])
    assert hit.to_dict()["highlights"] == [[0, 4]] and hit.to_dict()["audience"] == "public"
    api = hit.to_dict(url="/de/a", audience=False)
    assert api["url"] == "/de/a" and "audience" not in api


# -- spelling --------------------------------------------------------------------------------
def test_speller_prefers_the_frequent_word_within_the_allowed_edits():
    speller = Speller({"retourenlabel": 5, "rechnung": 9, "rechnen": 1, "paket": 3})
    assert speller.corrections("Retourenlabl rechnug pakt pkt") == {
        "retourenlabl": "retourenlabel", "rechnug": "rechnung", "pakt": "paket"}  # "pkt": too short
    assert speller.corrections("rechnung 12345") == {}
    assert levenshtein("rechnug", "rechnung", 2) == 1 and levenshtein("abc", "xyzuvw", 2) == 3


def test_did_you_mean_keeps_the_question_and_fixes_its_words(fake_engine):
    r = fake_engine.search("Retourenlabl erstellen")
    assert r.did_you_mean == "retourenlabel erstellen"


# -- language guessing -----------------------------------------------------------------------
@pytest.mark.parametrize("text, lang", [("wo ist mein paket", "de"), ("where is my parcel", "en"),
                                        ("Rücksendung", "de"), ("12345", None), ("paket", None)])
def test_language_guess_from_function_words_and_vocabulary(text, lang):
    assert LanguageGuesser().guess(text) == lang


def test_language_guess_uses_the_articles_words():
    assert LanguageGuesser({"de": {"paket"}, "en": {"parcel"}}).guess("paket") == "de"


# -- passages and text ---------------------------------------------------------------------
def test_passages_cover_articles_sections_and_sentences(fake_engine):
    index = fake_engine.index
    a = index.by_id["de/lieferzeit"]
    kinds = index.kind[index.article_passages[a]]
    assert {ARTICLE, SECTION, SENTENCE} <= set(kinds.tolist())
    sections = {int(n) for n in index.section[index.article_passages[a]] if n >= 0}
    assert len(sections) == 2  # the introduction and "Lieferung ins Ausland"


def test_text_folding_and_word_patterns():
    assert fold("Rücksendung STRASSE Straße") == "rucksendung strasse strasse"
    assert WORD_CHARS.findall("a_b 3x") == ["a_b", "3x"]
    assert LETTER_WORD.findall("a_b 3x") == ["a", "b", "x"]
    assert ALNUM_WORD.findall("a_b 3x") == ["a", "b", "3x"]
    assert WHOOSH_TOKEN.findall("v3.5 e.g") == ["v3.5", "e.g"]
    assert stem("de", "Lieferungen") == stem("de", "Lieferung") and stem("de", "und") is None
