"""Insights for editors: what customers look for, what is missing, what does not help.

The portal stores searches, article views, votes and contact requests
(:mod:`kb.store`). Editors do not need raw rows; they need short, ranked
answers to "which article should I write next?" and "which article should I
fix first?". Every function here is a pure read: it takes a
:class:`kb.ops.database.Store`, a period and a limit, and returns a list of small
frozen dataclasses that the web layer renders as a table, a chart
(:func:`deflection_svg`) or a download (:func:`to_csv`).

Conventions shared by all functions:

* The period is ``days`` calendar days in UTC, ending with today (``now``):
  ``days=1`` is today only, ``days=30`` is today and the 29 days before it.
  Rows from the future (clock skew) are ignored as well. ``now`` exists so
  tests and reports can be pinned to a date.
* Aggregation happens in SQL where SQLite can do it cheaply (grouping by the
  exact stored text, by day, by article); text normalisation that SQLite
  cannot do (Unicode case folding, accents, stemming) happens in Python on the
  already-grouped, much smaller result. The ``searches_at`` index bounds every
  scan of ``searches`` to the period.
"""

from __future__ import annotations

import csv
import dataclasses
import html
import io
import json
import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from itertools import combinations
from typing import Any, Callable, Iterable, Literal, Sequence

from whoosh.lang import stemmer_for_language, stopwords_for_language

from kb.ops.database import Store
from kb.ops.learning import LearnedEffect, learned_effect  # noqa: F401  (a table of the insights page)

__all__ = [
    "TopSearch", "UnansweredGroup", "NotHelpfulArticle", "ArticleStat", "DeflectionPoint",
    "top_searches", "unanswered_groups", "not_helpful_articles", "article_stats", "deflection",
    "deflection_svg", "to_csv", "content_words",
]


# -- results -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TopSearch:
    """One query wording and how often it was searched.

    Why: the most frequent searches tell editors what customers care about, and
    a low ``answered_share`` on a frequent query is the cheapest article to
    write next.
    """

    query: str            #: lower-cased, whitespace collapsed
    count: int            #: searches in the period
    answered_share: float  #: 0..1, share of those searches the engine answered
    last_seen: str        #: latest ``at`` (UTC, 'YYYY-MM-DDTHH:MMZ')


@dataclass(frozen=True)
class UnansweredGroup:
    """Unanswered searches that ask the same thing in different words.

    Why: "Wo ist mein Paket?", "wo bleibt mein paket" and "Paket wo ist es"
    are one missing article, not three. Grouping them shows editors the real
    size of each gap.
    """

    representative: str        #: the most frequent original wording in the group
    count: int                 #: unanswered searches in the group
    variants: int              #: number of distinct wordings in the group
    wordings: tuple[str, ...]  #: up to 5 distinct wordings, most frequent first
    keywords: tuple[str, ...]  #: the representative's content words (stemmed), sorted
    last_seen: str             #: latest ``at`` in the group


@dataclass(frozen=True)
class NotHelpfulArticle:
    """An article that readers voted "not helpful", with what they said.

    Why: an article that exists but does not help is worse than a missing one
    (the customer read it and still had to write to support); the comments
    usually name what is wrong.
    """

    article_id: str
    no_votes: int
    yes_votes: int
    helpful_ratio: float          #: yes / (yes + no)
    comments: tuple[str, ...]     #: latest non-empty comments of "not helpful" votes, newest first, up to 5


@dataclass(frozen=True)
class ArticleStat:
    """Reach and reception of one article.

    Why: views alone reward articles that are easy to find; votes alone ignore
    reach. Side by side they show which much-read articles deserve care first.
    """

    article_id: str
    views: int
    yes_votes: int
    no_votes: int
    helpful_ratio: float | None   #: yes / (yes + no); None when nobody voted


@dataclass(frozen=True)
class DeflectionPoint:
    """Self-service success in one time bucket.

    Why: the help centre exists to answer questions before they become contact
    requests. ``rate`` = helpful searches / (helpful searches + contact
    requests) tracks that over time; a falling rate after a product change
    points to articles that went stale.
    """

    bucket: str              #: 'YYYY-MM-DD' (day) or ISO week 'YYYY-Www' (week)
    start: str               #: first day of the bucket inside the period, 'YYYY-MM-DD'
    end: str                 #: last day of the bucket inside the period (inclusive)
    searches: int            #: searches made in the bucket
    helpful_searches: int    #: of those, searches with at least one "helpful" vote linked to them
    contact_requests: int    #: contact requests sent in the bucket
    rate: float | None       #: helpful / (helpful + contacts); None when both are 0


