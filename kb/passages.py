"""Sections -> passages: the texts the sentence encoders embed.

Three granularities per article (see :mod:`kb.sections` for why):
``ARTICLE`` (title, summary, tags and the start of the text), ``SECTION``
(heading + section text) and ``SENTENCE`` (single sentences, the title and each
front matter question). Passages are ordered by article and kind so the ranker
can take per-article maxima with one vectorised ``reduceat``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kb.articles import Article
from kb.sections import MIN_SENTENCE_WORDS, Section, split_sentences

ARTICLE, SECTION, SENTENCE = 0, 1, 2
KINDS = (ARTICLE, SECTION, SENTENCE)
ARTICLE_VIEW_WORDS = 200


@dataclass
class Passages:
    texts: list[str]
    kind: np.ndarray  # int8
    article: np.ndarray  # int32, article number
    section: np.ndarray  # int32, section number or -1 (title, questions, article view)


def article_view(article: Article, sections: list[Section]) -> str:
    words = " ".join(s.text for s in sections).split()[:ARTICLE_VIEW_WORDS]
    head = ". ".join(x for x in (article.title, article.summary) if x)
    tags = ", ".join(article.tags)
    return " ".join(x for x in (head + ".", tags, " ".join(words)) if x.strip(". "))


def build_passages(articles: list[Article], sections_by_article: list[list[tuple[int, Section]]]) -> Passages:
    texts: list[str] = []
    kind: list[int] = []
    art: list[int] = []
    sec: list[int] = []

    def add(text: str, k: int, a: int, s: int) -> None:
        texts.append(text)
        kind.append(k)
        art.append(a)
        sec.append(s)

    for k in KINDS:  # kind-major, then article order: what the ranker's reduceat expects
        for a, (article, numbered) in enumerate(zip(articles, sections_by_article)):
            sections = [s for _, s in numbered]
            if k == ARTICLE:
                add(article_view(article, sections), k, a, -1)
            elif k == SECTION:
                for n, s in numbered:
                    heading = s.heading or article.title
                    add(f"{heading}: {s.text}" if s.text else heading, k, a, n)
            else:
                add(article.title, k, a, -1)
                for q in article.questions:
                    add(q, k, a, -1)
                for n, s in numbered:
                    for sentence in split_sentences(s.text):
                        if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                            add(sentence, k, a, n)
    return Passages(texts=texts, kind=np.array(kind, dtype=np.int8),
                    article=np.array(art, dtype=np.int32), section=np.array(sec, dtype=np.int32))


def encoded_rows(passage_article: np.ndarray, article_lang: np.ndarray,
                 languages: list[str] | frozenset[str] | None) -> np.ndarray | None:
    """The passages an encoder embeds: all of them (None) or, for a monolingual
    encoder (``all-MiniLM-L6-v2@en``), those of articles in its languages.

    The ranker counts a monolingual encoder only where question and article share
    its language, so its vectors of other articles were never used: at 10,000
    sections, half the English model's encoding, storage and per-query products.
    Derived from the passages and the articles' languages, so the build and every
    reader agree without storing the list.
    """
    if languages is None:
        return None
    wanted = np.isin(np.asarray(article_lang), sorted(languages))
    return np.flatnonzero(wanted[passage_article]).astype(np.int64)
