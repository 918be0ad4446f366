"""The editors' missing-vocabulary report asks the real index of the fixture help centre which
customer words no article uses (kb/search/unused_words.py)."""

import pytest

from kb.search.unused_words import unused_word_test


@pytest.fixture(scope="module")
def unused(engine):
    return unused_word_test(engine.index)


@pytest.mark.parametrize("word, lang", [("newsletter", "de"), ("abstottern", "de"), ("leaflet", "en"),
                                        ("newsletter", None)])
def test_a_real_word_no_article_uses_is_unused(unused, word, lang):
    assert unused(word, lang)


@pytest.mark.parametrize("word, lang", [
    ("pakete", "de"),          # the articles say "Paket": a form of the word is used
    ("retourenpakete", "de"),  # its parts are the articles' words
    ("returns", "en"),         # used by the articles
    ("lieferzeit", "de"),      # a tag of an article
    ("rücksenden", "de"),
    ("rückerstatung", "de"),   # a typo: the speller's business, not a missing word
    ("xyzzy", "en"),           # no word of any language
    ("gestern", "de"),         # everyday words say nothing about a topic
    ("obwohl", "de"),
    ("support", "en"),
])
def test_used_words_typos_and_non_words_are_not(unused, word, lang):
    assert not unused(word, lang)
