"""Score fusion: per-article evidence on one scale, and articles in score order.

Each signal is z-normalised over the candidate articles where it counts and
then added with a weight: score fusion keeps how much better the best match is,
which rank fusion (RRF) throws away.
"""

from __future__ import annotations

import numpy as np

MIN_STD = 1e-9  # below this spread a signal says nothing: it is centred, not scaled


def z_scores(x: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """``x`` standardised by the mean and spread of its values under ``mask`` (zeros when
    fewer than two articles count)."""
    vals = x[mask]
    if len(vals) < 2:
        return np.zeros_like(x)
    std = vals.std()
    return (x - vals.mean()) / (std if std > MIN_STD else 1.0)


def by_score(fused: np.ndarray, first: int):
    """Article numbers by descending score, ties to the lower number, as a stable
    argsort gives them; the best ``first`` (and their ties) without sorting all:
    the results are nearly always among the first few hundred."""
    if first < len(fused):
        kth = np.partition(fused, len(fused) - first)[len(fused) - first]
        best = np.flatnonzero(fused >= kth)
    else:
        best = np.arange(len(fused))
    yield from best[np.lexsort((best, -fused[best]))].tolist()
    if len(best) < len(fused):
        rest = np.flatnonzero(~(fused >= kth))
        yield from rest[np.lexsort((rest, -fused[rest]))].tolist()

