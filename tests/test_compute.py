"""Numeric work of all request threads runs on one compute thread."""
import threading

import pytest

from kb import compute


def test_work_from_many_threads_runs_on_one_thread():
    seen = set()
    threads = [threading.Thread(target=lambda: seen.add(compute.run(lambda: threading.current_thread().name)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(5)
    assert len(seen) == 1 and next(iter(seen)).startswith("kb-compute")


def test_errors_come_back_to_the_caller_and_nested_calls_do_not_deadlock():
    def boom():
        raise ValueError("bad vector")

    with pytest.raises(ValueError, match="bad vector"):
        compute.run(boom)
    assert compute.run(lambda: compute.run(lambda: 41) + 1) == 42
