"""The best split of a German compound by compound-split's character n-gram model.

compound-split's ``char_split`` module imports its German and its Dutch model at
once (about 85 MB of the Dutch one in every process that analyses keywords); this
module reads only the German probabilities and scores the split positions as
``char_split.split_compound`` does: the head's probability as a word ending
(without a linking s after ts/gs/ks/hls/ns), the tail's as a word beginning, minus
the likeliest n-gram that the split would cut across. tests/test_german_compounds.py
keeps the two in step.
"""

from __future__ import annotations

from compound_split import de_ngram_probs

LINKING_S_ENDINGS = ("ts", "gs", "ks", "hls", "ns")
FIRST_SPLIT = 3  # the shortest head char_split considers
UNKNOWN = -1  # log probability of an unseen head or tail
UNSEEN_INFIX = 1  # an n-gram never seen inside words does not hold the parts together


def _cut_off_linking_s(part: str) -> str:
    if part.endswith(LINKING_S_ENDINGS) and len(part) - 1 > 2:
        return part[:-1]
    return part


def best_split(word: str) -> tuple[float, str, str]:
    """(score, head, tail) of the best split, head and tail title-cased; a hyphenated
    word splits at its last hyphen with score 1, a word too short to split gives
    (0, word, word), as char_split does."""
    prefix, infix, suffix = de_ngram_probs.prefix, de_ngram_probs.infix, de_ngram_probs.suffix
    word = word.lower()
    if "-" in word:
        at = word.rfind("-")
        return 1.0, word[:at].title(), word[at + 1:].title()
    best = None
    for n in range(FIRST_SPLIT, len(word) - 2):
        ending = suffix.get(_cut_off_linking_s(word[:n]), UNKNOWN)
        beginning = prefix.get(_cut_off_linking_s(word[n:]), UNKNOWN)
        across = min(infix.get(word[n:k], UNSEEN_INFIX) for k in range(len(word), n + 2, -1))
        candidate = (beginning - across + ending, word[:n].title(), word[n:].title())
        if best is None or candidate > best:
            best = candidate
    return best if best is not None else (0, word.title(), word.title())
