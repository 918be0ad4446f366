"""A real `kb serve`: 300 connections that send nothing, half a request or a slow body lock nobody out."""
import os
import socket
import time
import urllib.request
from pathlib import Path

import pytest
from test_browser import _free_port, kb_serve

ROOT = Path(__file__).resolve().parents[2]
IDLE_EACH = 100        # of each kind: silent, partial headers, slow body
ANSWER_WITHIN = 1.0    # seconds for a normal search meanwhile
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def server(built_index, tmp_path_factory):
    instance = tmp_path_factory.mktemp("instance")
    port = _free_port()
    env = {**os.environ, "KB_INDEX": str(built_index), "KB_INSTANCE": str(instance),
           "KB_SITE": str(ROOT / "site.yml"), "KB_RATE_LIMITS": "off"}
    with kb_serve(env, instance, port, ("--threads", "2")) as url:
        yield port, url


def _open(port: int, first_bytes: bytes) -> socket.socket:
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    if first_bytes:
        s.sendall(first_bytes)
    return s


def _timed_search(url: str) -> float:
    started = time.perf_counter()
    with urllib.request.urlopen(url + "/api/search?q=Lieferzeit&limit=1", timeout=5) as r:
        assert r.status == 200 and b"lieferzeit" in r.read()
    return time.perf_counter() - started


def test_idle_connections_do_not_stop_the_server(server):
    port, url = server
    _timed_search(url)  # warm
    kinds = [b"", b"GET /api/search?q=Paket HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ",
             b"POST /api/contact HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
             b"Content-Length: 5000\r\n\r\n{\"question\": \""]
    held = []
    try:
        for kind in kinds:
            held += [_open(port, kind) for _ in range(IDLE_EACH)]
        time.sleep(0.5)  # let the server register all of them
        times = [_timed_search(url) for _ in range(5)]
        assert max(times) < ANSWER_WITHIN, times
        for s in held[IDLE_EACH:]:  # the slow ones keep trickling: still nobody locked out
            s.sendall(b"x")
        assert _timed_search(url) < ANSWER_WITHIN
    finally:
        for s in held:
            s.close()


def test_oversized_bodies_are_refused_unread(server):
    port, _url = server
    with _open(port, b"POST /api/contact HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000000000\r\n\r\n") as s:
        reply = s.recv(200)
    assert reply.startswith(b"HTTP/1.1 413")
