"""kb/content/german_compounds.py splits as compound-split's own char_split does."""

import re
from pathlib import Path

from compound_split import char_split

from kb.content.german_compounds import best_split

ARTICLES = Path(__file__).resolve().parents[1] / "articles" / "de"
MORE = ["Rücksendeetikett", "Versandkostenpauschale", "Zahlungsarten", "Werktag", "Lieferadresse",
        "Sendungsverfolgung", "Geschenkgutschein", "Kundenkonto", "Haus", "abc", "Ab-Holung",
        "Arbeitsspeicher", "Bestellübersicht", "Rechnungsadresse", "Hilfsbereitschaft"]


def test_the_best_split_is_char_splits_for_every_word_of_the_german_articles():
    words = set(MORE)
    for path in ARTICLES.rglob("*.md"):
        words.update(w for w in re.findall(r"[A-Za-zÄÖÜäöüß-]+", path.read_text(encoding="utf-8")) if len(w) > 2)
    assert len(words) > 1000
    for word in sorted(words):
        assert best_split(word) == tuple(char_split.split_compound(word)[0]), word
