"""What a hit shows of its section: the answering sentence with its neighbours, and
the words that match the question.

The snippet centres on the sentence passage that scored best; the highlights
are the snippet's words whose stem is a stem of the question (or of its
spelling corrections), found as the keyword analyzer finds words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from kb.content.passages import SENTENCE
from kb.content.sections import MIN_SENTENCE_WORDS, split_sentences
from kb.content.text import WHOOSH_TOKEN, stem

SNIPPET_CHARS = 320
ELLIPSIS = "…"
# what ends a sentence, also before closing quotes and brackets ("… bestellt.“")
_ENDED = (".", "!", "?", ":", ";", ELLIPSIS)
_CLOSING = "\"'“”‘’»«)]"


def _read_on(sentences: list[str]) -> str:
    """The pieces as one text: a list item or table row that ends without punctuation
    gets a full stop, so it does not run into the next sentence ("Kontaktformular:
    jederzeit, im Hilfe-Center. An Sonn- und Feiertagen …")."""
    ended = [s if s.rstrip(_CLOSING).endswith(_ENDED) or i == len(sentences) - 1 else s + "."
             for i, s in enumerate(sentences)]
    return " ".join(ended)


def snippet(section_text: str, best_sentence: int | None = None) -> str:
    """The section's sentence number ``best_sentence`` (counting only sentences long
    enough to be passages) with its neighbours, about SNIPPET_CHARS long; ``…``
    marks text left out."""
    sentences = split_sentences(section_text)
    if not sentences:
        return ""
    if len(section_text) <= SNIPPET_CHARS:
        return _read_on(sentences)
    center = 0
    if best_sentence is not None:
        passages = [s for s in sentences if len(s.split()) >= MIN_SENTENCE_WORDS]
        center = sentences.index(passages[best_sentence])
    lo, hi = _grow(sentences, center)
    text = _read_on(sentences[lo:hi + 1])
    if len(text) > SNIPPET_CHARS:
        text = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] + " " + ELLIPSIS
    more_after = hi + 1 < len(sentences) and not text.endswith(ELLIPSIS)
    return (ELLIPSIS + " " if lo > 0 else "") + text + (" " + ELLIPSIS if more_after else "")


def _grow(sentences: list[str], center: int) -> tuple[int, int]:
    """First and last sentence around ``center`` that fit SNIPPET_CHARS, adding one after
    and one before in turn."""
    lo = hi = center
    length = len(sentences[center])
    while True:
        grown = False
        if hi + 1 < len(sentences) and length + len(sentences[hi + 1]) + 1 <= SNIPPET_CHARS:
            hi += 1
            length += len(sentences[hi]) + 1
            grown = True
        if lo > 0 and length + len(sentences[lo - 1]) + 1 <= SNIPPET_CHARS:
            lo -= 1
            length += len(sentences[lo]) + 1
            grown = True
        if not grown:
            return lo, hi


def sentence_number(index, passages, best_passage: int | None, section_text: str) -> int | None:
    """Which of its section's sentence passages ``best_passage`` is, or None when the
    passages do not line up with the section's sentences as the snippet splits them."""
    if best_passage is None:
        return None
    sec = index.section[best_passage]
    same = [p for p in passages if index.section[p] == sec and index.kind[p] == SENTENCE]
    long_enough = [s for s in split_sentences(section_text) if len(s.split()) >= MIN_SENTENCE_WORDS]
    if best_passage in same and len(same) == len(long_enough):
        return same.index(best_passage)
    return None


def highlights(snippet_text: str, query: str, lang: str) -> list[tuple[int, int]]:
    """Character spans of snippet words whose stem matches a query word's stem.

    Tokens as Whoosh's tokenizer finds them, each analysed alone: the analyzer's
    filters (lowercase, stop words, stemming) work token by token.
    """
    wanted = {stem(lang, m.group()) for m in WHOOSH_TOKEN.finditer(query)} - {None}
    if not wanted:
        return []
    return [m.span() for m in WHOOSH_TOKEN.finditer(snippet_text) if stem(lang, m.group()) in wanted]


def mark(snippet_text: str, spans: Sequence[tuple[int, int]], before: str = "«", after: str = "»",
         escape: Callable[[str], str] = str) -> str:
    """Snippet with highlighted spans wrapped in ``before``/``after``; the text between
    goes through ``escape`` (HTML escaping for pages, nothing for terminals).
    Overlapping spans keep the first."""
    out, pos = [], 0
    for start, end in spans:
        if start < pos:
            continue
        out.append(escape(snippet_text[pos:start]))
        out.append(before + escape(snippet_text[start:end]) + after)
        pos = end
    out.append(escape(snippet_text[pos:]))
    return "".join(out)
