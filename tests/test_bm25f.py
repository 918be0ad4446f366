"""True BM25F (kb/index/bm25f.py): a word counts once per section however many fields
hold it, so the word that names a topic is not outweighed by a common verb one article
repeats in its title, questions, heading and text."""
import numpy as np

from kb.index.bm25f import word_groups
from kb.index.keyword import KeywordDoc, KeywordIndex, write_keyword_index


def _index(tmp_path, docs):
    write_keyword_index(tmp_path, docs, ["de", "en"])
    return KeywordIndex(tmp_path, ["de", "en"], {(d.article, d.part): i for i, d in enumerate(docs)})


CANCEL = KeywordDoc("en/cancel", 0, "en", "Cancel before we ship",
                    "Can I cancel if you have not shipped yet?", "Before we ship",
                    "Until we ship your order you cancel for free. Once we ship, send it back instead.")
ABROAD = KeywordDoc("en/abroad", 0, "en", "Delivery abroad", "", "Countries",
                    "We deliver to Austria, Switzerland and Poland.")
OTHERS = [KeywordDoc(f"en/topic-{i}", 0, "en", title, "", "", text) for i, (title, text) in enumerate([
    ("Delivery times", "We ship on working days; delivery takes two days."),
    ("Returns", "Send the goods back; we ship a label."),
    ("Payment", "Pay by invoice, card or PayPal."),
    ("Vouchers", "A voucher is valid for three years."),
    ("Sizes", "Our size chart shows chest and waist."),
    ("Account", "Change your password under settings."),
    ("Newsletter", "Unsubscribe with the link in every mail."),
    ("Warranty", "Two years of warranty on every product."),
    ("Gift wrapping", "Choose gift wrapping at checkout."),
    ("Invoices", "Your invoice comes by mail."),
    *[(f"Product range {n}", f"We ship item group {n} from our own warehouse.") for n in range(8)],
    *[(f"Care guide {n}", f"Wash item group {n} at thirty degrees.") for n in range(8)],
])]


def test_a_rare_topic_word_beats_a_verb_repeated_in_every_field(tmp_path):
    docs = [CANCEL, ABROAD, *OTHERS]
    index = _index(tmp_path, docs)
    try:
        scores = index.search("do you ship to poland", len(docs))
        assert scores.argmax() == 1, scores
        # the repeated verb alone still finds the article that repeats it first
        assert index.search("ship", len(docs)).argmax() == 0
    finally:
        index.close()


def test_more_fields_raise_a_word_score_with_diminishing_returns(tmp_path):
    docs = [KeywordDoc("en/a", 0, "en", "", "", "", "Voucher codes and gift cards."),
            KeywordDoc("en/b", 0, "en", "Voucher", "", "", "Voucher codes and gift cards."),
            KeywordDoc("en/c", 0, "en", "Voucher", "voucher", "Voucher", "Voucher codes and gift cards."),
            KeywordDoc("en/d", 0, "en", "Delivery", "", "", "Parcels arrive in two days.")]
    index = _index(tmp_path, docs)
    try:
        text_only, with_title, everywhere, unrelated = index.search("voucher", len(docs))
        assert unrelated == 0 and 0 < text_only < with_title < everywhere
        # saturation: three more fields add less than the title alone added
        assert everywhere - with_title < with_title - text_only
    finally:
        index.close()


def test_word_groups_join_a_word_s_fields_per_language_and_count_repeats_once():
    terms = [("title_de", "polen"), ("text_de", "polen"), ("title_en", "polen"),
             ("text_de", "polen"), ("title_de", "~zahl")]
    assert word_groups(terms) == {("de", "polen"): ("title_de", "text_de"), ("en", "polen"): ("title_en",),
                                  ("de", "~zahl"): ("title_de",)}


def test_a_question_without_known_words_scores_nothing(tmp_path):
    docs = [CANCEL, ABROAD]
    index = _index(tmp_path, docs)
    try:
        assert not np.any(index.search("xylophone quux", len(docs)))
        assert not np.any(index.search("", len(docs)))
    finally:
        index.close()
