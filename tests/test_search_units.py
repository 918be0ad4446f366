"""Ranking, fusion, snippets, highlights, spelling, language guessing and passages,
on a real index of the fixture articles built with deterministic fake encoders:
fast, no model loaded."""
import json
import shutil

import numpy as np
import pytest
from markupsafe import escape

from kb.content.passages import ARTICLE, SECTION, SENTENCE
from kb.content.text import ALNUM_WORD, LETTER_WORD, WHOOSH_TOKEN, WORD_CHARS, fold, stem
from kb.index.speller import Speller, edit_distance
from kb.search.fusion import z_scores
from kb.search.query_language import LanguageGuesser
from kb.search.results import Hit
from kb.search.snippets import SNIPPET_CHARS, highlights, mark, snippet
from kb.index.vocabulary import word_counts
from kb.search.spelling import Spelling, corrected
from search_helpers import FIXTURES, build_fake_engine, fake_engine  # noqa: F401 (fake_engine: a fixture)


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


# -- snippets and highlights ---------------------------------------------------------------
LONG = " ".join(f"Satz Nummer {i} erzählt etwas über die Lieferung und noch mehr Worte." for i in range(12))


def test_short_sections_are_shown_whole():
    assert snippet("Eins zwei drei. Vier fünf sechs.") == "Eins zwei drei. Vier fünf sechs."
    assert snippet("") == ""


def test_list_items_and_table_rows_do_not_run_into_the_next_sentence():
    text = "Kontaktformular: jederzeit, im Hilfe-Center\nAn Feiertagen ist niemand da.\n- Login klappt nicht (Passwort)\n- Fragen?"
    assert snippet(text) == ("Kontaktformular: jederzeit, im Hilfe-Center. An Feiertagen ist niemand da. "
                             "- Login klappt nicht (Passwort). - Fragen?")
    assert snippet("Er sagte „bestellt.“\nDann kam es") == "Er sagte „bestellt.“ Dann kam es"


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


def test_a_loaded_index_gives_highlights_the_stems_of_its_words(fake_engine, monkeypatch):  # noqa: F811
    import kb.content.text as text_module
    from kb.content.text import analyzer_for
    from kb.index.loaded import LoadedIndex
    from search_helpers import FAKE_MODELS
    from kb.content.markdown import parse_blocks, tokens_text
    # the words snippets show: the body as a reader sees it
    words = {(a["lang"], w) for a in fake_engine.index.articles
             for w in WHOOSH_TOKEN.findall(a["title"] + " " + tokens_text(parse_blocks(a["body"])))}
    fresh = {(lang, w): next((t.text for t in analyzer_for(lang)(w)), None) for lang, w in words}
    assert any(w != w.lower() for _, w in words)  # capitalised words: found by their lowered form
    monkeypatch.setattr(text_module, "_STEMS", {})
    LoadedIndex(fake_engine.index.location, FAKE_MODELS).close()
    # the words of the loaded articles are stemmed already: no analyzer runs for them
    monkeypatch.setattr(text_module, "_local", type("NoAnalyzers", (), {"analyzers": {
        lang: None for lang in ("de", "en")}})())
    monkeypatch.setattr(text_module, "analyzer_for", lambda lang: pytest.fail(f"stemmed again ({lang})"))
    assert {key: stem(*key) for key in words} == fresh


def test_agreement_is_the_share_of_evidence_that_puts_the_first_article_first(fake_engine):  # noqa: F811
    text = "how long does delivery to Austria take"
    ev = fake_engine.evidence(text)
    first = int(np.argmax(ev.fused))
    views = [key for key in ev.per_article if key[1] in (ARTICLE, SECTION, SENTENCE)]
    assert len(views) == 6  # two encoders that count for an English question, three views each
    assert fake_engine._agreement(ev, first) == 1.0  # every view and the keywords: the delivery article
    other = int(np.flatnonzero(ev.mask & (fake_engine._groups != fake_engine._groups[first]))[0])
    ev.article_bm25 = np.where(np.arange(len(ev.article_bm25)) == other, 100.0, ev.article_bm25)
    assert fake_engine._agreement(ev, first) == pytest.approx(6 / 7)
    ev.per_article[views[0]] = np.where(np.arange(len(ev.fused)) == other, 9.0, ev.per_article[views[0]])
    assert fake_engine._agreement(ev, first) == pytest.approx(5 / 7)
    ev.article_bm25 = np.zeros_like(ev.article_bm25)  # no keyword matches: no keyword vote
    assert fake_engine._agreement(ev, first) == pytest.approx(5 / 6)
    assert fake_engine.search(text).features["agreement"] == 1.0


