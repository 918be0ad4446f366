"""Questions in a language none of the searched articles use are asked in their words too
(kb/index/dictionary.py, kb/search/translation.py). Real encoders, fixture articles."""
import json
import logging

from kb.encoders import DEFAULT_MODELS
from kb.index import dictionary
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search.engine import SearchEngine
from kb.search.word_vectors import content_words
from search_helpers import CountingEncoder

DELIVERY = "How long does delivery take?"


def test_the_dictionary_holds_the_articles_content_words(engine):
    manifest = json.loads((engine.index.build / "manifest.json").read_text())
    assert manifest["dictionary"]["encoder"] == engine.encoders[0].name
    found = engine.index.dictionary("de")
    words = dict(zip(found.words.tolist(), found.public.tolist()))
    assert words["lieferung"] is True and words["zurücksenden"] is True
    assert words["agenten"] is False  # only the internal article uses it
    assert not found.public[int(found.public.sum()):].any()  # public words first: a customer's table
    assert {"und", "nicht", "die"}.isdisjoint(words)  # stop words carry no meaning to look up
    assert min(len(w) for w in words) >= dictionary.MIN_LETTERS
    assert found.vectors.shape == (len(words), engine.encoders[0].dim)
    assert abs(float((found.vectors[0] ** 2).sum()) - 1) < 1e-3
    assert engine.index.dictionary("fr") is None


def test_an_english_question_is_asked_in_the_german_articles_words(engine):
    ev = engine.evidence(DELIVERY, lang="en", languages=("de",))
    assert "lieferung" in ev.translations["de"].split()
    result = engine.search(DELIVERY, lang="en", languages=["de"])
    assert result.results[0].id == "de/lieferzeit" and result.answered
    returning = engine.search("can I send it back", lang="en", languages=["de"])
    assert returning.results[0].id == "de/ruecksendung"


def test_no_translation_where_articles_of_the_question_language_may_be_found(engine):
    assert engine.evidence(DELIVERY, lang="en").translations == {}
    assert engine.evidence("Wie lange dauert die Lieferung?", languages=("de",)).translations == {}


def test_a_public_search_looks_up_public_words_only(engine):
    question = "goodwill limit for agents"
    public = engine.evidence(question, lang="en", languages=("de",)).translations
    staff = engine.evidence(question, lang="en", audience="internal", languages=("de",)).translations
    assert "agenten" not in public.get("de", "").split()
    assert "agenten" in staff["de"].split()


def test_the_question_words_looked_up():
    words = content_words("How do I return my order, and my ORDER?", "en")
    assert words == ["return", "order"]  # function words and short ones out, each word once


def test_a_rebuild_encodes_only_the_new_words(articles_dir, tmp_path, encoders, monkeypatch):
    monkeypatch.delenv("KB_VECTOR_CACHE", raising=False)  # what the served build has, not the run's cache
    counting = tuple(CountingEncoder(e) for e in encoders)
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: counting, DEFAULT_MODELS)
    assert "lieferung" in counting[0].seen
    first = len(counting[0].seen)
    page = articles_dir / "de" / "lieferzeit.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nEin Fahrradkurier bringt Pakete in Kassel.\n",
                    encoding="utf-8")
    build_index(articles_dir, location, lambda: counting, DEFAULT_MODELS)
    new_words = {t for t in counting[0].seen[first:] if " " not in t}
    assert {"fahrradkurier", "kassel"} <= new_words and "lieferung" not in new_words


def test_an_unreadable_dictionary_is_left_out_with_a_warning(articles_dir, tmp_path, encoders, caplog):
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    dictionary.path(location / "current", "de").write_bytes(b"garbage")
    engine = SearchEngine(LoadedIndex(location, DEFAULT_MODELS), encoders)
    with caplog.at_level(logging.WARNING):
        result = engine.search(DELIVERY, lang="en", languages=["de"])
    assert result.results  # the search goes on without it
    assert engine.evidence(DELIVERY, lang="en", languages=("de",)).translations == {}
    assert "dictionary-de.npz" in caplog.text and "kb index" in caplog.text

