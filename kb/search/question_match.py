"""A known customer phrasing wins: the query against the articles' titles, `questions` and `tags`.

The rule: when the folded query (kb.content.phrasing.fold) equals the title, a front-matter
question or a tag of an article that the search may show, that article is ranked first
and the search counts as answered; several such articles keep their order by
the fused score. Without an exact match, a near-exact one (a typo or two in a
longer phrasing: kb.content.phrasing.same_phrasing) does the same. Editors put
a phrasing into `questions` to say "this is what customers mean by it"
(or accept it as a learned question), so no similarity score should overrule
that; the title is the editor's own wording of what the article answers (a customer
types it after seeing it in a list or a link: "wie lange dauert die lieferung" must not lose
to an article asking "wie lange dauert die lieferung per spedition"); a tag is the keyword an editor chose for the article, so a customer who
types just that keyword ("Stornierung", or "stornirung" once the spelling
correction has made it "stornierung") means its topic. Everything else is ranked by the evidence as before.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from kb.content.phrasing import allowed_edits, fold, same_phrasing

# how far above the best other article a matched one is placed (fused scores are z-sums)
PROMOTION_MARGIN = 1.0


class QuestionMatcher:
    def __init__(self, articles: list[dict]) -> None:
        self._exact: dict[str, list[int]] = defaultdict(list)
        for i, art in enumerate(articles):
            for text in [art.get("title") or "", *(art.get("questions") or ()), *(art.get("tags") or ())]:
                key = fold(text)
                if key and i not in self._exact[key]:
                    self._exact[key].append(i)
        # near-exact matches only for questions: a typo of a one-word tag goes through the
        # spelling correction, which shows the customer what was searched instead
        self._by_length: dict[int, list[str]] = defaultdict(list)
        questions = {fold(q) for art in articles for q in [art.get("title") or "", *(art.get("questions") or ())]}
        for key in self._exact:
            if key in questions:
                self._by_length[len(key)].append(key)

    def matches(self, query: str) -> list[int]:
        """Articles with the query as their title or among their questions and tags: exact
        matches, else near-exact ones (titles and questions only)."""
        key = fold(query)
        if not key:
            return []
        if key in self._exact:
            return list(self._exact[key])
        allowed = allowed_edits(key)
        found: list[int] = []
        for n in range(len(key) - allowed, len(key) + allowed + 1):
            for other in self._by_length.get(n, ()):
                if same_phrasing(key, other):
                    found.extend(i for i in self._exact[other] if i not in found)
        return found

    def promote(self, query: str, fused: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, bool]:
        """``fused`` with the matched articles moved above all others (a copy), and whether any was."""
        matched = [i for i in self.matches(query) if mask[i] and np.isfinite(fused[i])]
        if not matched:
            return fused, False
        ranked = fused.copy()
        shift = float(fused[mask].max()) - float(fused[matched].min()) + PROMOTION_MARGIN
        ranked[matched] += shift
        return ranked, True
