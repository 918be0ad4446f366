"""Files pasted as text: base64 blobs and data: URIs in what customers send.

Customers paste a screenshot into the contact form or the search box, and some mail clients
copy an image as text: "data:image/png;base64,iVBORw0KGgo…", or 2,000 characters of base64 in a
row, wrapped as e-mail wraps them or not. Nobody reads them, they may show personal data (a
receipt, an ID card), and the search reads their letters as words: a contact request about
"Probleme bei der Zahlung" with a screenshot pasted into it found an article on accessibility
first. So they are no part of what is stored or searched: kb/content/privacy.py writes
``[attachment]`` in their place (a placeholder every reader of masked text knows:
kb/content/text.py), which the search cuts as it cuts the others (kb/search/as_searched.py), and
the parts of a message to search are read without them (kb/search/message_request.py).

A run of base64 characters counts as a file when it holds MIN_BLOB_CHARS or more of them
without a space (lines of MIN_LINE_CHARS or more count together, as e-mail wraps them), with
capitals, small letters and digits all in it: no word, number or code is so long and so mixed
(a compound word has no digit, a link has dots and dashes between its parts). A data: URI is
a file whatever its length. Text stored before masking knew them holds the run cut into pieces
by placeholders ("…wnN4pmHJ+[code]/Ea5lEH…"): the pieces count together.
"""

from __future__ import annotations

import re

ATTACHMENT = "[attachment]"
MIN_BLOB_CHARS = 200  # a long German compound has 40 letters, a voucher or order code 30 characters
MIN_LINE_CHARS = 40   # e-mail wraps base64 at 76 characters a line
_B64 = r"[A-Za-z0-9+/]"
# base64 characters, or a placeholder masking wrote into a file's run before it was known
_PIECES = rf"(?:{_B64}++|\[[a-z]{{2,12}}\])++"
_RUN = (rf"(?={_B64}{{{MIN_LINE_CHARS}}}){_PIECES}"
        rf"(?:\r?\n(?={_B64}{{{MIN_LINE_CHARS}}}){_PIECES})*+={{0,2}}"  # the lines it is wrapped into, its padding
        rf"(?P<last>\r?\n{_B64}++={{0,2}}(?=[ \t]*(?:\r?\n|$)))?"       # a last, shorter line of its own
        r"(?![A-Za-z0-9+/=])")
# every run starts where no base64 character stands before it, so each is read once
_BLOB = re.compile(rf"(?<![A-Za-z0-9+/=\]]){_RUN}", re.M)
_ENCODED_LINE = re.compile(r"[\d+/=]")  # a short last line of a file has a digit, "+", "/" or padding; "Danke" none
_DATA_URI = re.compile(rf"\bdata:[a-z]+/[\w.+-]+(?:;[\w.+-]+=[\w.+-]+)*;base64,(?:{_PIECES})?={{0,2}}", re.I)
_PLACEHOLDER = re.compile(r"\[[a-z]+\]")


def _a_file(run: str) -> bool:
    """Whether a run of base64 characters is long and mixed as an encoded file is."""
    plain = _PLACEHOLDER.sub("", run)
    plain = "".join(plain.split())
    return (len(plain) >= MIN_BLOB_CHARS and any(ch.isupper() for ch in plain)
            and any(ch.islower() for ch in plain) and any(ch.isdigit() for ch in plain))


def _file_replaced(run: re.Match, placeholder: str) -> str:
    """``placeholder`` for a run that is a file, with a line after it that only looked like its last."""
    last = run.group("last") or ""
    if last and not _ENCODED_LINE.search(last):
        body, kept = run.group()[:-len(last)], last
    else:
        body, kept = run.group(), ""
    return placeholder + kept if _a_file(body) else run.group()


def without_attachments(text: str, placeholder: str = ATTACHMENT) -> str:
    """``text`` with each data: URI and base64 file as ``placeholder``."""
    if not text:
        return text
    text = _DATA_URI.sub(placeholder, text)
    if len(text) < MIN_BLOB_CHARS:  # most questions: too short to hold a file, not read for one
        return text
    return _BLOB.sub(lambda run: _file_replaced(run, placeholder), text)
