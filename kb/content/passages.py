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

from kb.content.articles import Article
from kb.content.sections import MIN_SENTENCE_WORDS, Section, split_sentences
from kb.content.text_memo import TextMemo

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


# (kind, section number within the article or -1, text) of one article's passages
_Own = tuple[tuple[int, int, str], ...]
# a long-running `kb index --watch` splits only the changed articles into sentences
_OWN: TextMemo[_Own] = TextMemo()


def _own_passages(article: Article, sections: list[Section]) -> _Own:
    out = [(ARTICLE, -1, article_view(article, sections))]
    for n, s in enumerate(sections):
        heading = s.heading or article.title
        out.append((SECTION, n, f"{heading}: {s.text}" if s.text else heading))
    out.append((SENTENCE, -1, article.title))
    out.extend((SENTENCE, -1, q) for q in article.questions)
    for n, s in enumerate(sections):
        for sentence in split_sentences(s.text):
            if len(sentence.split()) >= MIN_SENTENCE_WORDS:
                out.append((SENTENCE, n, sentence))
    return tuple(out)


def build_passages(articles: list[Article], sections_by_article: list[list[tuple[int, Section]]]) -> Passages:
    texts: list[str] = []
    kind: list[int] = []
    art: list[int] = []
    sec: list[int] = []
    owns = []
    for article, numbered in zip(articles, sections_by_article):
        sections = [s for _, s in numbered]
        # everything the passages are made of, in one string: the memo's key
        source = "\x00".join((article.content_hash, article.title, article.summary, *article.tags,
                              "\x01", *article.questions, "\x01",
                              *(f"{s.heading}\x02{s.text}" for s in sections)))
        owns.append(_OWN.get(source, lambda: _own_passages(article, sections)))
    for k in KINDS:  # kind-major, then article order: what the ranker's reduceat expects
        for a, (own, numbered) in enumerate(zip(owns, sections_by_article)):
            for kk, n, text in own:
                if kk == k:
                    texts.append(text)
                    kind.append(k)
                    art.append(a)
                    sec.append(numbered[n][0] if n >= 0 else -1)
    return Passages(texts=texts, kind=np.array(kind, dtype=np.int8),
                    article=np.array(art, dtype=np.int32), section=np.array(sec, dtype=np.int32))


def encoded_rows(passage_article: np.ndarray, article_lang: np.ndarray,
                 languages: list[str] | frozenset[str] | None) -> np.ndarray | None:
    """The passages an encoder embeds: all of them (None) or, for a monolingual
    encoder (``all-MiniLM-L6-v2@en``), those of articles in its languages.

    The ranker counts a monolingual encoder only where question and article share
    its language, so vectors of other articles would never be used; leaving them
    out saves their encoding, storage and per-query products.
    Derived from the passages and the articles' languages, so the build and every
    reader agree without storing the list.
    """
    if languages is None:
        return None
    wanted = np.isin(np.asarray(article_lang), sorted(languages))
    return np.flatnonzero(wanted[passage_article]).astype(np.int64)
