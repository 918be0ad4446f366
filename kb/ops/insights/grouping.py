"""Unanswered searches grouped by similar wording: one group per missing article."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from datetime import datetime, tzinfo
from dataclasses import dataclass, field
from itertools import combinations

from kb.ops.database import Store
from kb.ops.insights.customers import CUSTOMER_SEARCH
from kb.ops.insights.period import bounds, check_limit
from kb.ops.insights.results import UnansweredGroup, ordered
from kb.ops.insights.words import collapse, content_words


def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if a == b:
        return 1.0
    union = len(a | b)
    return len(a & b) / union if union else 0.0


MAX_WORDINGS = 5   # wordings shown per group
# A search of more content words is a pasted message, not a query: it is grouped by this many
# of them (the same ones for the same words), as indexing every sub-set of a long word set
# makes the report slow enough for a flood of long searches to stall it.
MAX_GROUPED_WORDS = 8
_EXACT_MAX = 12   # word sets up to this size are indexed by their sub-sets (see _RepIndex)


class _RepIndex:
    """Finds the group representatives that can reach Jaccard >= t with a word set.

    Why not a plain word -> groups index: frequent words ("paket") sit in
    thousands of representatives, which makes greedy grouping quadratic. But
    J(S, R) >= t needs the overlap c >= ceil(t * |R|) and t * |S| <= |R| <= |S| / t.
    So each representative R is filed under every sub-set of ceil(t * |R|)
    of its words (with |R|); a probe enumerates the same-sized sub-sets of S for
    each possible |R|. Every true match is found (exact, not approximate), and
    the lookups are bounded by the short query, not by the number of groups.
    Sets longer than ``_EXACT_MAX`` words (rare in a search box) fall back to a
    scan over the representatives of a fitting size.
    """

    def __init__(self, threshold: float) -> None:
        if not 0 < threshold <= 1:
            raise ValueError(f"min_similarity must be in (0, 1], not {threshold!r}")
        self.t = threshold
        self.keys: dict[tuple[int, tuple[str, ...]], list[int]] = defaultdict(list)
        self.by_size: dict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)

    def _need(self, size: int) -> int:
        return max(1, math.ceil(self.t * size - 1e-9))

    def add(self, words: frozenset[str], group: int) -> None:
        r = len(words)
        self.by_size[r].append((group, words))
        if r <= _EXACT_MAX:
            for sub in combinations(sorted(words), self._need(r)):
                self.keys[(r, sub)].append(group)

    def candidates(self, words: frozenset[str]) -> set[int]:
        s = len(words)
        low, high = max(1, math.ceil(self.t * s - 1e-9)), math.floor(s / self.t + 1e-9)
        found: set[int] = set()
        ordered = sorted(words)
        for r in range(low, high + 1):
            if r > _EXACT_MAX or s > _EXACT_MAX:
                found.update(g for g, _ in self.by_size.get(r, ()))
                continue
            if r not in self.by_size:
                continue
            for sub in combinations(ordered, self._need(r)):
                found.update(self.keys.get((r, sub), ()))
        return found


def unanswered_groups(store: Store, days: int = 30, limit: int | None = 20, *,
                      min_similarity: float = 0.5, now: datetime | None = None,
                      zone: tzinfo | None = None) -> list[UnansweredGroup]:
    """Unanswered searches grouped by similar wording, biggest gap first.

    Deterministic and model-free: every distinct wording is reduced to its
    :func:`content_words`; wordings with equal word sets are one cluster.
    Clusters are then grouped greedily, most frequent first: a cluster joins
    the existing group whose representative word set is most similar to its
    own (Jaccard >= ``min_similarity``; ties go to the bigger, earlier group),
    otherwise it starts a new group and becomes its representative.
    :class:`_RepIndex` finds the possible matches without comparing each
    cluster with every group, so tens of thousands of distinct wordings a
    month stay fast. ``limit=None`` returns all groups.
    """
    check_limit(limit)
    index = _RepIndex(min_similarity)
    since, until = bounds(days, now, zone)
    rows = store.query(
        "SELECT query, lang, COUNT(*) AS n, MAX(at) AS last FROM searches "
        f"WHERE at >= ? AND at < ? AND answered = 0 AND query <> '' AND {CUSTOMER_SEARCH} "
        "GROUP BY query, lang", (since, until))
    wordings = _wordings(rows)
    clusters = _clusters(wordings)
    reps, members = _group_clusters(clusters, index)
    groups = [_group_row(rep, group, clusters) for rep, group in zip(reps, members)]
    groups = ordered(groups, (lambda g: g.count, True), (lambda g: g.last_seen, True),
                     (lambda g: g.representative, False))
    return groups if limit is None else groups[:limit]


@dataclass
class _Cluster:
    """Wordings with one content-word set, their total count and latest search."""

    texts: list[tuple[str, int, str]] = field(default_factory=list)   # (wording, count, last)
    count: int = 0
    last: str = ""
    langs: Counter = field(default_factory=Counter)   # searches per language


def _wordings(rows) -> dict[str, list]:
    """wording (whitespace collapsed, case kept) -> [count, last seen, count per language]."""
    wordings: dict[str, list] = {}
    for r in rows:
        text = collapse(r["query"])
        if not text:
            continue
        entry = wordings.setdefault(text, [0, "", Counter()])
        entry[0] += r["n"]
        entry[1] = max(entry[1], r["last"])
        entry[2][r["lang"] or ""] += r["n"]
    return wordings


def _clusters(wordings: dict[str, list]) -> dict[frozenset[str], _Cluster]:
    """Wordings clustered by equal content-word sets, each with its most frequent language's stemmer."""
    clusters: dict[frozenset[str], _Cluster] = defaultdict(_Cluster)
    for text, (count, last, langs) in wordings.items():
        lang = min(langs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        cluster = clusters[_grouped_words(content_words(text, lang))]
        cluster.texts.append((text, count, last))
        cluster.count += count
        cluster.last = max(cluster.last, last)
        cluster.langs.update(langs)
    return clusters


def _grouped_words(words: frozenset[str]) -> frozenset[str]:
    return words if len(words) <= MAX_GROUPED_WORDS else frozenset(sorted(words)[:MAX_GROUPED_WORDS])


def _group_clusters(clusters: dict[frozenset[str], _Cluster], index: _RepIndex
                    ) -> tuple[list[frozenset[str]], list[list[frozenset[str]]]]:
    """Greedy grouping, most frequent cluster first: representatives and the clusters of each group."""
    reps: list[frozenset[str]] = []             # group index -> representative word set
    members: list[list[frozenset[str]]] = []    # group index -> clusters in it
    by_size = ordered(clusters, (lambda w: clusters[w].count, True), (lambda w: clusters[w].last, True),
                      (sorted, False))
    for words in by_size:
        best, best_sim = -1, -1.0
        if words:
            for g in index.candidates(words):
                sim = _jaccard(words, reps[g])
                if sim >= index.t and (sim > best_sim or (sim == best_sim and g < best)):
                    best, best_sim = g, sim
        if best < 0:
            best = len(reps)
            reps.append(words)
            members.append([])
            if words:
                index.add(words, best)
        members[best].append(words)
    return reps, members


def _group_row(rep: frozenset[str], group: list[frozenset[str]],
               clusters: dict[frozenset[str], _Cluster]) -> UnansweredGroup:
    texts = ordered([t for words in group for t in clusters[words].texts],
                    (lambda t: t[1], True), (lambda t: t[2], True), (lambda t: t[0], False))
    return UnansweredGroup(
        representative=texts[0][0],
        count=sum(clusters[w].count for w in group),
        variants=len(texts),
        wordings=tuple(t[0] for t in texts[:MAX_WORDINGS]),
        keywords=tuple(sorted(rep)),
        last_seen=max(clusters[w].last for w in group),
        lang=_most_searched(sum((clusters[w].langs for w in group), Counter())),
    )


def _most_searched(langs: Counter) -> str:
    """The language most of a group's searches were made in ("" when none was known); ties by name."""
    known = [(n, lang) for lang, n in langs.items() if lang]
    return min(known, key=lambda kv: (-kv[0], kv[1]))[1] if known else ""
