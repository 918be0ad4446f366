"""Suggested articles for a whole customer message (email or chat), for agents.

A pasted email is not a query: it has greetings, quoted history, signatures,
order numbers and often two questions. We cut it into the parts that carry
the request, search each part with the same engine, and merge: an article
that answers one part well, or several parts, comes first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kb.content.salutations import (GREETING_WORDS, SHORT_SIGN_OFF_WORDS, SIGN_OFF_WORDS, THANKS_WORDS, courtesy_only,
                                    thanks_only)
from kb.content.sections import split_sentences
from kb.search.engine import MAX_QUERY_CHARS, Hit, QueryError, SearchEngine

MAX_MESSAGE_CHARS = 20_000
MAX_PARTS = 8
# a line opening with these ends the message: a signature or quoted history follows
# ("Best, John" and a lone "LG" too; "LG Fernseher ..." is a brand)
_SIGN_OFF = re.compile(rf"^\s*(--\s*$|(?:{SIGN_OFF_WORDS})\b|(?:{SHORT_SIGN_OFF_WORDS})(?:,|\s*$)|sent from my|"
                       r"von meinem \w+ gesendet|gesendet von)", re.I)
# a signature's lines: thanks with a name after it ("Danke, Klaus Weber"), a phone or fax number
_SIGNATURE_LINE = re.compile(rf"^\s*(?:(?i:{THANKS_WORDS})[ \t]*[,!.]?(?:[ \t]+[A-ZÄÖÜ][\w'’-]*\.?){{1,3}}\s*"
                             r"|(?i:tel(?:efon)?|fon|mobil|handy|phone|mobile|cell|fax)\.?:?[ \t]*[+(\d][^?]*)$")
_QUOTED_HEADER = re.compile(r"^\s*(am .* schrieb .*:|on .* wrote:|-{2,}\s*(original|ursprüngliche).*|from: .*|von: .*)$", re.I)
# a line that is only a greeting, with a name: "Hallo Frau Müller," "Sehr geehrte Frau Dr. Weber,"
# "Guten Tag Herr Schmidt"; "Hallo, ich habe ..." or "hi where is my parcel" on one line is the
# request itself. Words follow whitespace, so the match is linear in the line's length.
GREETING_NAME_WORDS = 4  # a name after the greeting, its closing mark after it
UNMARKED_NAME_WORDS = 2  # without the mark, more words are the request
_GREETING_START = rf"^\s*(?:{GREETING_WORDS}|sehr geehrter?|liebe[rs]?|dear)"
_NAME_WORD = r"[ \t]+[\w.'’-]+"
_GREETING = re.compile(rf"{_GREETING_START}(?:(?:{_NAME_WORD}){{0,{GREETING_NAME_WORDS}}}[ \t]*[,!.:]"
                       rf"|(?:{_NAME_WORD}){{0,{UNMARKED_NAME_WORDS}}})\s*$", re.I)


@dataclass
class MessageHit:
    hit: Hit
    score: float
    parts: list[str] = field(default_factory=list)  # the message parts it answers


def request_text(text: str) -> str:
    """The message's own lines, joined: no quoted history, greetings or signature."""
    lines = []
    for line in text[:MAX_MESSAGE_CHARS].splitlines():
        if _SIGN_OFF.match(line) or _QUOTED_HEADER.match(line) or _SIGNATURE_LINE.match(line):
            break  # everything below is signature or quoted history
        if line.lstrip().startswith(">") or _GREETING.match(line):
            continue
        if line.strip():
            lines.append(line.strip())
    return " ".join(lines)


def message_parts(text: str) -> list[str]:
    """The sentences that carry the request: no quotes, greetings, signatures or thanks."""
    sentences = [s for s in split_sentences(request_text(text)) if len(s.split()) >= 2 and not courtesy_only(s)]
    # questions first (they are the request), then the rest in order; short
    # neighbours are merged so each part has some context
    parts: list[str] = []
    for s in sorted(sentences, key=lambda s: not s.rstrip().endswith("?")):
        if parts and len(parts[-1]) + len(s) < 160 and not parts[-1].endswith("?"):
            parts[-1] = parts[-1] + " " + s
        else:
            parts.append(s[:MAX_QUERY_CHARS])
    return parts[:MAX_PARTS]


def search_message(engine: SearchEngine, text: str, lang: str | None = None, audience: str = "internal",
                   limit: int = 10, category: str | None = None) -> tuple[list[str], list[MessageHit]]:
    """Articles for a message, best first, each with the parts it answers."""
    parts = message_parts(text)
    if not parts and thanks_only(request_text(text) or text):
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