# -- period ------------------------------------------------------------------------------------
def _period(days: int, now: datetime | None) -> tuple[date, date]:
    """First and last day (UTC, inclusive) of the period."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a positive integer, not {days!r}")
    if now is None:
        now = datetime.now(timezone.utc)
    elif now.tzinfo is not None:
        now = now.astimezone(timezone.utc)
    last = now.date()
    return last - timedelta(days=days - 1), last


def _bounds(days: int, now: datetime | None) -> tuple[str, str]:
    """SQL bounds ``since <= at < until``.

    ``at`` ('2026-03-01T09:15Z') and ``day`` ('2026-03-01') both compare
    correctly against plain dates as strings, so one pair works for every table
    and keeps the ``searches_at`` index usable.
    """
    first, last = _period(days, now)
    return first.isoformat(), (last + timedelta(days=1)).isoformat()


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative integer, not {limit!r}")


# -- text normalisation ------------------------------------------------------------------------
_SPACE = re.compile(r"\s+")
_PLACEHOLDER = re.compile(r"\[(?:number|email|iban)\]")  # written by kb.ops.privacy.mask_pii
_WORD = re.compile(r"[^\W_]+")

# Question and filler words that the stop-word lists lack but that say nothing
# about the topic of a help-centre search.
_EXTRA_STOP = """
    wann warum wieso weshalb woher wohin womit wozu wer wen wem bitte gibt geht hallo danke
    mal gerne moechte mochte kann koennen konnen muss muessen mussen jemand etwa
    how can could would please hello hi thanks get got does
