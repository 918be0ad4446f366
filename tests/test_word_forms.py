"""German and English keyword analysis: lemmas without Snowball's collisions, German
compounds found by their parts (kb/content/word_forms.py, kb/content/text.py)."""

from kb.content.text import analyzed, analyzer_for
from kb.index.keyword import KeywordDoc, KeywordIndex, write_keyword_index


def terms(lang, text):
    return analyzed(analyzer_for(lang), text)


def test_english_lemmas_keep_package_and_packaging_apart():
    """simplemma for English (kb/content/word_forms.py), measured but not used (lemminflect is)."""
    from kb.content.word_forms import lemma_analyzer

    english = lemma_analyzer("en", False)
    assert analyzed(english, "package packages") == ["package"]
    assert analyzed(english, "packaging") == ["packaging"]


def test_german_inflections_join_in_any_case():
    assert terms("de", "Lieferungen") == terms("de", "lieferung") == ["lieferung", "~liefer"]
    assert terms("de", "rechnungen")[0] == "rechnung"


def test_german_compounds_add_their_parts_after_the_whole_word():
    found = terms("de", "Rücksendeetikett")
    assert found[0] == "rücksendeetikett" and "etikett" in found
    assert {"liefer", "adresse"} <= set(terms("de", "Lieferadresse"))
    assert terms("de", "Paket") == ["paket"]  # a short word is not split into guesses
    assert terms("de", "die und oder") == []  # stop words


def test_german_verbs_meet_their_ung_nouns_by_a_family_root():
    """ "zahlen" and "Zahlungsarten" share "~zahl"; a noun of its own gets no root."""
    assert "~zahl" in terms("de", "zahlen") and "~zahl" in terms("de", "Zahlungsarten")
    assert "~stornier" in set(terms("de", "stornieren")) & set(terms("de", "Stornierung"))
    assert "~liefer" in set(terms("de", "liefern")) & set(terms("de", "Lieferung"))
    assert not [t for t in terms("de", "Paket Tag Kunde") if t.startswith("~")]


def test_linking_s_is_cut_from_a_compound_head():
    assert {"zahlung", "art"} <= set(terms("de", "Zahlungsart"))
    assert "versicherung" in terms("de", "Versicherungsschutz")

def test_german_verbs_are_not_cut_into_unrelated_words():
    """The splitter's noun model cut "versendet" into "vers" + "der", "bestellen" into
    "best" + "ellen"; a separable verb adds only the verb inside it."""
    assert terms("de", "versendet") == ["versenden", "~versend"]
    assert not {"best", "ellen", "erst"} & set(terms("de", "bestellen erstellen erstatten"))
    assert {"zurück", "schick"} <= set(terms("de", "zurückschicken")) and "chicken" not in terms("de", "zurückschicken")
    assert terms("de", "schicken")[0] == "schick"  # simplemma's lemma, which the part must equal
    assert terms("de", "abgebrochen")[:2] == ["abbrechen", "brechen"]  # the verb's infinitive, no "ab"
    assert {"klima", "neutral"} <= set(terms("de", "klimaneutral"))  # adjectives still split


def test_german_nouns_are_split_only_where_a_reader_would():
    """The splitter's score accepts "Beste|Llung" and "Herst|Eller"; parts must be words,
    compounds or verb stems, never an ending or a stop word."""
    assert terms("de", "Bestellung") == ["bestellung", "~bestell"]
    assert not {"eller", "herst"} & set(terms("de", "Hersteller"))
    derived = set(terms("de", "gesetzlich Möglichkeit telefonisch erreichbar"))
    assert not {"lich", "keit", "isch", "bar"} & derived  # an ending is no word ...
    assert {"gesetz", "möglich", "telefon", "erreichen"} <= derived  # ... the stem before it is
    assert "dynam" not in terms("de", "dynamisch")
    assert "korb" in terms("de", "Warenkorb") and "sein" not in terms("de", "Warenkorb")
    assert "über" not in terms("de", "Überweisung")
    assert {"reisen", "versicherung"} <= set(terms("de", "Reiserücktrittsversicherung"))
    assert {"bestellen", "nummer"} <= set(terms("de", "Bestellnummer"))  # a verb's stem as head



