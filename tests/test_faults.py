"""Faults: a killed `kb index`, damaged index files, a model that cannot load."""
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time

import pytest

from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.search.engine import SearchEngine


def _env(tmp_path, **extra):
    return {**os.environ, "KB_INSTANCE": str(tmp_path / "instance"), "KB_SITE": "none", **extra}


def _free_port() -> int:
    """A port nobody listens on: kb serve binds it before loading the index (a privileged one
    such as 1 would end an unprivileged run there, before the damaged file is reached)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _kb(*args, env, timeout=120):
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True,
                          env=env, timeout=timeout)


@pytest.mark.slow
def test_kill_9_during_kb_index_never_damages_the_served_index(articles_dir, tmp_path, encoders):
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    rng = random.Random(7)
    env = _env(tmp_path)
    # spread the kills over start-up, model loading, embedding, writing and publishing
    for delay in sorted(rng.uniform(0.2, 9.0) for _ in range(5)):
        proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "index", "--articles", str(articles_dir),
                                 "--index", str(location), "--force", "--quiet"], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        index = LoadedIndex(location, DEFAULT_MODELS)  # whatever is current is complete
        hits = SearchEngine(index, encoders).search("wann kommt mein Paket").results
        assert hits and hits[0].id == "de/lieferzeit", delay
        index.close()
    r = _kb("index", "--articles", str(articles_dir), "--index", str(location), "--force", env=env)
    assert r.returncode == 0, r.stderr
    assert not list(location.glob(".tmp-*"))  # leftovers of killed builds are gone
    assert len(list(location.glob("build-*"))) <= 2


@pytest.mark.parametrize("damage, named", [
    (lambda b: (b / "manifest.json").write_text('{"format": 3, "mod'), "manifest.json"),
    (lambda b: (b / "vectors-1.faiss").write_bytes((b / "vectors-1.faiss").read_bytes()[:100]), "vectors-1.faiss"),
    (lambda b: (b / "passages.npz").write_bytes(b"PK\x03\x04 not a zip"), "passages.npz"),
    (lambda b: (b / "vectors-0.nodes.npy").write_bytes(b"\x93NUMPY damaged"), "vectors-0.nodes.npy"),
    (lambda b: (b / "vectors-1.nodes.npy").write_bytes((b / "vectors-0.nodes.npy").read_bytes()),
     "vectors-1.nodes.npy"),  # a valid file of the other encoder: passages it does not cover
    (lambda b: (b / "articles.json").unlink(), "articles.json"),
    (lambda b: shutil.rmtree(b / "keywords"), "keywords"),
])
def test_damaged_index_is_refused_by_search_and_serve_with_the_file_named(
        articles_dir, tmp_path, encoders, damage, named):
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    damage((location / "current").resolve())
    env = _env(tmp_path)
    r = _kb("search", "Lieferung", "--index", str(location), env=env)
    assert r.returncode == 1 and named in r.stderr and "kb index --index" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
    r = _kb("serve", "--index", str(location), "--port", str(_free_port()), env=env, timeout=60)
    assert r.returncode == 1 and named in r.stderr and "Traceback" not in r.stderr, r.stderr


def test_model_that_cannot_be_loaded_is_named_with_its_setting(articles_dir, tmp_path):
    env = _env(tmp_path, KB_MODELS="/nonexistent/my-model", HF_HUB_OFFLINE="1")
    r = _kb("index", "--articles", str(articles_dir), "--index", str(tmp_path / "index"), env=env)
    assert r.returncode == 1 and "/nonexistent/my-model" in r.stderr and "KB_MODELS" in r.stderr, r.stderr
    assert "Traceback" not in r.stderr
