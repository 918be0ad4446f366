"""Text files handed to kb besides the articles (evaluation sets, batches of questions).

They are read as UTF-8, a byte-order mark at the start allowed (Windows editors write one);
a file in another encoding is refused with the line of its first undecodable byte, so the
person who saved it knows where to look, and no line is read in a guessed encoding.
"""

from __future__ import annotations

import io


class NotUtf8Error(ValueError):
    """A file that is not UTF-8 text, with its name and line in the message."""


def utf8_lines(raw: bytes, shown: str) -> list[str]:
    """The lines of ``raw`` (named ``shown`` in errors) without their line ends; lines end at
    "\\n", "\\r\\n" or "\\r", as a file opened as text reads them."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[:exc.start].count(b"\n") + 1
        raise NotUtf8Error(f"{shown}:{line}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}): "
                           "save the file as UTF-8") from None
    return [line.rstrip("\n") for line in io.StringIO(text.removeprefix("\ufeff"), newline=None)]
