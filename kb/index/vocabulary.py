"""The articles' words as the query side needs them, computed when the index is built.

Per language: the plain words (to guess a query's language) and the stems of
the words of the public articles and of all articles (for the ``coverage``
evidence of ``answered``). Stemming every word of a large help centre at each
server start would delay it; the build stores the result (``vocabulary.json``)
and takes the stems of words it has seen from the previous build, so neither
start-up nor a re-index stems a word twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kb.content.text import WHOOSH_TOKEN, WORD_CHARS, analyzer_for
from kb.content.text_memo import TextMemo


@dataclass(frozen=True)
class ArticleText:
    lang: str
    public: bool
    text: str  # title, summary, tags, questions and body


def article_text(title: str, summary: str, tags: Iterable[str], questions: Iterable[str], body: str) -> str:
    return " ".join((title, summary, " ".join(tags), " ".join(questions), body)).lower()


# a long-running `kb index --watch` reads only the articles that changed
_TERMS: TextMemo[tuple[frozenset[str], frozenset[str]]] = TextMemo()


def build_vocabulary(articles: Iterable[ArticleText],
                     known_stems: dict[str, dict[str, str | None]] | None = None) -> dict:
    """The JSON-ready vocabulary; ``known_stems`` (lang -> token -> stem, None for stop
    words) comes from the previous build and spares stemming those tokens again."""
    words: dict[str, set[str]] = {}
    tokens: dict[tuple[str, bool], set[str]] = {}
    for a in articles:
        article_words, article_tokens = _TERMS.get(
            a.text, lambda: (frozenset(WORD_CHARS.findall(a.text)), frozenset(WHOOSH_TOKEN.findall(a.text))))
        words.setdefault(a.lang, set()).update(article_words)
        tokens.setdefault((a.lang, a.public), set()).update(article_tokens)
    out: dict = {"languages": {}}
    for lang in sorted(words):
        public = tokens.get((lang, True), set())
        everything = public | tokens.get((lang, False), set())
        before = (known_stems or {}).get(lang, {})
        analyzer = None
        stems: dict[str, str | None] = {}
        for token in sorted(everything):
            if token in before:
                stems[token] = before[token]
                continue
            analyzer = analyzer or analyzer_for(lang)
            # a token analysed alone: the analyzer's filters work token by token
            stems[token] = next((t.text for t in analyzer(token)), None)
        out["languages"][lang] = {
            "words": sorted(words[lang]),
            "public_stems": sorted({stems[t] for t in public} - {None}),
            "stems": sorted({s for s in stems.values() if s is not None}),
            "token_stems": stems,
        }
    return out


def known_stems(vocabulary: dict) -> dict[str, dict[str, str | None]]:
    return {lang: v["token_stems"] for lang, v in vocabulary.get("languages", {}).items()}
