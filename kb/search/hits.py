"""Which articles a search shows, and where in each it opens.

Versions linked by ``translation`` compete as one: the best version decides
the rank, the customer's language decides which version is shown. Within an
article, the section that answers is the one with the best passage.
"""

from __future__ import annotations

import numpy as np

from kb.content.languages import translation_group
from kb.content.passages import SENTENCE
from kb.index.loaded import LoadedIndex
from kb.search.fusion import by_score

# Translations collapse into one result, so more articles than ``limit`` are read in
# score order: this many per result, and at least MIN_RANKED_ARTICLES.
RANKED_PER_RESULT = 4
MIN_RANKED_ARTICLES = 200
# Within an article, the answering section is the one with the best passage; its keyword
# score (relative to the best section anywhere) breaks near-ties.
SECTION_KEYWORD_WEIGHT = 0.1
# The lead (the text before the first heading) sums up the article's answer: a later section
# opens the article only when its best passage leads the lead's by more than this
# (bench/passages.py: broad questions and bare topics opened at a side section).
LEAD_MARGIN = 0.05
# A question this close to the article's title or one of its front matter questions is
# that question (a rewording, not a related question): the article's opening answers it.
SAME_QUESTION_COSINE = 0.9


def ranked_hits(idx: LoadedIndex, fused: np.ndarray, mask: np.ndarray, qlang: str | None,
                limit: int) -> list[int]:
    """The ``limit`` best articles by ``fused``, one per translation group, each in the
    question's language where that version may be shown."""
    groups: dict[str, int] = {}
    out: list[int] = []
    for a in by_score(fused, max(RANKED_PER_RESULT * limit, MIN_RANKED_ARTICLES)):
        if not mask[a] or not np.isfinite(fused[a]):
            break
        key = translation_group(idx.articles[a])
        if key in groups:
            continue
        shown = a
        if qlang and idx.articles[a]["lang"] != qlang and idx.articles[a]["translation"]:
            other = idx.version.get((idx.articles[a]["translation"], qlang))
            if other is not None and mask[other]:
                shown = other
        groups[key] = shown
        out.append(int(shown))
        if len(out) >= limit:
            break
    return out


def head_passages(idx: LoadedIndex, passages: np.ndarray) -> np.ndarray:
    """An article's title and front matter question passages: the sentence passages
    outside every section."""
    return passages[(idx.section[passages] < 0) & (idx.kind[passages] == SENTENCE)]


def answering_section(idx: LoadedIndex, passages: np.ndarray, combined: np.ndarray,
                      section_bm25: np.ndarray, same_question: bool) -> tuple[int, int | None]:
    """The article's section that answers (best passage, keywords breaking near-ties)
    and its best sentence passage (None when it has none).

    The title and the front matter questions name what the article as a whole
    answers, and the article opens with that answer. A question that is one of
    them, nearly word for word (``same_question``; "wo ist mein paket", listed in
    the tracking article), opens the article at its start, not at a later section
    that only shares a word with it ("… jedes Paket eine eigene Sendungsnummer").
    """
    sec_ids = idx.section[passages]
    kinds = idx.kind[passages]
    best_section, best_value, best_passage = None, -np.inf, None
    top_bm = section_bm25.max() or 1.0
    numbers = np.unique(sec_ids[sec_ids >= 0])
    for n in numbers:
        sel = sec_ids == n
        lead = n == numbers[0] and not idx.sections[n]["heading"]
        own = np.inf if same_question and n == numbers[0] else float(combined[sel].max()) + LEAD_MARGIN * lead
        value = own + SECTION_KEYWORD_WEIGHT * float(section_bm25[n]) / top_bm
        if value > best_value:
            best_value, best_section = value, int(n)
            fine = sel & (kinds == SENTENCE)
            best_passage = int(passages[fine][np.argmax(combined[fine])]) if fine.any() else None
    return best_section, best_passage

