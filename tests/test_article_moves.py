"""Renamed articles keep their old addresses: the moves the portal redirects by, on SQLite and PostgreSQL."""
from kb.ops.article_moves import ArticleMoves
from kb.ops.database import Store


def test_old_ids_lead_to_the_newest_id_and_an_id_renamed_back_to_itself(store_url):
    moves = ArticleMoves(Store(store_url))
    assert moves.target("de/retoure") is None
    moves.record("de/retoure", "de/ruecksendung")
    moves.record("de/ruecksendung", "de/artikel-zuruecksenden")
    assert moves.target("de/retoure") == "de/artikel-zuruecksenden"  # renamed twice: the newest
    assert moves.target("de/ruecksendung") == "de/artikel-zuruecksenden"
    moves.record("de/artikel-zuruecksenden", "de/retoure")  # back to the first id: an article again
    assert moves.target("de/retoure") is None
    assert moves.target("de/ruecksendung") == "de/retoure"
    assert moves.target("de/artikel-zuruecksenden") == "de/retoure"
