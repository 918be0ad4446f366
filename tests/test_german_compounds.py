"""kb/content/german_compounds.py splits as compound-split's own char_split does."""

import re
from pathlib import Path

from kb.content.german_compounds import best_split

ARTICLES = Path(__file__).resolve().parents[1] / "articles" / "de"
MORE = ["Rücksendeetikett", "Versandkostenpauschale", "Zahlungsarten", "Werktag", "Lieferadresse",
        "Sendungsverfolgung", "Geschenkgutschein", "Kundenkonto", "Haus", "abc", "Ab-Holung",
        "Arbeitsspeicher", "Bestellübersicht", "Rechnungsadresse", "Hilfsbereitschaft"]


def test_the_best_split_is_char_splits_for_every_word_of_the_german_articles():
    # imported here, not at collection: its probability tables are one Python module
    # that takes ~20 s to compile before its bytecode is cached, in every test worker
    from compound_split import char_split
    words = set(MORE)
    for path in ARTICLES.rglob("*.md"):
        words.update(w for w in re.findall(r"[A-Za-zÄÖÜäöüß-]+", path.read_text(encoding="utf-8")) if len(w) > 2)
    assert len(words) > 1000
    for word in sorted(words):
        assert best_split(word) == tuple(char_split.split_compound(word)[0]), word


def test_the_table_is_written_by_a_child_and_the_searching_process_never_loads_the_dicts(tmp_path):
    """A fresh cache: the first split writes the table (in a child process); the
    process itself holds only the compact table, not compound-split's dicts."""
    import os
    import subprocess
    import sys
    code = ("import sys; from kb.content.german_compounds import best_split, table_path; "
            "print(best_split('Rücksendeetikett')[1:], table_path().exists(), "
            "sorted(m for m in sys.modules if m.startswith('compound_split')))")
    env = {**os.environ, "KB_MODEL_CACHE": str(tmp_path / "cache")}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split("\n")[0] == "('Rücksende', 'Etikett') True []"
    assert [p.name for p in (tmp_path / "cache").iterdir() if p.name.startswith(".")] == []  # no leftovers
