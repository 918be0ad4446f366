"""A customer reads the answer in the language they asked in.

The multilingual encoder places an article close to its version in another
language, and sometimes ahead of the one in the question's language: where a
help centre's versions are not linked by ``translation``, "zahlungsartn" finds
the English "Accepted means of payment" before "Zahlungsarten im Überblick",
and the customer gets an answer they may not read. So an article the customer
cannot read in the question's language (neither it nor a linked version of it
that the search may show is in that language) falls behind the others by
``LAG`` on the ranker's scale in the order of the results. Linked versions
compete as one (kb/search/hits.py), so a help centre with every article in
every language ranks as before; a strong article in another language can still
come first; and where no article is in the question's language, nothing
changes. Whether the question is ``answered`` is judged on the evidence, which
the lag leaves as it is: two versions of one answer that are not linked still
make the first look less certain.
"""

from __future__ import annotations

import numpy as np

from kb.content.languages import translation_group

LAG = 2.0  # on the ranker's (logit) scale; chosen on development questions (bench/RESULTS.md)


class Readability:
    """Which articles a search may show in the question's language. Thread-safe."""

    def __init__(self, articles: list[dict], article_lang: np.ndarray) -> None:
        self.article_lang = article_lang
        _, self.group = np.unique([translation_group(a) for a in articles], return_inverse=True)
        self.n_groups = int(self.group.max()) + 1 if len(articles) else 0

    def unreadable(self, mask: np.ndarray, qlang: str | None) -> np.ndarray | None:
        """The articles under ``mask`` without a version in ``qlang`` under it; None when
        that sets no article apart (the language unknown, or every article or none
        readable)."""
        if qlang is None:
            return None
        readable = np.zeros(self.n_groups, dtype=bool)
        readable[self.group[mask & (self.article_lang == qlang)]] = True
        out = mask & ~readable[self.group]
        return out if out.any() and readable.any() else None

    def lagged(self, scores: np.ndarray, mask: np.ndarray, qlang: str | None) -> np.ndarray:
        """``scores`` with the articles the customer cannot read ``LAG`` lower."""
        behind = self.unreadable(mask, qlang)
        return scores if behind is None else scores - LAG * behind
