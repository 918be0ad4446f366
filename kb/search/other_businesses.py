"""Questions about another business: "how long does amazon take to deliver" is not this shop's.

A question naming a well-known marketplace or retailer that none of the help centre's
articles names is about that business, however well its other words match an article
("delivery", "return"): it is not answered (its best articles are still shown, as for any
unanswered question), so nobody is told this shop's delivery times as Amazon's. A help centre
whose articles name the business (a shop that also sells on eBay) is not affected, nor is
its own name (site.yml); a payment service named after a business ("Amazon Pay") names no
business in a question or an article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from kb.content.phrasing import fold

# marketplaces and retailers customers of German and English shops name; words that are
# also everyday words or first names customers sign with ("target", "wish") are left out
OTHER_BUSINESSES = frozenset({
    "amazon", "ebay", "otto", "zalando", "ikea", "temu", "shein", "aliexpress", "alibaba", "etsy",
    "walmart", "mediamarkt", "lidl", "aldi", "kaufland", "tchibo", "asos", "zara", "primark", "wayfair",
    "idealo", "check24", "galaxus", "cdiscount", "allegro", "bonprix", "westwing", "home24", "decathlon",
    "hornbach", "obi", "douglas", "rossmann", "notebooksbilliger", "cyberport", "conrad", "saturn",
})
_PAYMENT_SERVICE = re.compile(r"\b(\w+)\s+pay\b")
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return set(_WORD.findall(_PAYMENT_SERVICE.sub(" ", fold(text))))


class OtherBusinesses:
    def __init__(self, words: Iterable[str], texts: Iterable[str], own_names: Iterable[str] = ()) -> None:
        """``words``: the words the help centre's articles use; ``texts``: what they say (read
        only where they use a business's name: is it the business, or its payment service?);
        ``own_names``: the shop's."""
        candidates = OTHER_BUSINESSES & {w.casefold() for w in words}
        named = set().union(*(_words(n) for n in own_names))
        for text in texts:
            unsure = candidates - named
            if not unsure:
                break
            folded = text.casefold()
            if any(c in folded for c in unsure):
                named |= candidates & _words(text)
        self._others = OTHER_BUSINESSES - named

    def named(self, question: str) -> str | None:
        """The other business the question names, or None."""
        return next((w for w in sorted(_words(question)) if w in self._others), None)
