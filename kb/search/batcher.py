"""Do the model and vector work of concurrent questions together.

A transformer encodes several short questions in one batch much faster than
one by one, and one matrix product of several question vectors with all
passage vectors is much cheaper than one product each (figures in
bench/RESULTS.md). So a request that needs this work joins a queue; whoever
finds the batcher idle takes everything waiting (up to ``max_batch``) and does
it in one call, the others wait for their result. No thread of its own and no
waiting for company: a lone request is served at once by its own thread, and
no worker thread competes with the request threads for the interpreter lock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any


class _Pending:
    __slots__ = ("item", "result", "error", "done")

    def __init__(self, item: Any) -> None:
        self.item = item
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False


class QueryBatcher:
    """Calls ``fn(items)`` (one result per item, in order) for batches of waiting items."""

    def __init__(self, fn: Callable[[list], Sequence], max_batch: int = 32) -> None:
        self.fn = fn
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Pending] = []
        self._busy = False
        self.batches = 0  # for tests and benchmarks: how many calls of fn were made
        self.items = 0  # and for how many items in all

    def run(self, item: Any) -> Any:
        """``fn``'s result for this item, computed alone or with the items waiting beside it."""
        mine = _Pending(item)
        with self._cond:
            self._queue.append(mine)
            while not mine.done:
                if self._busy:
                    self._cond.wait()
                    continue
                self._busy = True
                batch = self._queue[:self.max_batch]
                del self._queue[:self.max_batch]
                self._cond.release()
                try:
                    self._run(batch)
                finally:
                    self._cond.acquire()
                    self._busy = False
                    self._cond.notify_all()
        if mine.error is not None:
            raise mine.error
        return mine.result

    def _run(self, batch: list[_Pending]) -> None:
        try:
            self.batches += 1
            self.items += len(batch)
            results = self.fn([p.item for p in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{self.fn!r} returned {len(results)} results for {len(batch)} items")
            for p, r in zip(batch, results):
                p.result = r
        except BaseException as exc:  # every waiter learns of it, none hangs
            for p in batch:
                p.error = exc
        finally:
            for p in batch:
                p.done = True