def test_first_words_counts_the_question_words_the_first_article_writes(fake_engine):  # noqa: F811
    idx = fake_engine.index
    first = [a["id"] for a in idx.articles].index("en/delivery")
    starts = list(idx.section_starts) + [len(idx.sections)]
    sections = range(int(starts[first]), int(starts[first + 1]))
    # "delivery" and "austria" are in the article, "whatsapp" nowhere; "to" and "with" are stop words
    assert idx.keywords.words_in("delivery to Austria with whatsapp", "en", sections) == (2, 3)
    assert idx.keywords.words_in("whatsapp", "en", sections) == (0, 1)
    ev = fake_engine.evidence("delivery to Austria with whatsapp")
    assert int(np.argmax(ev.fused)) == first
    assert fake_engine._first_words(ev, first, "delivery to Austria with whatsapp", 0.3) == pytest.approx(2 / 3)
    ev.qlang = "de"  # another language than the article's: the help centre's coverage stands in
    assert fake_engine._first_words(ev, first, "delivery to Austria with whatsapp", 0.3) == 0.3


def test_first_words_leaves_out_the_front_matter_questions(tmp_path):
    from search_helpers import build_fake_engine
    article = tmp_path / "articles" / "en" / "esim.md"
    article.parent.mkdir(parents=True)
    article.write_text("---\ntitle: Setting up your eSIM\nlang: en\ncategory: Mobile\n"
                       "questions:\n  - how do i install the esim on my phone\n---\n\n"
                       "## Activation\n\nScan the QR code in your account to activate the eSIM.\n",
                       encoding="utf-8")
    engine = build_fake_engine(tmp_path / "articles", tmp_path / "index")
    # "install" and "phone" are only in a (learned) question: the form, not the article's words
    assert engine.index.keywords.words_in("install esim phone", "en", range(0, 1)) == (1, 3)


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
    assert edit_distance("rechnug", "rechnung", 2) == 1 and edit_distance("abc", "xyzuvw", 2) == 3
    assert edit_distance("retrun", "return", 1) == 1  # swapped neighbours: one edit


def test_speller_prefers_fewer_edits_to_a_more_frequent_word():
    speller = Speller({"bleibt": 9, "bleiben": 2, "monaten": 3, "montags": 8, "kommen": 2, "kommt": 5})
    assert speller.corrections("bleiebn montaen kommn") == {
        "bleiebn": "bleiben", "montaen": "monaten",  # one swap, against two edits to the frequent word
        "kommn": "kommt"}  # one edit to each: the frequent one


def test_anonymous_searches_learn_nothing_from_internal_words(fake_engine):
    """Spelling and language guess of a public search come from public articles only:
    "Teamleitung" is a word only the internal fixture article uses (two edits from the typo:
    one edit would be the dictionary's correction, kb/search/typo_words.py)."""
    public = fake_engine.search("Teamleitg Freigabe")
    assert "teamleitung" not in public.fixes.values()
    assert "teamleitung" not in json.dumps(public.to_dict(), ensure_ascii=False).lower()
    assert fake_engine.guesser.guess("Teamleitung") is None  # public: an unknown word, no language
    internal = fake_engine.search("Teamleitg Freigabe", audience="internal")
    assert internal.fixes.get("teamleitg") == "teamleitung"
    assert fake_engine.search("Teamleitung", audience="internal").lang == "de"


def test_the_vocabulary_counts_public_words_apart(fake_engine):
    de = fake_engine.index.vocabulary["languages"]["de"]
    assert de["word_counts"]["teamleitung"] == 1 and "teamleitung" not in de["public_word_counts"]
    assert de["public_word_counts"]["retourenlabel"] >= 1


def test_the_vocabulary_holds_the_words_a_reader_sees_not_link_targets(fake_engine):
    # lieferzeit.md: "Mehr dazu unter [Rückgabe](ruecksendung.md)."
    de = fake_engine.index.vocabulary["languages"]["de"]["word_counts"]
    assert "rückgabe" in de and "ruecksendung" not in de and "md" not in de