def _index(tmp_path, docs):
    write_keyword_index(tmp_path, docs, ["de", "en"])
    return KeywordIndex(tmp_path, ["de", "en"], {(d.article, d.part): i for i, d in enumerate(docs)})


def test_keyword_search_finds_a_compound_by_its_part(tmp_path):
    docs = [KeywordDoc("en/packaging", 0, "en", "How sustainable is your packaging?", "", "",
                       "Our packaging is recycled cardboard."),
            KeywordDoc("en/tracking", 0, "en", "Track your parcel", "", "",
                       "Each package gets a tracking number."),
            KeywordDoc("de/retoure", 0, "de", "Rücksendung", "", "",
                       "Das Rücksendeetikett liegt dem Paket bei."),
            KeywordDoc("de/adresse", 0, "de", "Lieferadresse ändern", "", "", "So ändern Sie die Anschrift.")]
    index = _index(tmp_path, docs)
    try:
        assert index.search("wo finde ich das etikett", len(docs)).argmax() == 2
        assert index.search("adresse falsch", len(docs)).argmax() == 3
        assert index.search("wie kann ich das zurücksenden", len(docs)).argmax() == 2  # Rücksendung
    finally:
        index.close()


def test_coverage_counts_a_compound_once_as_the_vocabulary_records_it(tmp_path):
    """The vocabulary holds a word's whole lemma only; compound parts must not count
    as unknown words in `coverage` (an input of `answered`)."""
    from kb.content.word_forms import whole_words

    analyzer = analyzer_for("de")
    assert whole_words(analyzer, "Rücksendeetikett verloren") == ["rücksendeetikett", "verloren"]
    assert len(analyzed(analyzer, "Rücksendeetikett")) > 1  # the keyword index gets the parts


def test_engine_coverage_of_compounds_from_the_articles(engine):
    assert engine.coverage("retourenlabel retourenportal")[0] == 1.0


def test_overlong_words_are_not_split():
    from kb.content.word_forms import MAX_COMPOUND, compound_parts

    assert compound_parts("lieferadresse" * 4) == ()
    assert len("lieferadresse" * 4) > MAX_COMPOUND


def test_english_keeps_package_and_packaging_apart_but_joins_inflections():
    """Snowball made both "packag": "where is my package" found the packaging article."""
    assert terms("en", "package") != terms("en", "packaging")
    assert terms("en", "packages") == terms("en", "package") == ["package"]
    assert terms("en", "orders") == terms("en", "ordered") == terms("en", "ordering") == terms("en", "order")
    assert terms("en", "refunds") == terms("en", "refund") == ["refund"]
    assert terms("en", "returned") == ["return"]
    assert terms("en", "cancelled") == terms("en", "canceled") == ["cancel"]
    assert terms("en", "accounting") != terms("en", "account")
    assert terms("en", "billing") == terms("en", "bill")  # an -ing noun only where simplemma keeps it


def test_english_words_without_a_lemma_keep_snowball():
    assert terms("en", "websites") == terms("en", "website")
    assert terms("en", "where is my") == []  # stop words


def test_keyword_search_finds_the_parcel_not_the_packaging(tmp_path):
    docs = [KeywordDoc("en/packaging", 0, "en", "How sustainable is your packaging?", "", "",
                       "Our packaging is recycled cardboard."),
            KeywordDoc("en/tracking", 0, "en", "Track your parcel", "", "",
                       "Each package gets a tracking number.")]
    index = _index(tmp_path, docs)
    try:
        assert index.search("where is my package", len(docs)).argmax() == 1
    finally:
        index.close()


def test_keyword_analysis_does_not_import_spacy_or_torch():
    """lemminflect would register spaCy extensions, and spaCy brings torch (hundreds of MB
    in the server); spaCy stays importable for whoever needs it."""
    import subprocess
    import sys
    code = ("import sys; from kb.content.word_forms import english_term; t = english_term('ordered'); "
            "print(t, sorted(m for m in ('spacy', 'thinc', 'torch') if m in sys.modules)); "
            "print([type(f).__name__ for f in sys.meta_path if 'Spacy' in type(f).__name__])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    first, second = out.stdout.splitlines()
    assert first == "order []"
    assert second == "[]"  # the block is lifted after the import
