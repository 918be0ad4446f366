"""The opt-in vector cache (kb/index/vector_cache.py): a second index of the same articles in
another location encodes nothing, gives the same vectors, and a damaged cache costs only time."""
import numpy as np
import pytest

from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.index.vector_cache import identity
from search_helpers import FAKE_MODELS, FIXTURES, fake_encoders


def _build(location, monkeypatch, cache):
    if cache is None:
        monkeypatch.delenv("KB_VECTOR_CACHE", raising=False)
    else:
        monkeypatch.setenv("KB_VECTOR_CACHE", str(cache))
    encoders = fake_encoders()
    report = build_index(FIXTURES, location, lambda: encoders, FAKE_MODELS)
    return report, encoders


def test_a_second_location_reads_the_cache_and_encodes_nothing(tmp_path, monkeypatch):
    first, _ = _build(tmp_path / "a", monkeypatch, tmp_path / "cache")
    assert all(n > 0 for n in first.encoded.values())
    second, encoders = _build(tmp_path / "b", monkeypatch, tmp_path / "cache")
    assert all(n == 0 for n in second.encoded.values())
    assert [e.calls for e in encoders] == [0, 0]
    a, b = LoadedIndex(tmp_path / "a", FAKE_MODELS), LoadedIndex(tmp_path / "b", FAKE_MODELS)
    for slot in range(2):
        assert np.array_equal(a.dense[slot].passage_vectors(np.arange(len(a.kind)))[0],
                              b.dense[slot].passage_vectors(np.arange(len(b.kind)))[0])
    a.close(), b.close()


def test_without_the_setting_nothing_is_written(tmp_path, monkeypatch):
    _build(tmp_path / "a", monkeypatch, None)
    again, _ = _build(tmp_path / "b", monkeypatch, None)
    assert all(n > 0 for n in again.encoded.values())


def test_a_damaged_cache_is_skipped(tmp_path, monkeypatch, caplog):
    cache = tmp_path / "cache"
    cache.mkdir()
    for encoder in fake_encoders():
        (cache / f"{identity(encoder)}.sqlite").write_bytes(b"not a database" * 100)
    report, _ = _build(tmp_path / "a", monkeypatch, cache)
    assert all(n > 0 for n in report.encoded.values())
    assert "vector cache" in caplog.text


def test_a_new_cache_file_another_build_writes_to_is_waited_for(tmp_path):
    """Two builds opening a new cache together: the WAL switch waits, the cache is used."""
    import sqlite3
    import threading

    from kb.index.vector_cache import VectorCache
    path = tmp_path / "model.sqlite"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE vectors (hash BLOB PRIMARY KEY, vector BLOB NOT NULL)")
    other.execute("BEGIN IMMEDIATE")  # the other build's first write, in rollback mode still
    other.execute("INSERT INTO vectors VALUES (x'01', ?)", (np.ones(2, dtype=np.float32).tobytes(),))
    finished = threading.Timer(0.2, lambda: other.execute("COMMIT"))
    finished.start()
    try:
        cache = VectorCache(path, 2)
    finally:
        finished.join()
        other.close()
    assert list(cache.get([b"\x01"])[b"\x01"]) == [1.0, 1.0]
    cache.close()
