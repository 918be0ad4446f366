"""Results of pure functions of a text, remembered by the text's digest.

A long-running `kb index --watch` rebuilds after every saved article; work that
depends only on an article's text (its links, its words) is then done again
only for the texts that changed. Keyed by a 16-byte digest, so the texts
themselves are not kept alive; bounded, cleared when full.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

T = TypeVar("T")


class TextMemo(Generic[T]):
    def __init__(self, limit: int = 50_000) -> None:
        self.limit = limit
        self._data: dict[tuple, T] = {}

    def get(self, text: str, compute: Callable[[], T], *context: Hashable) -> T:
        """``compute()``'s result for ``text`` (and ``context``, whatever else it depends on)."""
        key = (*context, hashlib.blake2b(text.encode("utf-8"), digest_size=16).digest())
        found = self._data.get(key)
        if found is None:
            if len(self._data) >= self.limit:
                self._data.clear()
            found = self._data[key] = compute()
        return found
