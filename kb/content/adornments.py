"""What a message carries besides its words: quotation marks, runs of "?" and "!", emoji,
smileys and links.

Customers paste a question in quotes, insist with "???", add "😅" or ":-(", and paste the
link of the page they are on ("https://www.shop.de/konto/bestellungen"). None of it is
evidence for an article: the encoders read a link as a run of rare words and an emoji as
a mood, and the question moves away from its article (bench/robustness.py). The search
reads a question without them (kb/search/as_searched.py), and a learned phrasing is
written without them (kb/ops/suggestions.py).
"""

from __future__ import annotations

import re

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_MARK = re.compile(r"\s+([?!.,])")
# double quotation marks only: an apostrophe is part of a word ("don't", "geht's")
_QUOTES = re.compile(r'["„“”«»]')
_REPEATED_MARKS = re.compile(r"([?!])[?!]+")  # an ellipsis stays
# a web address with its scheme or "www.", or a domain followed by a path ("shop.de/konto");
# a bare domain stays: "bei amazon.de bestellt" names where the customer ordered
_LINK_END = r"(?:[^\s<>\"]*[^\s<>\".,;:!?)\]])?"  # a mark after a link closes the sentence
# (a domain starts after no word, "@", "." or "-", and its labels are possessive: linear in the text)
_LINK = re.compile(rf"(?<![\w@.-])(?:(?:https?://|www\.)|[\w-]++(?:\.[\w-]++)*\.[a-z]{{2,6}}/){_LINK_END}",
                   re.IGNORECASE)
# pictographs, dingbats, arrows and stars, flags, and the joiners and variation selectors
# that combine them ("👍🏽", "❤️")
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\u2190-\u21FF"
                    "\U0001F1E6-\U0001F1FF\uFE0E\uFE0F\u200D\u20E3]+")
# ":)", ":-(", ";)", ":D", ":/", "xD", "^^", "<3" standing alone; not "8)" ("punkt 8)"), nor a
# colon inside a word or a time ("10:30", "Hinweis:Das")
_SMILEY = re.compile(r"(?<![\w:/])(?:[:;=][-'^o]?[()\[\]DPpO/\\|*3]+|[xX]-?[D()]+|\^\^+|<3+)(?![\w])")


def closed_up(text: str) -> str:
    """``text`` with runs of whitespace as one space and none before a mark: what was cut
    from between a word and its mark ("paket 😡?", "paket [number]?") leaves no gap."""
    return _SPACE_BEFORE_MARK.sub(r"\1", _SPACES.sub(" ", text))


def unadorned(text: str) -> str:
    """The text without quotation marks, links, emoji and smileys, a run of ? and ! as its
    first mark, whitespace tidied; as given when no word would remain."""
    unquoted = _QUOTES.sub("", text)
    plain = _SMILEY.sub(" ", _EMOJI.sub(" ", _LINK.sub(" ", unquoted)))
    plain = closed_up(plain) if plain != unquoted else _SPACES.sub(" ", plain)
    plain = _REPEATED_MARKS.sub(r"\1", plain.strip())
    return plain if re.search(r"\w", plain) else text