"""


def _fold(text: str) -> str:
    """Case-fold and strip accents: 'Einlösen' -> 'einlosen', 'Straße' -> 'strasse'."""
    folded = text.casefold()
    if folded.isascii():
        return folded
    decomposed = unicodedata.normalize("NFKD", folded)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _build_stop_words() -> frozenset[str]:
    words: set[str] = set(_EXTRA_STOP.split())
    for lang in ("de", "en"):
        words.update(stopwords_for_language(lang))
    return frozenset(_fold(w) for w in words)


_STOP_WORDS = _build_stop_words()
_STEMMERS: dict[str, Callable[[str], str]] = {
    "de": stemmer_for_language("de"), "en": stemmer_for_language("en")}


@lru_cache(maxsize=65536)
def _stem(word: str, lang: str) -> str:
    return _STEMMERS[lang](word)


@lru_cache(maxsize=65536)
def content_words(text: str, lang: str | None = "de") -> frozenset[str]:
    """The stemmed content words of a query, as used to group unanswered searches.

    Case-folded, accents stripped (ä -> a), punctuation and PII placeholders
    removed, German and English stop words dropped, then stemmed with the
    Snowball stemmer of ``lang`` (English for 'en', German otherwise — the
    shop's main language). One-letter tokens are dropped. When a query
    consists of stop words only ("wo ist es?"), its folded words are returned
    instead, so it still groups with its own repetitions.
    """
    stemmer_lang = "en" if lang == "en" else "de"
    tokens = [t for t in _WORD.findall(_fold(_PLACEHOLDER.sub(" ", text))) if len(t) > 1 or t.isdigit()]
    content = [t for t in tokens if t not in _STOP_WORDS]
    if not content:
        return frozenset(tokens)
    return frozenset(_stem(t, stemmer_lang) for t in content)


def _collapse(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


# -- 1. top searches ---------------------------------------------------------------------------
def top_searches(store: Store, days: int = 30, limit: int | None = 20, *,
                 now: datetime | None = None) -> list[TopSearch]:
    """The most frequent queries of the period, case and whitespace normalised.

    SQLite groups by ``lower(query)`` (ASCII-only lowering, already shrinks
    the rows a lot); Python then merges what only Unicode lowering and
    whitespace collapsing make equal ('Ärger' / 'ärger', 'a  b' / 'a b').
    Sorted by count, then most recently seen, then text. ``limit=None``
    returns all queries.
    """
    _check_limit(limit)
    since, until = _bounds(days, now)
    rows = store.query(
        "SELECT lower(query) AS q, COUNT(*) AS n, SUM(answered != 0) AS answered, MAX(at) AS last "
        "FROM searches WHERE at >= ? AND at < ? GROUP BY lower(query)", (since, until))
    merged: dict[str, list] = {}
    for r in rows:
        key = " ".join(r["q"].lower().split())
        if not key:
            continue
        entry = merged.get(key)
        if entry is None:
            merged[key] = [r["n"], r["answered"], r["last"]]
        else:
            entry[0] += r["n"]
            entry[1] += r["answered"]
            entry[2] = max(entry[2], r["last"])
    result = _ordered((TopSearch(query=q, count=n, answered_share=a / n, last_seen=last)
                       for q, (n, a, last) in merged.items()),
                      (lambda t: t.count, True), (lambda t: t.last_seen, True), (lambda t: t.query, False))
    return result if limit is None else result[:limit]


def _ordered(items: Iterable[Any], *keys: tuple[Callable[[Any], Any], bool]) -> list[Any]:
    """Sort by several keys, each ascending or descending (``(key, reverse)``, primary first).

    Stable sorts applied from the last key to the first; cheaper than building
    "descending string" keys for timestamps.
    """
    result = list(items)
    for key, reverse in reversed(keys):
        result.sort(key=key, reverse=reverse)
    return result


# -- 2. unanswered groups ----------------------------------------------------------------------
def _jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if a == b:
        return 1.0
    union = len(a | b)
    return len(a & b) / union if union else 0.0


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
                      min_similarity: float = 0.5, now: datetime | None = None) -> list[UnansweredGroup]:
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
    _check_limit(limit)
    index = _RepIndex(min_similarity)
    since, until = _bounds(days, now)
    rows = store.query(
        "SELECT query, lang, COUNT(*) AS n, MAX(at) AS last FROM searches "
        "WHERE at >= ? AND at < ? AND answered = 0 GROUP BY query, lang", (since, until))

    # wording (whitespace collapsed, case kept) -> count, last seen, count per language
    wordings: dict[str, list] = {}
    for r in rows:
        text = _collapse(r["query"])
        if not text:
            continue
        entry = wordings.setdefault(text, [0, "", Counter()])
        entry[0] += r["n"]
        entry[1] = max(entry[1], r["last"])
        entry[2][r["lang"] or ""] += r["n"]

    # cluster by equal content-word sets; each wording uses its most frequent language's stemmer
    clusters: dict[frozenset[str], list[str]] = defaultdict(list)
    for text, (_, _, langs) in wordings.items():
        lang = min(langs.items(), key=lambda kv: (-kv[1], kv[0]))[0]
        clusters[content_words(text, lang)].append(text)
    cluster_count = {words: sum(wordings[t][0] for t in texts) for words, texts in clusters.items()}
    cluster_last = {words: max(wordings[t][1] for t in texts) for words, texts in clusters.items()}
    ordered = _ordered(clusters, (cluster_count.__getitem__, True), (cluster_last.__getitem__, True),
                       (sorted, False))

    reps: list[frozenset[str]] = []             # group index -> representative word set
    members: list[list[frozenset[str]]] = []    # group index -> clusters in it
    for words in ordered:
        best, best_sim = -1, -1.0
        if words:
            for g in index.candidates(words):
                sim = _jaccard(words, reps[g])
                if sim >= min_similarity and (sim > best_sim or (sim == best_sim and g < best)):
                    best, best_sim = g, sim
        if best < 0:
            best = len(reps)
            reps.append(words)
            members.append([])
            if words:
                index.add(words, best)
        members[best].append(words)

    groups = []
    for rep, group in zip(reps, members):
        texts = [t for words in group for t in clusters[words]]
        texts = _ordered(texts, (lambda t: wordings[t][0], True), (lambda t: wordings[t][1], True),
                         (lambda t: t, False))
        groups.append(UnansweredGroup(
            representative=texts[0],
            count=sum(cluster_count[w] for w in group),
            variants=len(texts),
            wordings=tuple(texts[:5]),
            keywords=tuple(sorted(rep)),
            last_seen=max(cluster_last[w] for w in group),
        ))
    groups = _ordered(groups, (lambda g: g.count, True), (lambda g: g.last_seen, True),
                      (lambda g: g.representative, False))
    return groups if limit is None else groups[:limit]


# -- 3. not helpful articles -------------------------------------------------------------------
def not_helpful_articles(store: Store, days: int = 30, limit: int | None = 20, *,
                         now: datetime | None = None) -> list[NotHelpfulArticle]:
    """Articles with the most "not helpful" votes in the period, with their latest comments.

    Only articles with at least one "not helpful" vote are listed. Sorted by
    "not helpful" votes, then by the lower helpful ratio, then article id.
    Comments are those left with "not helpful" votes in the period: they say
    what is wrong, which is what an editor fixing the article needs.
    """
    _check_limit(limit)
    since, until = _bounds(days, now)
    rows = store.query(
        "SELECT article_id, SUM(helpful = 0) AS no, SUM(helpful != 0) AS yes FROM feedback "
        "WHERE at >= ? AND at < ? GROUP BY article_id HAVING no > 0 "
        "ORDER BY no DESC, CAST(yes AS REAL) / (yes + no) ASC, article_id ASC LIMIT ?",
        (since, until, -1 if limit is None else limit))
    if not rows:
        return []
    comments: dict[str, list[str]] = defaultdict(list)
    for r in store.query(
            "SELECT article_id, comment FROM ("
            "  SELECT article_id, comment, ROW_NUMBER() OVER ("
            "    PARTITION BY article_id ORDER BY at DESC, id DESC) AS rn FROM feedback "
            "  WHERE helpful = 0 AND comment IS NOT NULL AND trim(comment) != '' "
            "    AND at >= ? AND at < ? AND article_id IN (SELECT value FROM json_each(?))"
            ") WHERE rn <= 5 ORDER BY article_id, rn",
            (since, until, _json_list(r["article_id"] for r in rows))):
        comments[r["article_id"]].append(r["comment"])
    return [NotHelpfulArticle(article_id=r["article_id"], no_votes=r["no"], yes_votes=r["yes"],
                              helpful_ratio=r["yes"] / (r["yes"] + r["no"]),
                              comments=tuple(comments.get(r["article_id"], ())))
            for r in rows]


def _json_list(values: Iterable[str]) -> str:
    return json.dumps(list(values))


# -- 4. article stats --------------------------------------------------------------------------
def article_stats(store: Store, days: int = 30, limit: int | None = None, *,
                  now: datetime | None = None) -> list[ArticleStat]:
    """Views and votes per article in the period, most viewed first.

    Articles that were voted on but have no recorded views in the period are
    included with ``views=0`` (votes can come through the API). Ties are
    ordered by article id.
    """
    _check_limit(limit)
    since, until = _bounds(days, now)
    views = {r["article_id"]: r["views"] for r in store.query(
        "SELECT article_id, SUM(views) AS views FROM article_views "
        "WHERE day >= ? AND day < ? GROUP BY article_id", (since, until))}
    votes = {r["article_id"]: (r["yes"], r["no"]) for r in store.query(
        "SELECT article_id, SUM(helpful != 0) AS yes, SUM(helpful = 0) AS no FROM feedback "
        "WHERE at >= ? AND at < ? GROUP BY article_id", (since, until))}
    stats = []
    for article_id in views.keys() | votes.keys():
        yes, no = votes.get(article_id, (0, 0))
        stats.append(ArticleStat(article_id=article_id, views=views.get(article_id, 0),
                                 yes_votes=yes, no_votes=no, helpful_ratio=_ratio(yes, yes + no)))
    stats.sort(key=lambda s: (-s.views, s.article_id))
    return stats if limit is None else stats[:limit]


# -- 5. deflection -----------------------------------------------------------------------------
def deflection(store: Store, days: int = 30, bucket: Literal["week", "day"] = "week", *,
               now: datetime | None = None) -> list[DeflectionPoint]:
    """Searches, helpful searches, contact requests and deflection rate per day or ISO week.

    Every bucket that overlaps the period is returned, oldest first, also when
    nothing happened in it (zeros, ``rate=None``), so a chart has no gaps on
    the time axis. Weeks start on Monday (UTC); the first and last week may be
    cut by the period (see ``start`` / ``end``).

    A search counts as helpful in the bucket of the *search* (not of the
    vote) when at least one "helpful" vote carries its token. Contact
    requests count in the bucket they were sent in. All counting is grouped
    by day in SQL; days are folded into weeks in Python.
    """
    if bucket not in ("week", "day"):
        raise ValueError(f"bucket must be 'week' or 'day', not {bucket!r}")
    first, last = _period(days, now)
    since, until = first.isoformat(), (last + timedelta(days=1)).isoformat()
    per_day = {r["d"]: r["n"] for r in store.query(
        "SELECT substr(at, 1, 10) AS d, COUNT(*) AS n FROM searches "
        "WHERE at >= ? AND at < ? GROUP BY d", (since, until))}
    # feedback drives the join (CROSS JOIN fixes the order in SQLite): each helpful vote
    # looks its search up through the unique token index instead of scanning searches.
    helpful = {r["d"]: r["n"] for r in store.query(
        "SELECT substr(s.at, 1, 10) AS d, COUNT(DISTINCT s.token) AS n "
        "FROM feedback AS f CROSS JOIN searches AS s ON s.token = f.search_token "
        "WHERE f.helpful != 0 AND f.search_token IS NOT NULL AND s.at >= ? AND s.at < ? "
        "GROUP BY d", (since, until))}
    contacts = {r["d"]: r["n"] for r in store.query(
        "SELECT substr(at, 1, 10) AS d, COUNT(*) AS n FROM contact_requests "
        "WHERE at >= ? AND at < ? GROUP BY d", (since, until))}

    points: list[DeflectionPoint] = []
    acc: dict[str, Any] | None = None
    day = first
    while day <= last:
        if bucket == "day":
            key = day.isoformat()
        else:
            year, week, _ = day.isocalendar()
            key = f"{year:04d}-W{week:02d}"
        if acc is None or acc["bucket"] != key:
            if acc is not None:
                points.append(_point(acc))
            acc = {"bucket": key, "start": day, "end": day, "searches": 0, "helpful": 0, "contacts": 0}
        d = day.isoformat()
        acc["end"] = day
        acc["searches"] += per_day.get(d, 0)
        acc["helpful"] += helpful.get(d, 0)
        acc["contacts"] += contacts.get(d, 0)
        day += timedelta(days=1)
    if acc is not None:
        points.append(_point(acc))
    return points


def _point(acc: dict[str, Any]) -> DeflectionPoint:
    helpful, contacts = acc["helpful"], acc["contacts"]
    return DeflectionPoint(bucket=acc["bucket"], start=acc["start"].isoformat(), end=acc["end"].isoformat(),
                           searches=acc["searches"], helpful_searches=helpful, contact_requests=contacts,
                           rate=_ratio(helpful, helpful + contacts))


# -- 6. chart ----------------------------------------------------------------------------------
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _num(x: float) -> str:
    """Coordinates with at most one decimal, no trailing zeros."""
    text = f"{x:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _pct(rate: float) -> str:
    return f"{math.floor(rate * 100 + 0.5)} %"   # half up: 12.5 % -> 13 %, not banker's 12 %


def deflection_svg(points: Sequence[DeflectionPoint], width: int = 640, height: int = 220,
                   labels: Sequence[str] | None = None, *, title: str = "Deflection rate",
                   description: str | None = None, no_data: str = "no data",
                   id_prefix: str = "deflection-chart") -> str:
    """Server-rendered, accessible SVG bar chart of the deflection rate per bucket.

    Why server-rendered: the portal's CSP allows neither inline scripts nor
    inline styles, and editors should see the chart without JavaScript. So
    the markup uses presentation attributes only (``fill``, ``stroke``,
    ``font-size``), no ``style=``, no script, no external resources.

    Accessibility: ``role="img"`` with ``aria-labelledby`` pointing to the
    ``<title>`` and a ``<desc>`` that lists every bucket's value (or
    ``no_data``), so screen-reader users get the data, not only "a chart".
    Each bar also has its own ``<title>`` as a tooltip.

    ``labels`` (one per point) default to each bucket's ``start`` date; when
    there are more buckets than fit, only every n-th label is printed on the
    axis (all of them stay in ``<desc>``). ``title``, ``description`` and
    ``no_data`` let the caller localise the texts; ``id_prefix`` must be
    unique per page when several charts are shown. Buckets whose rate is None
    are left empty (a gap), never drawn as 0 %. All text is escaped.
    """
    if labels is None:
        labels = [p.start for p in points]
    elif len(labels) != len(points):
        raise ValueError(f"{len(labels)} labels for {len(points)} points")
    width, height = max(int(width), 120), max(int(height), 80)
    prefix = _ID_UNSAFE.sub("-", id_prefix) or "deflection-chart"
    title_id, desc_id = f"{prefix}-title", f"{prefix}-desc"

    if description is None:
        values = "; ".join(
            f"{label}: {_pct(p.rate)} ({p.helpful_searches}/{p.helpful_searches + p.contact_requests})"
            if p.rate is not None else f"{label}: {no_data}"
            for p, label in zip(points, labels))
        description = (f"{title}, 0–100 %, helpful searches / (helpful searches + contact requests). "
                       + (values + "." if values else f"{no_data}."))

    left, right, top, bottom = 44, 10, 10, 26
    plot_w, plot_h = width - left - right, height - top - bottom
    base_y = top + plot_h

    def y_of(rate: float) -> float:
        return base_y - max(0.0, min(1.0, rate)) * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-labelledby="{title_id} {desc_id}" '
        f'class="kb-chart" font-family="sans-serif" font-size="11">',
        f'<title id="{title_id}">{_e(title)}</title>',
        f'<desc id="{desc_id}">{_e(description)}</desc>',
        '<g class="kb-chart-grid">',
    ]
    for step in (0, 25, 50, 75, 100):
        y = _num(y_of(step / 100))
        out.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" '
                   f'stroke="{"#57606a" if step == 0 else "#d0d7de"}" stroke-width="1"/>')
        out.append(f'<text x="{left - 6}" y="{y}" dy="0.32em" text-anchor="end" fill="#57606a">'
                   f'{step} %</text>')
    out.append('</g>')

    n = len(points)
    if n:
        slot = plot_w / n
        bar_w = max(1.0, slot * 0.7)
        every = max(1, -(-n // max(1, plot_w // 72)))   # ceil(n / labels that fit)
        out.append('<g class="kb-chart-bars" fill="#1f6feb">')
        for i, (p, label) in enumerate(zip(points, labels)):
            if p.rate is None:
                continue
            x = left + i * slot + (slot - bar_w) / 2
            y = y_of(p.rate)
            h = max(base_y - y, 1.5)   # a 0 % bucket stays visible, unlike a gap
            tip = f"{label}: {_pct(p.rate)}"
            out.append(f'<rect x="{_num(x)}" y="{_num(base_y - h)}" width="{_num(bar_w)}" '
                       f'height="{_num(h)}"><title>{_e(tip)}</title></rect>')
        out.append('</g>')
        out.append('<g class="kb-chart-labels" fill="#57606a" text-anchor="middle">')
        for i, label in enumerate(labels):
            if i % every:
                continue
            x = left + i * slot + slot / 2
            out.append(f'<text x="{_num(x)}" y="{_num(base_y + 16)}">{_e(label)}</text>')
        out.append('</g>')
    else:
        out.append(f'<text x="{_num(left + plot_w / 2)}" y="{_num(top + plot_h / 2)}" '
                   f'text-anchor="middle" fill="#57606a">{_e(no_data)}</text>')
    out.append('</svg>')
    return "\n".join(out)


# -- 7. CSV ------------------------------------------------------------------------------------
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> object:
    """One CSV cell: numbers as numbers, sequences joined, text guarded against formulas."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        value = " | ".join("" if v is None else str(v) for v in items)
    text = str(value)
    if text.startswith(_FORMULA_START):
        text = "'" + text
    return text


def to_csv(rows: Sequence[Any], row_type: type | None = None) -> str:
    """CSV (RFC 4180, ``\\r\\n`` line ends) of any result list of this module.

    The header is the dataclass's field names; list fields are joined with
    " | ". Why the guard: editors open these files in spreadsheet programs,
    and customer-typed text (queries, comments) starting with ``=``, ``+``,
    ``-``, ``@``, tab or carriage return would be run as a formula (CSV
    injection); such cells get a leading apostrophe. Numbers are written as
    numbers and never prefixed, so negative values stay numeric. An empty
    list gives an empty string, or just the header when ``row_type`` (the
    dataclass) is given.
    """
    if rows:
        row_type = type(rows[0])
    if row_type is None:
        return ""
    if not dataclasses.is_dataclass(row_type):
        raise TypeError(f"to_csv needs dataclass rows, not {row_type.__name__}")
    names = [f.name for f in dataclasses.fields(row_type)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows:
        if not isinstance(row, row_type):
            raise TypeError(f"mixed row types: {type(row).__name__} among {row_type.__name__}")
        writer.writerow([_cell(getattr(row, name)) for name in names])
    return buffer.getvalue()
