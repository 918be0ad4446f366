"""Suggested articles for a whole customer message (email or chat), for agents.

A pasted email is not a query: it has header lines, greetings, quoted history,
signatures, order numbers and often two questions; a chat has the agent's lines
too. The message is cut into the parts that carry the request (its text:
kb/search/message_request.py), each part is searched with the same engine, and
the results are merged: an article that answers one part well, or several
parts, comes first.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from kb.content.salutations import courtesy_only, thanks_only
from kb.content.sections import split_sentences
from kb.search.engine import MAX_QUERY_CHARS, Hit, QueryError, SearchEngine
from kb.search.message_request import MAX_MESSAGE_CHARS, read_request, request_text

__all__ = ["MAX_MESSAGE_CHARS", "MessageHit", "message_parts", "request_text", "search_message"]

MAX_PARTS = 8
MERGED_PART_CHARS = 160  # short neighbouring sentences below this make one part, for context


@dataclass
class MessageHit:
    hit: Hit
    score: float
    parts: list[str] = field(default_factory=list)  # the message parts it answers


def message_parts(text: str, by_customer: bool = False, own_domains: Iterable[str] = ()) -> list[str]:
    """What is searched: the subjects that name a topic, then the sentences that carry the
    request (no headers, quotes, greetings, signatures, thanks, agent's lines or, in a message
    an agent pasted, a colleague's note: ``by_customer`` and ``own_domains`` as in read_request).
    A message that only thanks or greets has no part, whatever its subject."""
    request = read_request(text, by_customer, own_domains)
    if request.texts and courtesy_only(request.text):
        return []  # "AW: Rücksendung" above "Danke, hat sich erledigt!" asks nothing
    sentences = [s for text in request.texts for s in split_sentences(text)
                 if len(s.split()) >= 2 and not courtesy_only(s)]
    # questions first (they are the request), then the rest in order; short
    # neighbours are merged so each part has some context
    parts: list[str] = []
    for s in sorted(sentences, key=lambda s: not s.rstrip().endswith("?")):
        if parts and len(parts[-1]) + len(s) < MERGED_PART_CHARS and not parts[-1].endswith("?"):
            parts[-1] = parts[-1] + " " + s
        else:
            parts.append(s[:MAX_QUERY_CHARS])
    subjects = [s[:MAX_QUERY_CHARS] for s in request.subjects]
    unique = {part.casefold(): part for part in reversed(subjects + parts)}  # a subject said again in the text
    return list(reversed(unique.values()))[:MAX_PARTS]


def search_message(engine: SearchEngine, text: str, lang: str | None = None, audience: str = "internal",
                   limit: int = 10, category: str | None = None,
                   by_customer: bool = False,
                   own_domains: Iterable[str] = ()) -> tuple[list[str], list[MessageHit]]:
    """Articles for a message, best first, each with the parts it answers; ``by_customer``: the
    customer sent it themselves (see message_parts), not an agent who pasted it; ``own_domains``:
    the shop's e-mail domains, whose senders' notes above a forward are colleagues'."""
    parts = message_parts(text, by_customer, own_domains)
    if not parts and thanks_only(request_text(text, by_customer, own_domains) or text):
        raise QueryError("the message only thanks or closes the matter: there is no question to answer")
    if not parts:
        raise QueryError("the message has no text to search for")
    engine.prime(parts)  # one batched encode instead of one per part
    merged: dict[str, MessageHit] = {}
    for part in parts:
        try:
            result = engine.search(part, lang=lang, limit=5, audience=audience, category=category)
        except QueryError:
            continue
        for rank, hit in enumerate(result.results):
            weight = hit.score * (1.0 if result.answered else 0.5)
            entry = merged.get(hit.id)
            if entry is None:
                merged[hit.id] = MessageHit(hit, weight, [part] if rank < 3 else [])
            else:
                if weight > entry.score:
                    entry.hit = hit  # the answer section of the part it fits best
                entry.score = max(entry.score, weight) + (0.5 if rank < 3 else 0.0)
                if rank < 3:
                    entry.parts.append(part)
    ranked = sorted(merged.values(), key=lambda m: -m.score)
    return parts, ranked[:limit]
