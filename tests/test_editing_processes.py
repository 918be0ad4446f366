"""Several processes editing one articles folder (replicas on one host, or sharing the folder)
take turns (kb/ops/article_editing.py): no change is lost, every one is a version."""
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.git_folder import committed

from kb.content.article_edit import EditError, version_of
from kb.content.files import exclusive_lock
from kb.ops import article_editing
from kb.ops.article_editing import ArticleEditor, EditingUnavailable
from kb.ops.database import Store

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS_EACH = 15
# one process: adds QUESTIONS_EACH questions to the same article as fast as it can
ADDER = """
import sys
from pathlib import Path
from kb.ops.article_editing import ArticleEditor
from kb.ops.database import Store
root, name = Path(sys.argv[1]), sys.argv[2]
editor = ArticleEditor(root, Store(root.parent / (name + ".sqlite3")))
for n in range(int(sys.argv[3])):
    assert editor.add_question(root / "en" / "delivery.md", f"question {n} from {name}", name)
assert editor.history_error is None, editor.history_error
"""


@pytest.fixture()
def repo(articles_dir):
    return articles_dir, committed(articles_dir)


def test_two_processes_adding_questions_to_one_article_lose_none_and_record_each(repo):
    articles, git = repo
    procs = [subprocess.Popen([sys.executable, "-c", ADDER, str(articles), name, str(QUESTIONS_EACH)],
                              cwd=ROOT, stderr=subprocess.PIPE, text=True) for name in ("replica1", "replica2")]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read()
    text = (articles / "en" / "delivery.md").read_text(encoding="utf-8")
    for name in ("replica1", "replica2"):
        for n in range(QUESTIONS_EACH):
            assert f"question {n} from {name}" in text
    subjects = subprocess.run([*git, "log", "--format=%s", "--", "en/delivery.md"], capture_output=True,
                              text=True, check=True).stdout.splitlines()
    assert sum(s.startswith("Add the question") for s in subjects) == 2 * QUESTIONS_EACH
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True).stdout == ""  # no lock file


def test_a_save_waits_for_another_process_and_gives_up_with_nothing_written(repo, tmp_path, monkeypatch):
    articles, _git = repo
    editor = ArticleEditor(articles, Store(tmp_path / "kb.sqlite3"))
    path = articles / "en" / "delivery.md"
    before = path.read_text(encoding="utf-8")
    monkeypatch.setattr(article_editing, "LOCK_WAIT_SECONDS", 0.3)
    with exclusive_lock(editor.lock_file(), 1):  # another server's save in progress
        started = time.monotonic()
        with pytest.raises(EditError, match="taking long"):
            editor.save("en/delivery", before + "\nMore.\n", version_of(before), "eva", "Update")
        assert time.monotonic() - started >= 0.3
    assert path.read_text(encoding="utf-8") == before
    editor.save("en/delivery", before + "\nMore.\n", version_of(before), "eva", "Update")  # its turn now
    assert path.read_text(encoding="utf-8").endswith("More.\n")


def test_a_server_without_the_articles_folder_edits_nothing(tmp_path):
    missing = tmp_path / "articles"
    editor = ArticleEditor(missing, Store(tmp_path / "kb.sqlite3"))
    assert not editor.editable()
    with pytest.raises(EditingUnavailable):
        editor.save("de/neu", "---\ntitle: Neu\nlang: de\n---\nText.\n", "", "eva", "Create", new=True)
    assert not missing.exists()  # nothing created where the articles would be
