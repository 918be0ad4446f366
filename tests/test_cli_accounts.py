"""`kb users` and `kb tokens`: accounts managed from the command line."""
import os
import subprocess
import sys


def kb(tmp_path, *args, stdin=""):
    env = {**os.environ, "KB_INSTANCE": str(tmp_path / "instance")}
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], input=stdin, capture_output=True,
                          text=True, env=env)


def test_users_and_tokens(tmp_path):
    r = kb(tmp_path, "users", "add", "Eva", "--role", "editor", "--password-stdin", stdin="long enough pw\n")
    assert r.returncode == 0 and "Added editor 'eva'" in r.stdout
    r = kb(tmp_path, "users", "add", "eva", "--password-stdin", stdin="long enough pw\n")
    assert r.returncode == 2 and "exists already" in r.stderr
    r = kb(tmp_path, "users", "add", "bob", "--password-stdin", stdin="short\n")
    assert r.returncode == 2 and "at least 10 characters" in r.stderr
    r = kb(tmp_path, "users", "add", "Bad Name!", "--password-stdin", stdin="long enough pw\n")
    assert r.returncode == 2 and "user names" in r.stderr
    assert "eva" in kb(tmp_path, "users", "list").stdout and "bob" not in kb(tmp_path, "users", "list").stdout
    assert kb(tmp_path, "users", "passwd", "eva", "--password-stdin", stdin="another long pw\n").returncode == 0
    r = kb(tmp_path, "tokens", "create", "eva", "--name", "chat bot")
    secret = r.stdout.strip().splitlines()[-1]
    assert r.returncode == 0 and secret.startswith("kb_") and len(secret) > 40
    db = (tmp_path / "instance" / "kb.sqlite3").read_bytes()
    assert secret.encode() not in db and b"another long pw" not in db  # only hashes are stored
    assert "active" in kb(tmp_path, "tokens", "list").stdout
    assert kb(tmp_path, "tokens", "revoke", "1").returncode == 0
    r = kb(tmp_path, "tokens", "revoke", "1")
    assert r.returncode == 2 and "no active token" in r.stderr
    for huge in ("99999999999999999999999", str(2**63)):  # beyond any row id: unknown, no traceback
        r = kb(tmp_path, "tokens", "revoke", huge)
        assert r.returncode == 2 and "no active token" in r.stderr and "Traceback" not in r.stderr
    for name in ("", "   ", "x" * 61):
        r = kb(tmp_path, "tokens", "create", "eva", "--name", name)
        assert r.returncode == 2 and "what it is for" in r.stderr
    r = kb(tmp_path, "tokens", "create", "eva", "--name", "chat\nbot")
    assert r.returncode == 0 and "(chat bot)" in r.stdout  # one line in the list
    assert kb(tmp_path, "users", "remove", "eva", "--yes").returncode == 0
    assert "No accounts yet" in kb(tmp_path, "users", "list").stdout
