"""Suggested questions per article, from evidence, and the editors' accept / reject.

A suggestion is a cluster of near-duplicate phrasings (kb.content.phrasing)
that customers used before an article answered them, without their greeting and
thanks (kb.content.salutations), quotation marks, emoji, smileys and links
(kb.content.adornments), as the search reads them, with the evidence count
(helpful minus not helpful), the last date and the variants merged into it.
Never suggested: a phrasing holding a masked placeholder, one the article's
`questions` already has, one decided on before, one crossing language (the
phrasing goes to the article's version in its language, or nowhere) or
audience (internal articles learn from staff only). Per article at most
``per_article``, the most frequent first, then the most different.

Evidence counts per piece (kb.ops.learning), once however many ways it was said: a search
and its vote; a request answered with the article, with the vote of the search it came from
and an agent's copy of the article's answer for the request's words (near-duplicates
included), so that one agent marking a request and copying its answer is not two customers;
a copy for words no request asked is a piece of its own. A piece counts for the phrasing
when any of its parts does (an agent's answer over the customer's "not helpful"), shown as
the request it answered before a copy before a search. A request's article an agent took
off again counts no more, nor the copy of its answer; the customer's own vote stays.

Nothing is learned without a decision: ``accept`` writes the phrasing into the
article file (kb.content.front_matter_questions) and the next `kb index`
(or a running `kb index --watch`) makes the search use it.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb.content.adornments import unadorned
from kb.content.articles import Article
from kb.content.front_matter_questions import add_question
from kb.content.phrasing import fold, has_placeholder, same_phrasing, word_overlap
from kb.content.privacy import mask_pii
from kb.content.salutations import without_salutations
from kb.ops import learning
from kb.ops.database import Store

DEFAULT_PER_ARTICLE = 10
EVERY_ONE = 10**6  # per_article when a suggestion is looked up by id: none left out
MIN_WORDS = 2  # one word is a keyword, not a question; the keyword index finds it already
# a phrasing sharing more of its words with a better one waits until the different ones are listed
SIMILAR_WORDS = 0.6
# what a piece of evidence is shown as, first found first: a request answered, an answer
# copied, a search voted on (kb.ops.learning's kinds)
SHOWN_AS = ("inbox", "copy", "vote")


def per_article_limit() -> int:
    """KB_SUGGESTIONS_PER_ARTICLE, else DEFAULT_PER_ARTICLE."""
    try:
        return max(1, int(os.environ.get("KB_SUGGESTIONS_PER_ARTICLE", DEFAULT_PER_ARTICLE)))
    except ValueError:
        return DEFAULT_PER_ARTICLE


class SuggestionError(ValueError):
    """An accept or reject that cannot be done, with a message for the editor."""


DECIDED_MEANWHILE = "another editor decided on this suggestion meanwhile: list the suggestions again"


@dataclass
class Suggestion:
    article_id: str
    title: str
    lang: str
    key: str
    last: str = ""
    texts: Counter = field(default_factory=Counter)
    # piece of evidence -> the (kind, weight) of its parts in this cluster: counted once each
    pieces: dict[str, list[tuple[str, int]]] = field(default_factory=dict, repr=False)

    def add(self, piece: str, e: learning.Evidence, phrasing: str) -> None:
        self.pieces.setdefault(piece, []).append((e.kind, e.weight))
        if e.weight > 0:
            self.texts[phrasing] += 1
        self.last = max(self.last, e.at)

    @property
    def id(self) -> str:
        return hashlib.sha1(f"{self.article_id}\n{self.key}".encode()).hexdigest()[:10]

    @property
    def helpful(self) -> int:
        return sum(_for(parts) for parts in self.pieces.values())

    @property
    def against(self) -> int:
        return len(self.pieces) - self.helpful

    @property
    def kinds(self) -> Counter:
        """The helpful pieces by what they are: 'vote' (a search), 'inbox' (a request), 'copy'."""
        return Counter(next(k for k in SHOWN_AS if any(kind == k for kind, _w in parts))
                       for parts in self.pieces.values() if _for(parts))

    @property
    def evidence(self) -> int:
        return self.helpful - self.against

    @property
    def phrasing(self) -> str:
        """The wording most used (folded, so a typo loses to the common spelling), then the
        variant typed most often, then the earliest."""
        by_key = Counter()
        for text, n in self.texts.items():
            by_key[fold(text)] += n
        return max(self.texts, key=lambda t: (by_key[fold(t)], self.texts[t]))

    @property
    def variants(self) -> list[str]:
        return [t for t, _ in self.texts.most_common() if t != self.phrasing]

    def as_dict(self) -> dict:
        kinds = self.kinds
        return {"id": self.id, "article_id": self.article_id, "title": self.title, "lang": self.lang,
                "phrasing": self.phrasing, "evidence": self.evidence, "helpful": self.helpful,
                "not_helpful": self.against, "searches": kinds["vote"], "requests": kinds["inbox"],
                "copies": kinds["copy"], "last": self.last, "variants": self.variants}


def _for(parts: list[tuple[str, int]]) -> bool:
    """A piece counts for the phrasing when one of its parts does."""
    return any(weight > 0 for _kind, weight in parts)


def _target(e: learning.Evidence, by_id: dict[str, Article], versions: dict) -> Article | None:
    """The article version the phrasing may teach, or None (unknown, other language, audience)."""
    art = by_id.get(e.article_id)
    if art is None:
        return None
    if e.lang and e.lang != art.lang:
        other = versions.get((art.translation, e.lang)) if art.translation else None
        art = by_id.get(other) if other else None
        if art is None:
            return None
    if not art.public and not e.staff:
        return None
    return art


def _usable(phrasing: str) -> bool:
    return (not has_placeholder(phrasing) and len(phrasing) <= learning.MAX_PHRASING_CHARS
            and len(fold(phrasing).split()) >= MIN_WORDS)


def _cleaned(e: learning.Evidence) -> str:
    return " ".join(without_salutations(unadorned(e.phrasing)).split())


def _requests(items: list[tuple[learning.Evidence, str, str]]) -> dict[str, list[tuple[str, str, bool]]]:
    """Per article, the requests answered with it: (their phrasing's key, piece, withdrawn)."""
    found: dict[str, list[tuple[str, str, bool]]] = {}
    for e, _phrasing, key in items:
        if e.kind in ("inbox", learning.WITHDRAWN):
            found.setdefault(e.article_id, []).append((key, e.piece, e.kind == learning.WITHDRAWN))
    return found


def _piece(e: learning.Evidence, key: str, requests: dict[str, list[tuple[str, str, bool]]]) -> str | None:
    """The piece ``e`` counts in; None when it counts no more: a request's article taken off,
    or a copy of that article's answer for that request's words."""
    if e.kind == learning.WITHDRAWN:
        return None
    if e.kind != "copy":
        return e.piece
    said = [(piece, gone) for k, piece, gone in requests.get(e.article_id, ()) if same_phrasing(k, key)]
    live = [piece for piece, gone in said if not gone]
    if live:
        return live[0]
    return None if said else e.piece


def _clusters(store: Store, articles: list[Article]) -> dict[str, list[Suggestion]]:
    by_id = {a.id: a for a in articles if not a.draft}
    versions = {(a.translation, a.lang): a.id for a in by_id.values() if a.translation}
    cleaned = [(e, _cleaned(e)) for e in learning.evidence(store)]
    items = [(e, phrasing, fold(phrasing)) for e, phrasing in cleaned]
    requests = _requests(items)
    out: dict[str, list[Suggestion]] = {}
    for e, phrasing, key in items:
        art = _target(e, by_id, versions)
        piece = _piece(e, key, requests)
        if art is None or piece is None or not _usable(phrasing):
            continue
        clusters = out.setdefault(art.id, [])
        found = next((c for c in clusters if same_phrasing(c.key, key)), None)
        if found is None:
            found = Suggestion(art.id, art.title, art.lang, key)
            clusters.append(found)
        found.add(piece, e, phrasing)
    return out


def suggestion_ids(store: Store, article_ids: set[str]) -> dict[str, str]:
    """Every id a suggestion for one of ``article_ids`` can have (one per phrasing its evidence
    holds), with its article: for an article whose file cannot be read, which has no
    suggestions listed, so that an id asked for is told apart from one decided already."""
    found: dict[str, str] = {}
    for e in learning.evidence(store):
        if e.article_id in article_ids:
            found[Suggestion(e.article_id, "", "", fold(_cleaned(e))).id] = e.article_id
    return found


def _most_different_first(found: list[Suggestion], limit: int) -> list[Suggestion]:
    ranked = sorted(found, key=lambda s: s.last, reverse=True)
    ranked.sort(key=lambda s: (-s.evidence, -len(s.texts)))  # stable: the latest first among equals
    chosen: list[Suggestion] = []
    while ranked and len(chosen) < limit:
        pick = next((s for s in ranked if all(word_overlap(s.key, c.key) < SIMILAR_WORDS for c in chosen)),
                    ranked[0])
        chosen.append(pick)
        ranked.remove(pick)
    return chosen


def suggestions(store: Store, articles: list[Article], min_evidence: int = 1,
                per_article: int | None = None) -> list[Suggestion]:
    """The suggestions editors decide on, grouped by article (ids in order)."""
    limit = per_article or per_article_limit()
    by_id = {a.id: a for a in articles}
    decided: dict[str, list[str]] = {}
    for d in learning.decisions(store):
        decided.setdefault(d["article_id"], []).append(d["key"])
    elsewhere = _questions_by_language(articles)
    out: list[Suggestion] = []
    for article_id, clusters in sorted(_clusters(store, articles).items()):
        art = by_id[article_id]
        known = [fold(q) for q in [art.title, *art.questions]] + decided.get(article_id, [])
        known += [fold(without_salutations(k)) for k in decided.get(article_id, [])]
        claimed = elsewhere.get(by_id[article_id].lang, {})
        fresh = [c for c in clusters if c.texts and c.evidence >= min_evidence
                 and not any(same_phrasing(c.key, k) for k in known)
                 and claimed.get(c.key, article_id) == article_id]  # another article's question: it leads there
        out.extend(_most_different_first(fresh, limit))
    return out


def _questions_by_language(articles: list[Article]) -> dict[str, dict[str, str]]:
    """Per language, each title and front-matter question (folded) and the article it leads to:
    the search ranks an article first for either (kb/search/question_match.py)."""
    out: dict[str, dict[str, str]] = {}
    for a in articles:
        for q in [a.title, *a.questions]:
            out.setdefault(a.lang, {}).setdefault(fold(q), a.id)
    return out


def narrowed(found: list[Suggestion], articles: list[Article], lang: str | None = None,
             article: str | None = None) -> list[Suggestion]:
    """The suggestions of one article language and/or one article; an editor with hundreds
    decides one part at a time. An unknown language or article is an error, not an empty list."""
    if lang and lang not in {a.lang for a in articles}:
        raise SuggestionError(f"unknown language '{lang[:20]}'")
    if article:
        _article(articles, article)
    return [s for s in found if (not lang or s.lang == lang) and (not article or s.article_id == article)]


def _article(articles: list[Article], article_id: str) -> Article:
    art = next((a for a in articles if a.id == article_id), None)
    if art is None:
        raise SuggestionError(f"unknown article '{article_id[:200]}'")
    return art


def accept(store: Store, articles: list[Article], suggestion: Suggestion, editor: str | None,
           phrasing: str | None = None, write: Callable[[Path, str], bool] = add_question) -> bool:
    """Write the (edited) phrasing into the article's front matter and remember the decision;
    ``write`` appends a question to a file (the browser's passes it through the article
    editor, which records the editor's version).

    Returns False when the article already had that question (nothing written).
    """
    text = " ".join(mask_pii(phrasing if phrasing is not None else suggestion.phrasing).split())
    if not text:
        raise SuggestionError("the question is empty")
    if not any(ch.isalnum() for ch in text):  # "👍", "???": nothing a customer could search by
        raise SuggestionError("the question has no words: write it as a customer would ask")
    if has_placeholder(text):
        raise SuggestionError("the question holds personal data or a placeholder such as [number]: "
                              "write it without")
    if len(text) > learning.MAX_PHRASING_CHARS:
        raise SuggestionError(f"the question is too long (at most {learning.MAX_PHRASING_CHARS} characters)")
    art = _article(articles, suggestion.article_id)
    key = fold(text)
    owner = next((o for q, o in _questions_by_language(articles).get(art.lang, {}).items()
                  if o != art.id and same_phrasing(key, q)), art.id)  # a near variant too ("…, bitte")
    if owner != art.id:  # one question leads to one article: the search would be torn between two
        raise SuggestionError(f"'{text}' is the title or a question of '{owner}' already: write it differently, "
                              "or reject the suggestion")
    if not learning.claim(store, art.id, suggestion.phrasing, "accepted", editor):
        raise SuggestionError(DECIDED_MEANWHILE)
    try:
        written = write(Path(art.path), text)
    except BaseException:
        learning.withdraw(store, art.id, suggestion.phrasing, "accepted")  # nothing written: still open
        raise
    if fold(text) != fold(suggestion.phrasing):  # edited: the wording written is the accepted one
        learning.decide(store, art.id, text, "accepted", editor)
        learning.decide(store, art.id, suggestion.phrasing, "edited", editor)
    return written


def reject(store: Store, suggestion: Suggestion, editor: str | None) -> None:
    if not learning.claim(store, suggestion.article_id, suggestion.phrasing, "rejected", editor):
        raise SuggestionError(DECIDED_MEANWHILE)


def find(found: list[Suggestion], suggestion_id: str) -> Suggestion:
    match = next((s for s in found if s.id == suggestion_id), None)
    if match is None:
        raise SuggestionError(f"no suggestion '{suggestion_id[:20]}' (decided already, or its evidence "
                              "changed: list them again)")
    return match
