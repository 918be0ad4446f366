"""The question as the search reads it.

What a customer types holds more than the question: a greeting and thanks, an order
number, an e-mail address, words typed without umlauts. None of it is evidence for
an article, and each of it measurably moves the right article down (bench/RESULTS.md):
the encoders read an order number or an address as words of the question, and the
keyword search looks for them in every article. So before a question is searched:

* a question in capitals is read in lower case: the rules below are written for text as
  customers mostly type it, and in capitals ordinary words look like codes ("WANN KOMMT
  MEIN GELD" is three four-letter groups, like a voucher code);
* personal data is cut (kb/content/privacy.py finds it, as for what is stored):
  "wo ist mein paket 4711234567" is searched as "wo ist mein paket", and so is "wo ist
  mein paket? LG Anna";
* a greeting at the start and thanks at the end are cut (kb/content/salutations.py);
* words typed without umlauts are written with them (kb/search/umlauts.py), unless the
  question is in another language;
* quotation marks, links, emoji and smileys are dropped and a run of question and
  exclamation marks is read as its first (kb/content/adornments.py): a question pasted in
  quotes, asked with "???" or "😅", or beside a link is the same question, and the
  encoders read it as further from its article.

A question that is nothing but such parts is searched as typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from kb.content.adornments import closed_up, unadorned
from kb.content.privacy import mask_pii
from kb.content.salutations import without_salutations
from kb.content.text import MASKED
from kb.search.umlauts import restore_umlauts

# a placeholder with the punctuation and joiners that tied it into the sentence
_PLACEHOLDER = re.compile(r"[#:(\[]*\s*" + MASKED.pattern + r"\s*[)\]]*")
_LOOSE_ENDS = " ,;:-#/"


def without_personal_data(text: str) -> str:
    """The question with order numbers, codes, e-mail and street addresses, phone numbers,
    IBANs, passwords and a signed or introduced name cut, and so the placeholders of a text
    masked before (an inbox request searched again); as given when nothing else remains."""
    masked = mask_pii(text)
    if not MASKED.search(masked):  # text stored masked before ("Bestellung [number]") is read so too
        return text
    rest = closed_up(_PLACEHOLDER.sub(" ", masked)).strip(_LOOSE_ENDS)
    rest = re.sub(r",([?!.])", r"\1", rest)  # "Danke, [name]!"
    return rest if re.search(r"\w", rest) else text


def unshouted(text: str) -> str:
    """The question in lower case when it has capitals and no lower-case letter."""
    if any(ch.isupper() for ch in text) and not any(ch.islower() for ch in text):
        return text.lower()
    return text


def as_searched(text: str, in_help_centre: Callable[[str], bool], german: bool = True) -> str:
    """The question as searched; ``in_help_centre``: whether an article of the audience
    uses a (lower-case) word; ``german``: whether the question may be German (umlauts are
    restored only then)."""
    cleaned = without_salutations(without_personal_data(unshouted(unadorned(text))))
    return restore_umlauts(cleaned, in_help_centre) if german else cleaned
