"""Concurrent questions share encoder calls; a lone question is encoded at once."""
import threading
import time

import numpy as np
import pytest

from kb.query_batcher import QueryBatcher


class SlowEncoder:
    """Records each call; the first call blocks until released, so others queue up."""

    name, dim, languages = "slow", 3, None

    def __init__(self):
        self.calls: list[list[str]] = []
        self.release = threading.Event()

    def encode(self, texts, batch_size=64):
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            assert self.release.wait(5)
        return np.array([[len(t), i, 1.0] for i, t in enumerate(texts)], dtype=np.float32)


def test_a_lone_question_is_encoded_alone_and_at_once():
    enc = SlowEncoder()
    enc.release.set()
    b = QueryBatcher(enc)
    assert b.encode("abc")[0] == 3 and enc.calls == [["abc"]]


def test_questions_arriving_while_the_encoder_works_go_in_one_batch():
    enc = SlowEncoder()
    b = QueryBatcher(enc)
    results = {}
    threads = [threading.Thread(target=lambda t=t: results.__setitem__(t, b.encode(t)))
               for t in ["first", "a", "bb", "ccc", "dddd"]]
    threads[0].start()
    while not enc.calls:
        time.sleep(0.001)
    for t in threads[1:]:
        t.start()
    while len(b._queue) < 4:
        time.sleep(0.001)
    enc.release.set()
    for t in threads:
        t.join(5)
    assert enc.calls[0] == ["first"] and sorted(enc.calls[1]) == ["a", "bb", "ccc", "dddd"]
    assert len(enc.calls) == 2 and b.batches == 2
    assert {t: v[0] for t, v in results.items()} == {"first": 5, "a": 1, "bb": 2, "ccc": 3, "dddd": 4}


def test_an_encoder_error_reaches_every_waiter_and_nobody_hangs():
    class Broken:
        name, dim, languages = "broken", 3, None

        def encode(self, texts, batch_size=64):
            raise RuntimeError("model gone")

    b = QueryBatcher(Broken())
    errors = []

    def ask():
        try:
            b.encode("x")
        except RuntimeError as exc:
            errors.append(str(exc))

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert errors == ["model gone"] * 6


def test_batched_vectors_match_single_ones(encoders):
    minilm = encoders[1]
    b = QueryBatcher(minilm)
    texts = ["where is my parcel", "can I send it back after 3 weeks", "refund to PayPal"]
    out = {}
    threads = [threading.Thread(target=lambda t=t: out.__setitem__(t, b.encode(t))) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    for t in texts:
        assert np.abs(out[t] - minilm.encode([t])[0]).max() < 1e-5
    with pytest.raises(Exception):
        QueryBatcher(minilm).encode(None)  # bad input fails loudly, like the encoder itself
