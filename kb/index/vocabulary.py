"""The articles' words as the query side needs them, computed when the index is built.

Per language: the words with their counts (to guess a query's language and to
correct its spelling) and the stems of the words (for the ``coverage`` evidence
of ``answered``), each of the public articles and of all articles. Stemming every word of a large help centre is a
noticeable part of a server start, so the build stores the result
(``vocabulary.json``) and takes the stems of words it has seen from the
previous build: neither start-up nor a re-index stems a word twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from kb.content.markdown import parse_blocks, tokens_text
from kb.content.text import WHOOSH_TOKEN, WORD_CHARS, analyzer_for
from kb.content.text_memo import TextMemo


@dataclass(frozen=True)
class ArticleText:
    lang: str
    public: bool
    text: str  # title, summary, tags, questions and body


# the body as a reader sees it, by the Markdown source (a re-index reads only changed articles)
_READABLE: TextMemo[str] = TextMemo()


def article_text(title: str, summary: str, tags: Iterable[str], questions: Iterable[str], body: str) -> str:
    """The words an article shows, lower-cased: the body without its Markdown, so link
    targets ("../retouren/ruecksendung.md") and markup are no words of the help centre
    (a misspelling like the target's file name would count as known, and spelling and
    ``coverage`` would take it for a word the articles use)."""
    readable = _READABLE.get(body, lambda: tokens_text(parse_blocks(body)))
    return " ".join((title, summary, " ".join(tags), " ".join(questions), readable)).lower()


# a long-running `kb index --watch` reads only the articles that changed
_TERMS: TextMemo[tuple[Counter, frozenset[str]]] = TextMemo()


def _terms(text: str) -> tuple[Counter, frozenset[str]]:
    return _TERMS.get(text, lambda: (Counter(WORD_CHARS.findall(text)), frozenset(WHOOSH_TOKEN.findall(text))))


def build_vocabulary(articles: Iterable[ArticleText],
                     known_stems: dict[str, dict[str, str | None]] | None = None) -> dict:
    """The JSON-ready vocabulary; ``known_stems`` (lang -> token -> stem, None for stop
    words) comes from the previous build and spares stemming those tokens again.

    Word counts are kept apart for public articles: what an anonymous search
    learns from the vocabulary (spelling, language) comes from public articles only.
    """
    counts, tokens = _count(articles)
    out: dict = {"languages": {}}
    for lang in sorted({lang for lang, _ in counts}):
        public = tokens.get((lang, True), set())
        stems = _stems(lang, public | tokens.get((lang, False), set()), (known_stems or {}).get(lang, {}))
        public_counts = counts.get((lang, True), Counter())
        out["languages"][lang] = {
            "public_word_counts": dict(sorted(public_counts.items())),
            "word_counts": dict(sorted((public_counts + counts.get((lang, False), Counter())).items())),
            "public_stems": sorted({stems[t] for t in public} - {None}),
            "stems": sorted({s for s in stems.values() if s is not None}),
            "token_stems": stems,
        }
    return out


def _count(articles: Iterable[ArticleText]) -> tuple[dict[tuple[str, bool], Counter],
                                                     dict[tuple[str, bool], set[str]]]:
    """Per (language, public?): how often each word occurs, and the analyzer's tokens."""
    counts: dict[tuple[str, bool], Counter] = {}
    tokens: dict[tuple[str, bool], set[str]] = {}
    for a in articles:
        article_counts, article_tokens = _terms(a.text)
        counts.setdefault((a.lang, a.public), Counter()).update(article_counts)
        tokens.setdefault((a.lang, a.public), set()).update(article_tokens)
    return counts, tokens


def _stems(lang: str, tokens: set[str], before: dict[str, str | None]) -> dict[str, str | None]:
    """Each token's stem (None: a stop word), from ``before`` where known."""
    analyzer = None
    stems: dict[str, str | None] = {}
    for token in sorted(tokens):
        if token in before:
            stems[token] = before[token]
            continue
        analyzer = analyzer or analyzer_for(lang)
        # a token analysed alone: the analyzer's filters work token by token
        stems[token] = next((t.text for t in analyzer(token)), None)
    return stems


def word_counts(vocabulary: dict, articles: list[dict]) -> dict[str, dict[bool, dict[str, int]]]:
    """lang -> {public only?: word -> count}: from the vocabulary, or, for an index built
    before it held word counts, counted from its article records."""
    languages = vocabulary.get("languages", {})
    if all("word_counts" in v for v in languages.values()):
        return {lang: {True: v["public_word_counts"], False: v["word_counts"]} for lang, v in languages.items()}
    counts, _ = _count(ArticleText(a["lang"], a["audience"] == "public",
                                   article_text(a["title"], a["summary"], a["tags"], a["questions"], a["body"]))
                       for a in articles)
    out: dict[str, dict[bool, dict[str, int]]] = {}
    for (lang, public), counter in counts.items():
        entry = out.setdefault(lang, {True: {}, False: Counter()})
        entry[False].update(counter)
        if public:
            entry[True] = dict(counter)
    return {lang: {True: v[True], False: dict(v[False])} for lang, v in out.items()}


def known_stems(vocabulary: dict) -> dict[str, dict[str, str | None]]:
    return {lang: v["token_stems"] for lang, v in vocabulary.get("languages", {}).items()}