def test_an_index_without_word_counts_gets_them_from_its_articles(fake_engine):
    index = fake_engine.index
    old = {"languages": {lang: {k: v for k, v in entry.items() if not k.endswith("word_counts")}
                         for lang, entry in index.vocabulary["languages"].items()}}
    assert word_counts(old, index.articles) == word_counts(index.vocabulary, index.articles)


def test_a_correction_is_applied_only_when_it_turns_no_answer_into_an_answer(tmp_path, monkeypatch):
    """The typo is two edits from the help centre's word: one edit is corrected before the
    search whatever it answers (kb/search/typo_words.py)."""
    from kb.search import answer_model
    # answered exactly when the help centre knows every word of the question
    monkeypatch.setattr(answer_model, "answer_probability", lambda f: 0.9 if f["coverage_typed"] == 1.0 else 0.1)
    shutil.copytree(FIXTURES, tmp_path / "articles")
    engine = build_fake_engine(tmp_path / "articles", tmp_path / "index")
    r = engine.search("Retournlabl erstellen")
    assert (r.query, r.original, r.did_you_mean, r.answered) == (
        "retourenlabel erstellen", "Retournlabl erstellen", None, True)
    typed = engine.search("Retournlabl erstellen", correct=False)
    assert (typed.query, typed.original, typed.did_you_mean, typed.answered) == (
        "Retournlabl erstellen", None, "retourenlabel erstellen", False)
    nothing = engine.search("Zebrrra Retournlabl")  # still not answered when corrected: nothing shown
    assert (nothing.query, nothing.original, nothing.did_you_mean, nothing.answered) == (
        "Zebrrra Retournlabl", None, None, False)
    # ... but the articles listed follow the corrected words, unless the customer chose the typed ones
    fixed = engine.search(corrected("Zebrrra Retournlabl", nothing.fixes))
    as_typed = engine.search("Zebrrra Retournlabl", correct=False)
    assert [h.id for h in nothing.results] == [h.id for h in fixed.results]
    assert [h.score for h in nothing.results] == [h.score for h in fixed.results] != [
        h.score for h in as_typed.results]
    monkeypatch.setattr(answer_model, "answer_probability", lambda f: 0.9)  # answered as typed
    kept = build_fake_engine(tmp_path / "articles", tmp_path / "index").search("Retournlabl erstellen")
    assert (kept.query, kept.original, kept.did_you_mean) == ("Retournlabl erstellen", None, None)


def test_corrections_come_from_the_question_language():
    spelling = Spelling({"de": {True: {"rechnung": 3}, False: {"rechnung": 3, "betrugsverdacht": 1}},
                         "en": {True: {"invoice": 2}, False: {"invoice": 2}}})
    assert spelling.corrections("rechnug", "de", public=True) == {"rechnug": "rechnung"}
    assert spelling.corrections("rechnug", None, public=True) == {"rechnug": "rechnung"}
    assert spelling.corrections("rechnug", "en", public=True) == {}  # no German word for an English question
    assert spelling.corrections("rechnug", "fr", public=True) == {}  # no article in French: nothing to offer
    assert spelling.corrections("betrugsverdact", "de", public=True) == {}
    assert spelling.corrections("betrugsverdact", "de", public=False) == {"betrugsverdact": "betrugsverdacht"}
    assert spelling.corrections("invoice rechnung", "en", public=True) == {}  # known words stay as typed


def test_dictionary_words_are_not_corrected_towards_the_help_centre():
    """ "woanders" is German, not a typo of the articles' "anders"; typos still are."""
    spelling = Spelling({"de": {True: {"anders": 3, "bestellen": 5, "rückerstattung": 2}, False: {}},
                         "en": {True: {"return": 4}, False: {}}})
    assert spelling.corrections("woanders bestelle", "de", public=True) == {}
    assert spelling.corrections("rückerstatung", "de", public=True) == {"rückerstatung": "rückerstattung"}
    assert spelling.corrections("retrun", "en", public=True) == {"retrun": "return"}
    assert spelling.corrections("woanders retrun", None, public=True) == {"retrun": "return"}


TRACKING = """---
title: Wie kann ich meine Sendung verfolgen?
lang: de
category: Versand
questions: [wo ist mein paket]
---
Die Sendungsnummer steht in der Versandbestätigung und im Kundenkonto.

## Mehrere Sendungsnummern
Kommt die Bestellung in mehreren Paketen, ist für jedes Paket eine eigene Nummer da. Mein Paket ist also eins von mehreren.
"""


