"""What the portal shows around search: articles, categories, related, suggestions.

Built once per loaded index (and rebuilt when the server switches to a new
index), so pages and the API answer from memory. Visibility is decided here in
one place: ``internal=False`` callers never see agent-only articles, whatever
route they come through.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np

from kb.content.languages import translation_group
from kb.content.markdown import render_html
from kb.content.text import WORD_CHARS, fold
from kb.search.engine import SearchEngine
from kb.web.suggest_match import title_rank, topic_uses, typed

RELATED_COUNT = 3


@dataclass(frozen=True)
class Category:
    slug: str
    name: str
    lang: str
    count: int


@dataclass(frozen=True)
class Suggestion:
    id: str
    title: str
    lang: str


class Catalog:
    def __init__(self, engine: SearchEngine) -> None:
        self.engine = engine
        idx = engine.index
        self.articles = idx.articles
        self.by_id = idx.by_id
        self._article_vectors, self._has_vector = idx.article_vectors()
        self._group = np.array([translation_group(a) for a in self.articles])
        self._related: dict[int, list[int]] = {}
        self._related_lock = threading.Lock()
        self._words: list[tuple[set[str], set[str]]] = []  # (title words, other words) folded
        self._uses: list[Counter] = []  # how often tags, questions and summary use each word
        for a in self.articles:
            title = set(WORD_CHARS.findall(fold(a["title"])))
            uses = Counter(WORD_CHARS.findall(fold(" ".join(a["tags"] + a["questions"] + [a["summary"]]))))
            self._words.append((title, set(uses) - title))
            self._uses.append(uses)

    # -- single articles ----------------------------------------------------------
    def get(self, article_id: str, internal: bool = False) -> dict | None:
        """The article, or None when it does not exist or is not visible to this reader."""
        i = self.by_id.get(article_id)
        if i is None:
            return None
        art = self.articles[i]
        if art["audience"] != "public" and not internal:
            return None
        return art

    def visible(self, i: int, internal: bool) -> bool:
        return internal or self.articles[i]["audience"] == "public"

    def translations(self, article: dict, internal: bool = False) -> dict[str, dict]:
        """Other-language versions of an article, by language."""
        if not article["translation"]:
            return {}
        out = {}
        for lang in self.engine.index.languages:
            j = self.engine.index.version.get((article["translation"], lang))
            if j is not None and lang != article["lang"] and self.visible(j, internal):
                out[lang] = self.articles[j]
        return out

    def html(self, article_id: str, url_for_article, internal: bool = False) -> str:
        """Sanitised HTML; links to articles the reader may not see lose their target."""
        body = self.articles[self.by_id[article_id]]["body"]
        def resolve(target: str) -> str | None:
            i = self.by_id.get(target)
            return url_for_article(target) if i is not None and self.visible(i, internal) else None
        return render_html(body, resolve, article_id)

    def section_anchors(self, article_id: str) -> list[str]:
        """The anchors of the article's ``##`` sections, in order, as the index holds them."""
        idx = self.engine.index
        numbers = np.flatnonzero(idx.section_article == self.by_id[article_id]).tolist()
        return [idx.sections[n]["anchor"] for n in numbers
                if idx.sections[n]["anchor"] and idx.sections[n]["part"] == 0]

    def related(self, article: dict, internal: bool = False) -> list[dict]:
        out = []
        for j in self._related_to(self.by_id[article["id"]]):
            if self.visible(j, internal):
                out.append(self.articles[j])
            if len(out) == RELATED_COUNT:
                break
        return out

    # -- lists ---------------------------------------------------------------------
    def categories(self, lang: str | None, internal: bool = False) -> list[Category]:
        counts: dict[tuple[str, str], list] = {}
        for i, a in enumerate(self.articles):
            if (lang and a["lang"] != lang) or not self.visible(i, internal):
                continue
            key = (a["category_slug"], a["lang"])
            counts.setdefault(key, [a["category"], 0])[1] += 1
        return sorted((Category(slug, name, lg, n) for (slug, lg), (name, n) in counts.items()),
                      key=lambda c: (c.lang, fold(c.name)))

    def in_category(self, slug: str, lang: str | None, internal: bool = False) -> list[dict]:
        return sorted((a for i, a in enumerate(self.articles)
                       if a["category_slug"] == slug and (not lang or a["lang"] == lang)
                       and self.visible(i, internal)), key=lambda a: fold(a["title"]))

    def suggest(self, query: str, lang: str | None, internal: bool = False, limit: int = 6) -> list[Suggestion]:
        """Titles that fit what was typed so far (see :mod:`kb.web.suggest_match`; accents and case ignored).

        Titles that begin with the typed text come first, then titles holding the
        topic words, then tag/question matches, each the article whose tags and
        questions use the typed words most first; other languages only when the
        reader's language has no match.
        """
        t = typed(query, fold, WORD_CHARS.findall)
        if not t.text:
            return []
        scored = []
        for i, (title, other) in enumerate(self._words):
            if not self.visible(i, internal):
                continue
            a = self.articles[i]
            rank = title_rank(t, " ".join(WORD_CHARS.findall(fold(a["title"]))), title, other)
            if rank is None:
                continue
            # among titles that fit equally, the article whose questions and tags use the typed
            # words most is about them ("paket": the tracking article, asked "wo ist mein paket")
            support = topic_uses(t, self._uses[i])
            scored.append((a["lang"] != lang, *rank, -support, len(a["title"]), a["title"], i))
        scored.sort()
        if lang and scored and not scored[0][0]:
            scored = [s for s in scored if not s[0]]  # the reader's language only, when it has matches
        seen, out = set(), []
        for *_, i in scored:
            a = self.articles[i]
            key = translation_group(a)
            if key in seen:
                continue
            seen.add(key)
            out.append(Suggestion(a["id"], a["title"], a["lang"]))
            if len(out) == limit:
                break
        return out

    def _related_to(self, i: int) -> list[int]:
        """Nearest articles (same language, other topic) by the article-level vectors.

        Computed when an article is first shown, then kept: one product with the
        article vectors per article, instead of all pairs at start-up.
        """
        with self._related_lock:
            cached = self._related.get(i)
        if cached is not None:
            return cached
        if not self._has_vector[i]:
            return []
        sims = self._article_vectors @ self._article_vectors[i]
        langs = self.engine.index.article_lang
        sims = np.where((langs == langs[i]) & (self._group != self._group[i]) & self._has_vector,
                        sims, -np.inf)
        candidates = np.argpartition(-sims, min(len(sims) - 1, RELATED_COUNT * 4))[:RELATED_COUNT * 4]
        order = candidates[np.argsort(-sims[candidates], kind="stable")]
        found = [int(j) for j in order if np.isfinite(sims[j])]
        with self._related_lock:
            self._related[i] = found
        return found
