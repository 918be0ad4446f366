"""`kb index --watch`: a saved article is in the index moments later, without a new process."""
import fcntl
import os
import queue
import signal
import subprocess
import sys
import threading
import time

from kb.encoders import DEFAULT_MODELS
from kb.index.build import build_index
from kb.index.loaded import LoadedIndex
from kb.index.watch import watch
from kb.search.engine import SearchEngine

LOCKERS = "\n## Parcel lockers\nWe deliver to Zebrastreifen parcel lockers too.\n"


def wait_for(predicate, timeout=60.0):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


class Watching:
    """watch() in a thread; stopped and joined on exit."""

    def __init__(self, articles, rebuild, settle=0.2):
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.errors = []

        def run():
            try:
                watch(articles, rebuild, self.stop, settle=settle, on_ready=self.ready.set)
            except Exception as exc:  # pragma: no cover - reported by the test
                self.errors.append(exc)
        self.thread = threading.Thread(target=run, daemon=True)

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(timeout=10)
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive() and not self.errors


def test_a_saved_article_is_indexed_and_a_broken_one_does_not_stop_the_watch(articles_dir, tmp_path,
                                                                          encoders):
    location = tmp_path / "index"
    build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS)
    reports = []

    def rebuild():
        reports.append(build_index(articles_dir, location, lambda: encoders, DEFAULT_MODELS))

    with Watching(articles_dir, rebuild):
        before = (location / "current").resolve()
        p = articles_dir / "en" / "delivery.md"
        p.write_text(p.read_text() + LOCKERS)
        assert wait_for(lambda: (location / "current").resolve() != before)
        engine = SearchEngine(LoadedIndex(location, DEFAULT_MODELS), encoders)
        assert engine.search("Zebrastreifen parcel lockers").results[0].id == "en/delivery"
        # a broken new article: skipped and reported, the watch goes on
        (articles_dir / "en" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText\n")
        assert wait_for(lambda: any(r.skipped for r in reports))
        (articles_dir / "en" / "broken.md").write_text("---\ntitle: Gift wrapping\nlang: en\ncategory: Orders\n---\n"
                                                     "We wrap every gift in recycled paper.\n")
        assert wait_for(lambda: "en/broken" in LoadedIndex(location, DEFAULT_MODELS).by_id)


def test_a_burst_of_saves_is_one_build_and_other_files_are_ignored(articles_dir):
    calls = []
    with Watching(articles_dir, lambda: calls.append(time.monotonic()), settle=1.0):
        (articles_dir / "notes.txt").write_text("not an article")
        (articles_dir / "de" / ".lieferzeit.md.swp").write_bytes(b"editor swap file")
        time.sleep(1.5)
        assert calls == []
        for n in range(5):  # an editor saving, a sync tool writing several files
            (articles_dir / "en" / f"new-{n}.md").write_text(f"---\ntitle: New {n}\nlang: en\n---\nText {n}.\n")
            time.sleep(0.05)
        assert wait_for(lambda: calls, timeout=10)
        time.sleep(1.5)
        assert len(calls) == 1
        (articles_dir / "en" / "new-0.md").unlink()  # a deletion is a change too
        assert wait_for(lambda: len(calls) == 2, timeout=10)


def test_kb_index_watch_from_the_command_line(articles_dir, tmp_path):
    location = tmp_path / "index"
    env = {**os.environ, "KB_INSTANCE": str(tmp_path / "instance"), "KB_SITE": "none"}
    proc = subprocess.Popen([sys.executable, "-m", "kb.cli", "index", "--articles", str(articles_dir),
                             "--index", str(location), "--watch", "--quiet"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout], daemon=True).start()

    def next_line(containing: str, timeout: float = 120) -> str:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                continue
            if containing in line:
                return line
        raise AssertionError(f"no line with {containing!r}")

    try:
        assert next_line("Indexed 5 articles")
        assert next_line("Watching")
        p = articles_dir / "de" / "lieferzeit.md"
        p.write_text(p.read_text() + "\n## Packstation\nWir liefern auch an Packstationen.\n")
        line = next_line("Indexed 5 articles")
        assert "0 encoded" in line  # the English model had nothing to do: a German article
        # another `kb index` holds the location: the watcher waits for it, then builds
        with open(location / ".lock", "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            before = (location / "current").resolve()
            p.write_text(p.read_text() + "\nUnd an Paketshops.\n")
            time.sleep(2)
            assert (location / "current").resolve() == before
        assert next_line("Indexed 5 articles", timeout=30)
        assert (location / "current").resolve() != before
        proc.send_signal(signal.SIGTERM)  # a service manager stopping it (SIGINT: the same handler)
        assert proc.wait(timeout=20) == 0
        assert next_line("Stopped watching", timeout=5)
    finally:
        if proc.poll() is None:
            proc.kill()