def test_a_question_the_article_lists_opens_it_at_its_start(tmp_path):
    """Not at a later section that shares the question's words."""
    shutil.copytree(FIXTURES, tmp_path / "articles")
    (tmp_path / "articles" / "de" / "sendungsverfolgung.md").write_text(TRACKING, encoding="utf-8")
    engine = build_fake_engine(tmp_path / "articles", tmp_path / "index")
    hit = engine.search("wo ist mein Paket").results[0]
    assert hit.id == "de/sendungsverfolgung" and hit.anchor == "" and "Versandbestätigung" in hit.snippet
    other = engine.search("mehrere Pakete eigene Nummer").results[0]  # a question the section answers
    assert other.id == "de/sendungsverfolgung" and other.anchor == "mehrere-sendungsnummern"


# -- language guessing -----------------------------------------------------------------------
@pytest.mark.parametrize("text, lang", [("wo ist mein paket", "de"), ("where is my parcel", "en"),
                                        ("Rücksendung", "de"), ("12345", None), ("paket", None)])
def test_language_guess_from_function_words_and_vocabulary(text, lang):
    assert LanguageGuesser().guess(text) == lang


def test_language_guess_uses_the_articles_words():
    assert LanguageGuesser({"de": {"paket"}, "en": {"parcel"}}).guess("paket") == "de"


@pytest.mark.parametrize("text, lang", [
    ("lieferfrist", "de"), ("lieferoptionen", "de"),  # a dictionary's noun, typed in lower case
    ("account anlegen", "de"), ("cancellation penalty", "en"), ("View invoices", "en"),
    ("newsletter", None), ("track order", None), ("12345", None)])  # words of both, or none
def test_general_dictionaries_decide_what_the_articles_words_leave_open(text, lang):
    guesser = LanguageGuesser({"de": {"paket"}, "en": {"parcel"}})
    assert guesser.guess(text) is None and guesser.likely(text) == lang


def test_languages_without_a_dictionary_are_left_out_of_the_dictionary_guess():
    assert LanguageGuesser({"xx": {"paket"}}).likely("lieferfrist") == "de"  # no error for "xx"
    guesser = LanguageGuesser({"de": {"paket"}})
    guesser.langs = ["de", "xx"]  # one language with a dictionary: nothing to choose between
    assert guesser.likely("lieferfrist") is None


def test_a_question_without_a_language_is_searched_in_its_dictionary_language(fake_engine):
    r = fake_engine.search("lieferfrist")  # no article uses the word; no UI language
    assert r.lang == "de" and [h.lang for h in r.results] == ["de"] * len(r.results)
    assert r.results[0].id == "de/lieferzeit"
    assert fake_engine.search("lieferfrist", lang="en").lang == "en"  # the UI language comes first


def test_a_question_no_language_claims_is_read_in_the_only_language_of_the_articles(tmp_path):
    shutil.copytree(FIXTURES, tmp_path / "articles")
    shutil.rmtree(tmp_path / "articles" / "en")
    engine = build_fake_engine(tmp_path / "articles", tmp_path / "index")
    assert engine.guesser.guess("newsletter") is None and engine.guesser.likely("newsletter") is None
    assert engine.search("newsletter").lang == "de"  # its keywords count as the articles' language's
    assert engine.search("newsletter", lang="en").lang == "en"


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


def test_a_query_that_is_an_articles_tag_or_question_puts_it_first():
    import numpy as np

    from kb.search.question_match import QuestionMatcher
    articles = [{"questions": ["wo ist mein paket"], "tags": ["sendung"]},
                {"questions": [], "tags": ["stornieren", "stornierung"]}]
    matcher = QuestionMatcher(articles)
    fused, mask = np.array([2.0, 0.5]), np.array([True, True])
    for query, first in (("Stornierung", 1), ("Wo ist mein Paket?", 0), ("wo ist mein packet", 0), ("sendung", 0)):
        ranked, known = matcher.promote(query, fused, mask)
        assert known and int(np.argmax(ranked)) == first, query
    assert matcher.promote("stornirung", fused, mask)[1] is False  # a tag's typo: the speller's job
    assert matcher.promote("wie wird das wetter", fused, mask)[1] is False
    assert matcher.promote("stornierung", fused, np.array([True, False]))[1] is False  # not shown: no promotion


