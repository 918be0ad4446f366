"""The `kb` commands answer bad input with one clear error line and an exit code, never a
traceback: files that are not UTF-8, a file where a folder belongs, a port in use, an
account that does not exist."""
import json
import os
import socket
import subprocess
import sys

import pytest


def kb(*args, tmp_path, stdin="", timeout=120):
    env = {**os.environ, "KB_INSTANCE": str(tmp_path / "instance"), "KB_SITE": "none"}
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], input=stdin, capture_output=True, text=True,
                          env=env, timeout=timeout)


def _one_error(r, *said):
    assert "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and errors[0].startswith("Error: "), r.stderr
    assert all(words in errors[0] for words in said), errors[0]


LATIN1 = '{"query": "wann kommt mein paket", "expected": null}\n{"query": "Rückgabe", "expected": null}\n'


@pytest.mark.parametrize("command", [("eval",), ("search", "--batch")])
def test_a_file_that_is_not_utf8_is_refused_with_its_line(tmp_path, command):
    """Read before the index and the models are opened: no index is needed to be told."""
    path = tmp_path / "cases.jsonl"
    path.write_bytes(LATIN1.encode("latin-1"))
    r = kb(*command, str(path), "--index", str(tmp_path / "no-index"), tmp_path=tmp_path)
    assert r.returncode == 2 and r.stdout == ""
    _one_error(r, f"{path}:2: not valid UTF-8", "save the file as UTF-8")


def test_a_batch_from_stdin_that_is_not_utf8_is_refused(tmp_path):
    r = subprocess.run([sys.executable, "-m", "kb.cli", "search", "--batch", "-", "--index", str(tmp_path / "x")],
                       input="Rückgabe\n".encode("latin-1"), capture_output=True, env={**os.environ, "KB_SITE": "none"})
    assert r.returncode == 2 and b"<stdin>:1: not valid UTF-8" in r.stderr and b"Traceback" not in r.stderr


def test_an_eval_line_that_is_wrong_is_said_in_words(tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"query": "wann kommt mein paket", "expected": null}\n[1, 2]\n', encoding="utf-8")
    r = kb("eval", str(path), "--index", str(tmp_path / "no-index"), tmp_path=tmp_path)
    assert r.returncode == 2
    _one_error(r, f"{path}:2: expected a JSON object", "got a list")
    assert "indices" not in r.stderr


def test_an_eval_file_with_a_byte_order_mark_is_measured(built_index, tmp_path):
    path = tmp_path / "cases.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + (json.dumps({"query": "wann kommt mein paket", "expected": "de/lieferzeit"})
                                        + "\n").encode())
    r = kb("eval", str(path), "--index", str(built_index), "--json", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["questions"] == 1


@pytest.mark.parametrize("where", ["a-file", "a-file/index"])
def test_an_index_location_that_is_a_file_is_refused(articles_dir, tmp_path, where):
    (tmp_path / "a-file").write_text("not an index\n")
    r = kb("index", "--articles", str(articles_dir), "--index", str(tmp_path / where), "--quiet", tmp_path=tmp_path)
    assert r.returncode in (1, 2)
    _one_error(r, str(tmp_path / "a-file"))
    assert (tmp_path / "a-file").read_text() == "not an index\n"


def test_serve_on_a_port_in_use_says_so_and_does_not_claim_to_serve(built_index, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = kb("serve", "--index", str(built_index), "--port", str(port), tmp_path=tmp_path, timeout=180)
    assert r.returncode == 1 and "Serving on" not in r.stdout
    assert "Traceback" not in r.stderr and f"Error: cannot listen on 127.0.0.1:{port}" in r.stderr, r.stderr
    assert "already in use" in r.stderr.lower() and "--port" in r.stderr


def test_removing_an_account_that_does_not_exist_says_so_before_asking(tmp_path):
    r = kb("users", "remove", "nope", tmp_path=tmp_path)  # no --yes, nothing on stdin to answer with
    assert r.returncode == 2 and "Remove this account" not in r.stdout
    _one_error(r, "no user 'nope'")
    kb("users", "add", "eva", "--password-stdin", tmp_path=tmp_path, stdin="long enough pw\n")
    r = kb("users", "remove", "eva", tmp_path=tmp_path, stdin="n\n")
    assert r.returncode == 1 and "Remove this account" in r.stdout and "eva" in kb("users", "list", tmp_path=tmp_path).stdout
    r = kb("users", "remove", "eva", tmp_path=tmp_path, stdin="y\n")
    assert r.returncode == 0 and "Removed 'eva'" in r.stdout
