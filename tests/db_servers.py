"""Real PostgreSQL and Redis servers for the tests, from Debian's packages.

One PostgreSQL cluster (``initdb`` + ``pg_ctl`` in a temp folder, on a free
port) and one ``redis-server`` per test session; each test gets its own
database. ``make servers`` (run by ``make test``) installs the packages when
missing; where they cannot be installed the tests that need them skip and say why.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

PG_BIN_GLOB = "/usr/lib/postgresql/*/bin"
START_TIMEOUT = 30.0
_databases = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob.glob(PG_BIN_GLOB), key=lambda p: int(Path(p).parent.name) if Path(p).parent.name.isdigit() else 0)
    return Path(found[-1]) if found and (Path(found[-1]) / "initdb").exists() else None


class Postgres:
    """A throw-away PostgreSQL cluster; ``url(db)`` for a database, ``stop()``/``start()`` for faults."""

    def __init__(self, bin_dir: Path, folder: Path) -> None:
        self.bin = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        # initdb refuses to run as root: the cluster then belongs to Debian's postgres user
        self.run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.run_as:
            shutil.chown(folder, "postgres")
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", "kb", "-E", "UTF8", "--locale=C",
                 "--no-sync")

    def _pg(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run([*self.run_as, str(self.bin / tool), *args], capture_output=True, text=True,
                              check=check, cwd=self.folder)

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c max_connections=300 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._pg("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.folder / "server.log"),
                 "-w", "-t", str(int(START_TIMEOUT)), "start")

    def stop(self, mode: str = "fast") -> None:
        """``fast``: clients are disconnected, committed data stays (a clean shutdown)."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    @contextmanager
    def frozen(self):
        """The server's processes stopped (SIGSTOP) inside the block: connections stay open and
        nothing answers, as with a hung host or a lost network. Always resumed (SIGCONT) after."""
        stopped = []
        try:
            for pid in self._processes():
                try:
                    os.kill(pid, signal.SIGSTOP)
                except ProcessLookupError:  # a backend that ended after the listing: nothing to stop
                    continue
                stopped.append(pid)
            yield
        finally:
            for pid in stopped:
                try:
                    os.kill(pid, signal.SIGCONT)
                except ProcessLookupError:
                    pass

    def _processes(self) -> list[int]:
        """The postmaster first (it forks no new backend once stopped), then its children."""
        main = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for entry in Path("/proc").iterdir():
            try:
                # the parent id is the second field after the ")" closing the command name
                if entry.name.isdigit() and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == main:
                    children.append(int(entry.name))
            except (OSError, ValueError, IndexError):
                continue  # a process that ended meanwhile
        return [main, *children]

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://kb@127.0.0.1:{self.port}/{database}"

    def new_database(self) -> str:
        import psycopg
        name = f"test_{os.getpid()}_{next(_databases)}"
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


class Redis:
    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError("redis-server did not start")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def _missing_postgres() -> str | None:
    if _pg_bin() is None:
        return "PostgreSQL is not installed (Debian package postgresql; `make servers` installs it)"
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            return "running as root without Debian's postgres user: initdb cannot run"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="session")
def postgres_server():
    reason = _missing_postgres()
    if reason:
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="kb-pg-"))
    server = Postgres(_pg_bin(), folder)
    server.start()
    yield server
    server.stop("immediate")
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def redis_server():
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (Debian package redis-server; `make servers` installs it)")
    folder = Path(tempfile.mkdtemp(prefix="kb-redis-"))
    server = Redis(folder)
    yield server
    server.stop()
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """The store's tests run on both engines: a fresh SQLite file or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    return request.getfixturevalue("postgres_server").new_database()
