"""What a search answers (hits and the result around them) and what it refuses (QueryError)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields

from kb.content.articles import MAX_QUERY_CHARS

CONFIDENCE_DIGITS = 4


class QueryError(ValueError):
    """A query the engine cannot run, with a message fit for the customer."""


def clean_query(query: str) -> str:
    """Collapse whitespace and drop control characters; reject empty/over-long input and
    input without a letter or digit (emoji, smileys, punctuation alone)."""
    if not isinstance(query, str):
        raise QueryError("the query must be text")
    text = "".join(ch if ch.isprintable() else " " for ch in query)
    text = re.sub(r"\s+", " ", text).strip()
    if not text:
        raise QueryError("the query is empty: type a question or a few words")
    if not any(ch.isalnum() for ch in text):  # "😀😀", "???", ":-(": nothing to search for
        raise QueryError("the query has no words: type a question or a few words")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"the query is too long ({len(text)} characters, at most {MAX_QUERY_CHARS})")
    return text


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    lang: str
    category: str
    audience: str
    score: float
    section: str  # heading path, e.g. "Rückgabe › Fristen"
    anchor: str
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)

    def to_dict(self, url: str | None = None, audience: bool = True) -> dict:
        """The JSON of a hit, for the CLI and the API (which adds the article's ``url``
        and leaves out ``audience``). Field by field: ``asdict`` deep-copies every
        highlight span, a measurable part of an API answer's time."""
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["highlights"] = [list(h) for h in self.highlights]
        if not audience:
            del d["audience"]
        if url is not None:
            d["url"] = url
        return d


@dataclass
class SearchResult:
    query: str
    lang: str | None
    answered: bool
    did_you_mean: str | None
    results: list[Hit]
    confidence: float = 0.0
    features: dict = field(default_factory=dict, repr=False)  # inputs of `answered`, for calibration
    original: str | None = None  # the question as typed, when the results are for its correction
    fixes: dict = field(default_factory=dict, repr=False)  # typed word -> spelling correction
    # answered, but the first article barely leads another: offer the best ones as a choice
    hedged: bool = False
    # answered because the question is one of the first article's questions or tags (however
    # low ``confidence``, the model's estimate from the similarities alone)
    known_phrasing: bool = False

    def to_dict(self) -> dict:
        return {"query": self.query, "original_query": self.original, "lang": self.lang, "answered": self.answered,
                "hedged": self.hedged, "known_phrasing": self.known_phrasing,
                "did_you_mean": self.did_you_mean, "confidence": round(self.confidence, CONFIDENCE_DIGITS),
                "results": [h.to_dict() for h in self.results]}
