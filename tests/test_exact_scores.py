"""Exact scores of chosen vectors from an HNSW graph's storage (kb.index.dense._exact_scores).

`kb index` stores flat inner-product vectors, read in place by FAISS; any other
storage (a graph built elsewhere, e.g. with scalar-quantised vectors) must give
the same inner products through the general path.
"""

import faiss
import numpy as np
import pytest

from kb.index.dense import _exact_scores


def _vectors(n: int = 300, dim: int = 32) -> np.ndarray:
    rng = np.random.default_rng(5)
    v = rng.standard_normal((n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("kind", ["flat-ip", "flat-l2", "sq8-ip"])
def test_exact_scores_are_the_inner_products_of_the_stored_vectors(kind):
    vectors = _vectors()
    dim = vectors.shape[1]
    if kind == "flat-ip":
        index = faiss.IndexHNSWFlat(dim, 16, faiss.METRIC_INNER_PRODUCT)
    elif kind == "flat-l2":
        index = faiss.IndexHNSWFlat(dim, 16)
    else:
        index = faiss.IndexHNSWSQ(dim, faiss.ScalarQuantizer.QT_8bit, 16, faiss.METRIC_INNER_PRODUCT)
        index.train(vectors)
    index.add(vectors)
    query = vectors[7] * 0.5 + vectors[11] * 0.5
    nodes = np.array([3, 7, 11, 299, 0, 7], dtype=np.int64)  # any order, repeats allowed

    got = _exact_scores(index, query, nodes)

    stored = index.reconstruct_batch(nodes)  # what the graph holds (quantised for sq8)
    np.testing.assert_allclose(got, stored @ query, rtol=1e-5, atol=1e-6)
    # and they are inner products, not distances, whatever the graph's metric
    tolerance = 1e-5 if kind != "sq8-ip" else 2e-2
    np.testing.assert_allclose(got, vectors[nodes] @ query, atol=tolerance)
