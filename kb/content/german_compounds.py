"""The best split of a German compound by compound-split's character n-gram model.

compound-split keeps its German model as three Python dicts of 1.9 million n-grams
(about 210 MB in every process that analyses keywords), and its ``char_split``
module imports the Dutch model too. This module reads the same probabilities from
a compact table, written once per machine by a child process into the cache folder
(kb/content/machine_cache.py): each n-gram as a 64-bit hash, sorted, with its
probability (float64, unchanged), about 30 MB. Lookups are a binary search per
batch of n-grams.

Split positions are scored as ``char_split.split_compound`` does: the head's
probability as a word ending (without a linking s after ts/gs/ks/hls/ns), the
tail's as a word beginning, minus the likeliest n-gram that the split would cut
across. tests/test_german_compounds.py keeps the two equal.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import numpy as np

from kb.content.machine_cache import cache_root

log = logging.getLogger(__name__)

LINKING_S_ENDINGS = ("ts", "gs", "ks", "hls", "ns")
FIRST_SPLIT = 3  # the shortest head char_split considers
UNKNOWN = -1.0  # log probability of an unseen head or tail
UNSEEN_INFIX = 1.0  # an n-gram never seen inside words does not hold the parts together
TABLES = ("prefix", "infix", "suffix")
TABLE_FORMAT = 1  # bump when the table's layout or hashing changes
BUILD_TIMEOUT = 300  # seconds for the child process that writes the table


def ngram_hash(ngram: str) -> int:
    return int.from_bytes(hashlib.blake2b(ngram.encode("utf-8"), digest_size=8).digest(), "little")


class _Table:
    """One of the model's dicts: sorted hashes and their probabilities."""

    def __init__(self, hashes: np.ndarray, probs: np.ndarray) -> None:
        self.hashes, self.probs = hashes, probs

    def get(self, ngrams: list[str], missing: float) -> np.ndarray:
        keys = np.fromiter((ngram_hash(g) for g in ngrams), dtype=np.uint64, count=len(ngrams))
        at = np.minimum(np.searchsorted(self.hashes, keys), len(self.hashes) - 1)
        return np.where(self.hashes[at] == keys, self.probs[at], missing)


def table_path() -> Path:
    return cache_root() / f"compound-split-de-{version('compound-split')}-t{TABLE_FORMAT}.npz"


def write_table(path: Path) -> None:
    """Hash the German model's dicts into ``path`` (atomically); run in a child process,
    so the process that searches never holds the dicts."""
    from compound_split import de_ngram_probs
    arrays = {}
    for name in TABLES:
        table = getattr(de_ngram_probs, name)
        hashes = np.fromiter((ngram_hash(k) for k in table), dtype=np.uint64, count=len(table))
        probs = np.fromiter(table.values(), dtype=np.float64, count=len(table))
        order = np.argsort(hashes)
        if np.any(np.diff(hashes[order]) == 0):
            raise ValueError(f"two n-grams of the {name} table share a hash")
        arrays[f"{name}_hashes"], arrays[f"{name}_probs"] = hashes[order], probs[order]
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


@lru_cache(maxsize=1)
def _tables() -> dict[str, _Table]:
    path = table_path()
    if not path.exists():
        done = subprocess.run([sys.executable, "-m", "kb.content.german_compounds", str(path)],
                              capture_output=True, text=True, timeout=BUILD_TIMEOUT)
        if done.returncode != 0:
            raise RuntimeError(f"could not write the German compound table {path}: "
                               f"{done.stderr.strip().splitlines()[-1] if done.stderr.strip() else done.returncode}")
        log.info("wrote the German compound table %s", path)
    with np.load(path) as z:
        return {name: _Table(z[f"{name}_hashes"], z[f"{name}_probs"]) for name in TABLES}


def _cut_off_linking_s(part: str) -> str:
    if part.endswith(LINKING_S_ENDINGS) and len(part) - 1 > 2:
        return part[:-1]
    return part


def best_split(word: str) -> tuple[float, str, str]:
    """(score, head, tail) of the best split, head and tail title-cased; a hyphenated
    word splits at its last hyphen with score 1, a word too short to split gives
    (0, word, word), as char_split does."""
    word = word.lower()
    if "-" in word:
        at = word.rfind("-")
        return 1.0, word[:at].title(), word[at + 1:].title()
    positions = range(FIRST_SPLIT, len(word) - 2)
    if not positions:
        return 0, word.title(), word.title()
    t = _tables()
    endings = t["suffix"].get([_cut_off_linking_s(word[:n]) for n in positions], UNKNOWN)
    beginnings = t["prefix"].get([_cut_off_linking_s(word[n:]) for n in positions], UNKNOWN)
    inner = [[word[n:k] for k in range(len(word), n + 2, -1)] for n in positions]
    flat = t["infix"].get([g for grams in inner for g in grams], UNSEEN_INFIX)
    bounds = np.cumsum([0] + [len(grams) for grams in inner])
    across = [flat[a:b].min() for a, b in zip(bounds, bounds[1:])]
    candidates = [(float(b - c + e), word[:n].title(), word[n:].title())
                  for n, e, b, c in zip(positions, endings, beginnings, across)]
    return max(candidates)


if __name__ == "__main__":
    write_table(Path(sys.argv[1]))