def test_a_query_that_is_an_articles_title_puts_it_first_over_a_longer_question_it_begins():
    """The title is the editor's own phrasing: "wie lange dauert die lieferung" (typed without
    its capitals and question mark) is the delivery-times article, not the freight article
    whose question "wie lange dauert die lieferung per spedition" starts with it."""
    import numpy as np

    from kb.search.question_match import QuestionMatcher
    articles = [{"title": "Wie läuft die Lieferung per Spedition ab?",
                 "questions": ["wie lange dauert die lieferung per spedition"], "tags": []},
                {"title": "Wie lange dauert die Lieferung?", "questions": [], "tags": []}]
    matcher = QuestionMatcher(articles)
    fused, mask = np.array([3.0, 2.9]), np.array([True, True])
    for query in ("wie lange dauert die lieferung", "Wie lange dauert die Lieferung?",
                  "wie lange dauert die liferung"):  # a typo, as for questions
        ranked, known = matcher.promote(query, fused, mask)
        assert known and int(np.argmax(ranked)) == 1, query
    assert matcher.promote("wie lange dauert es", fused, mask)[1] is False


def test_a_question_answered_only_through_its_corrections_is_asked_as_corrected(tmp_path, monkeypatch):
    """None of the typed words is one the help centre uses: the answer rests on the speller's
    corrections, so the customer sees the corrected question (and may go back to the typed one).
    The typo is two edits from the help centre's word: one edit is corrected before
    (kb/search/typo_words.py)."""
    from kb.search import answer_model
    monkeypatch.setattr(answer_model, "answer_probability", lambda f: 0.9)  # everything answered
    shutil.copytree(FIXTURES, tmp_path / "articles")
    engine = build_fake_engine(tmp_path / "articles", tmp_path / "index")
    r = engine.search("Retournlabl")
    assert (r.query, r.original, r.answered) == ("retourenlabel", "Retournlabl", True)
    typed = engine.search("Retournlabl", correct=False)
    assert (typed.query, typed.did_you_mean, typed.answered) == ("Retournlabl", "retourenlabel", True)
    known = engine.search("Retournlabl erstellen")  # "erstellen" is the help centre's: kept as typed
    assert (known.query, known.original, known.did_you_mean) == ("Retournlabl erstellen", None, None)
    monkeypatch.setattr(answer_model, "answer_probability", lambda f: 0.9 if f["coverage_typed"] == 0 else 0.1)
    worse = build_fake_engine(tmp_path / "articles", tmp_path / "index").search("Retournlabl")
    # the correction answers less: the typed question stays
    assert (worse.query, worse.original, worse.answered) == ("Retournlabl", None, True)


def test_a_question_about_another_business_is_not_this_shops_to_answer():
    from kb.search.other_businesses import OtherBusinesses
    words = ["lieferung", "amazon", "pay", "ebay"]
    texts = ["Wir liefern mit DHL.", "Sie zahlen mit PayPal oder Amazon Pay.", "Wir verkaufen auch auf eBay."]
    others = OtherBusinesses(words, texts, own_names=["Hafenkorb", "Otto Versand"])
    assert others.named("wie lange braucht amazon für die lieferung") == "amazon"  # the articles name its payment only
    assert others.named("kann ich mit Amazon Pay zahlen") is None
    assert others.named("habe es auf ebay gekauft, kann ich es zurückgeben") is None  # the shop sells there
    assert others.named("Wie lange dauert die Lieferung bei ZALANDO?") == "zalando"
    assert others.named("wo ist meine otto bestellung") is None  # the shop's own name
    assert others.named("wie lange dauert die lieferung") is None


def test_a_question_about_another_business_is_shown_its_articles_but_not_answered(fake_engine):
    result = fake_engine.search("how long does zalando take to deliver", "en")
    plain = fake_engine.search("how long does delivery take", "en")
    assert plain.answered and not result.answered and not result.hedged
    assert [h.id for h in result.results[:1]] == [h.id for h in plain.results[:1]]


def test_the_page_language_stands_unless_the_question_says_another_clearly():
    guesser = LanguageGuesser({"de": {"bestellung", "stornieren"}, "en": {"order", "cancel", "refund", "track"}})
    assert guesser.guess("order canceln") == "en"  # one English word, nothing else known
    assert not guesser.outweighs("order canceln", "en", "de")  # on the German page: a loanword
    assert guesser.outweighs("refund", "en", "de")  # a word only English dictionaries know
    assert guesser.outweighs("track order", "en", "de")  # two words of the English articles
    assert guesser.outweighs("where is my order", "en", "de")  # function words
