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


@pytest.mark.parametrize("listening", [True, False], ids=["listened-on", "only-bound"])
def test_serve_on_a_port_in_use_says_so_before_loading_anything(tmp_path, listening):
    """The address is bound before the index and the models are loaded: the operator learns
    of the busy port at once. The index given does not exist, and loading it would fail with
    its own error (the next test): the port's error instead proves what comes first."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        if listening:
            taken.listen()
        port = taken.getsockname()[1]
        r = kb("serve", "--index", str(tmp_path / "no-index"), "--port", str(port), tmp_path=tmp_path, timeout=60)
    assert r.returncode == 1 and r.stdout == ""  # neither "Help centre ready" nor "Serving on"
    _one_error(r, f"cannot listen on 127.0.0.1:{port}", "already in use", "--port")
    assert "no-index" not in r.stderr


def test_serve_on_a_free_port_reaches_the_index_and_leaves_the_port_free(tmp_path):
    """The same unloadable index on a free port: its error, after the port was bound, and the
    port is free again when kb serve ends."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    r = kb("serve", "--index", str(tmp_path / "no-index"), "--port", str(port), tmp_path=tmp_path, timeout=60)
    assert r.returncode == 1 and "Serving on" not in r.stdout
    _one_error(r, f"no index at {tmp_path / 'no-index'}", "kb index")
    with socket.socket() as again:
        again.bind(("127.0.0.1", port))


def _close_all(sockets):
    for s in sockets:
        s.close()


def test_bound_sockets_bind_every_address_of_a_name_and_close_them_when_one_is_taken(monkeypatch):
    """As waitress binds: each address of "localhost" (IPv4, and IPv6 where the machine has it),
    none listening yet; when one address is taken, the others bound so far are closed. A name
    with two addresses, the second one taken, shows the closing on any machine (localhost
    may resolve to 127.0.0.1 alone)."""
    from kb.cli.serving import CannotListen, bound_sockets
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sockets = bound_sockets("localhost", port)
    try:
        assert socket.AF_INET in {s.family for s in sockets}
        assert all(s.getsockname()[1] == port for s in sockets)
        assert all(s.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN) == 0 for s in sockets)
    finally:
        _close_all(sockets)
    two = [(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", (address, port))
           for address in ("127.0.0.1", "127.0.0.2")]
    made = []

    class Recorded(socket.socket):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    with socket.socket() as taken:
        taken.bind(("127.0.0.2", port))
        with monkeypatch.context() as patched:
            patched.setattr(socket, "getaddrinfo", lambda *a, **k: two)
            patched.setattr(socket, "socket", Recorded)
            with pytest.raises(CannotListen, match=f"cannot listen on two-addresses:{port}: .*--port"):
                bound_sockets("two-addresses", port)
    assert len(made) == 2 and all(s.fileno() == -1 for s in made)  # the first bound, then closed
    _close_all(bound_sockets("localhost", port))  # nothing of the failed attempt holds it


def test_removing_an_account_that_does_not_exist_says_so_before_asking(tmp_path):
    r = kb("users", "remove", "nope", tmp_path=tmp_path)  # no --yes, nothing on stdin to answer with
    assert r.returncode == 2 and "Remove this account" not in r.stdout
    _one_error(r, "no user 'nope'")
    kb("users", "add", "eva", "--password-stdin", tmp_path=tmp_path, stdin="long enough pw\n")
    r = kb("users", "remove", "eva", tmp_path=tmp_path, stdin="n\n")
    assert r.returncode == 1 and "Remove this account" in r.stdout and "eva" in kb("users", "list", tmp_path=tmp_path).stdout
    r = kb("users", "remove", "eva", tmp_path=tmp_path, stdin="y\n")
    assert r.returncode == 0 and "Removed 'eva'" in r.stdout
