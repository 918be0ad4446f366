"""Articles -> sections -> passages: the units the indexes store.

A customer's question is usually answered by one section, often by one
sentence. So every article is indexed at three granularities (the whole
article, its ``##`` sections, and single sentences/questions) and the ranker
combines them: the article view catches the topic, the fine views catch the
exact passage even when the rest of the article talks about other things.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kb.content.articles import Article
from kb.content.markdown import Anchors, inline_text, parse_blocks, tokens_text

MAX_SECTION_WORDS = 160
OVERLAP_WORDS = 40
MIN_SENTENCE_WORDS = 3

_SENTENCE_END = re.compile(r'(?<=[.!?:;])\s+(?=[A-ZÄÖÜ0-9"„»(\'])|\n+')


@dataclass(frozen=True)
class Section:
    article_id: str
    anchor: str  # heading id on the article page; "" for the text before the first heading
    heading: str  # "" for the introduction
    text: str  # plain text of this part of the section
    part: int = 0  # > 0 when a long section was split


def split_sentences(text: str) -> list[str]:
    """Sentence-ish pieces: sentence ends and line breaks (list items, table rows)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


def _windows(text: str, max_words: int, overlap: int) -> list[str]:
    """Split long text into windows of whole sentences, overlapping by ~overlap words."""
    sentences = split_sentences(text)
    if sum(len(s.split()) for s in sentences) <= max_words:
        return [text]
    windows: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in sentences:
        n = len(sentence.split())
        if current and count + n > max_words:
            windows.append(" ".join(current))
            keep: list[str] = []
            kept = 0
            for s in reversed(current):
                if kept + len(s.split()) > overlap:
                    break
                keep.insert(0, s)
                kept += len(s.split())
            current, count = keep, kept
        current.append(sentence)
        count += n
    if current:
        windows.append(" ".join(current))
    return windows


def split_sections(article: Article, max_words: int = MAX_SECTION_WORDS,
                   overlap: int = OVERLAP_WORDS) -> list[Section]:
    """Sections by ``##`` headings (deeper headings stay inside their section).

    The body is parsed once; each section's text comes from its slice of the
    block tokens, so no section is parsed twice.
    """
    anchors = Anchors()
    tokens = parse_blocks(article.body)
    bounds: list[tuple[int, int, str, str]] = [(0, 0, "", "")]  # (heading token, text start, heading, anchor)
    for i, token in enumerate(tokens):
        if token.type == "heading_open" and i + 1 < len(tokens):
            text = inline_text(tokens[i + 1])
            anchor = anchors(text)  # every heading counts, so anchors match the rendered page
            if token.tag == "h2":
                bounds.append((i, i + 3, text, anchor))  # heading_open, inline, heading_close
    sections: list[Section] = []
    for n, (_, first, heading, anchor) in enumerate(bounds):
        end = bounds[n + 1][0] if n + 1 < len(bounds) else len(tokens)
        text = tokens_text(tokens[first:end]).strip()
        if not text and not heading:
            continue
        for part, window in enumerate(_windows(text, max_words, overlap) if text else [""]):
            sections.append(Section(article.id, anchor, heading, window, part))
    return sections
