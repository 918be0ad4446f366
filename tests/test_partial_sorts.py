"""The partial selections that replaced full sorts give what the sorts gave, ties included."""
import numpy as np
import pytest

from kb.search.fusion import by_score
from search_helpers import fake_engine, reference_bm25f  # noqa: F401 (fixture)


@pytest.mark.parametrize("seed", range(5))
def test_by_score_is_a_stable_descending_argsort(seed):
    rng = np.random.default_rng(seed)
    scores = np.round(rng.standard_normal(3000), 1)  # many ties
    scores[rng.choice(3000, 500, replace=False)] = -np.inf  # filtered-out articles
    want = np.argsort(-scores, kind="stable").tolist()
    for first in (1, 10, 200, 2999, 3000, 5000):
        assert list(by_score(scores, first)) == want, first


def test_keyword_scores_and_top_hits_equal_the_reference(fake_engine):
    index = fake_engine.index
    keywords, n = index.keywords, len(index.sections)
    for q in ["Lieferung Rücksendung Paket", "return delivery order", "Versand", "the order"]:
        for limit in (1, 3, 7, 20):
            ours, reference = keywords.search(q, n, limit=limit), reference_bm25f(index, q, limit=limit)
            assert (ours > 0).sum() == min(limit, (keywords.search(q, n) > 0).sum()), (q, limit)
            assert np.allclose(ours, reference, atol=1e-5), (q, limit)


@pytest.mark.parametrize("seed", range(5))
def test_top_documents_break_ties_to_the_lower_number(seed):
    from kb.index.bm25f import top_documents
    rng = np.random.default_rng(seed)
    docs = np.sort(rng.choice(10_000, 2000, replace=False))
    scores = np.round(rng.random(10_000) * 5, 1)  # by document number, many ties
    for limit in (1, 10, 999, 2000, 3000):
        want = docs[np.argsort(-scores[docs], kind="stable")[:limit]]
        assert sorted(top_documents(docs, scores, limit).tolist()) == sorted(want.tolist()), limit
