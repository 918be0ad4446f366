"""Encode the questions of concurrent requests together.

A transformer encodes 8 short questions in one batch in about half the time of
8 single calls (bench/RESULTS.md), and single calls from many server threads
also fight over the same two cores. So a request that needs a query vector
joins a queue; whoever finds the encoder idle takes everything waiting (up to
``max_batch``) and encodes it in one call, the others wait for their result.
No thread of its own and no waiting for company: a lone request is encoded at
once, exactly as before.
"""

from __future__ import annotations

import threading

import numpy as np

from kb.encoders import Encoder


class _Pending:
    __slots__ = ("text", "vector", "error")

    def __init__(self, text: str) -> None:
        self.text = text
        self.vector: np.ndarray | None = None
        self.error: BaseException | None = None


class QueryBatcher:
    def __init__(self, encoder: Encoder, max_batch: int = 32) -> None:
        self.encoder = encoder
        self.max_batch = max_batch
        self._cond = threading.Condition()
        self._queue: list[_Pending] = []
        self._busy = False
        self.batches = 0  # for tests and benchmarks: how many encoder calls were made

    def encode(self, text: str) -> np.ndarray:
        """The vector of one query, encoded alone or with the queries waiting beside it."""
        mine = _Pending(text)
        with self._cond:
            self._queue.append(mine)
            while mine.vector is None and mine.error is None:
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
        return mine.vector

    def _run(self, batch: list[_Pending]) -> None:
        try:
            vectors = self.encoder.encode([p.text for p in batch])
            self.batches += 1
            if len(vectors) != len(batch):
                raise RuntimeError(f"encoder {self.encoder.name} returned {len(vectors)} vectors "
                                   f"for {len(batch)} texts")
        except BaseException as exc:  # every waiter learns of it, none hangs
            for p in batch:
                p.error = exc
            return
        for p, v in zip(batch, vectors):
            p.vector = v
