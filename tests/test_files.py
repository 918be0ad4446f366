"""Atomic article writes: the content is replaced whole, permissions kept, nothing left behind."""

import os

import pytest

from kb.content.files import write_atomically


def test_replaces_content_and_keeps_mode(tmp_path):
    target = tmp_path / "a.md"
    target.write_text("old\n", encoding="utf-8")
    os.chmod(target, 0o640)
    write_atomically(target, "neu: Größe\r\n")
    assert target.read_bytes() == "neu: Größe\r\n".encode("utf-8")
    assert target.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["a.md"]


def test_new_file_and_failure_leave_no_temporary(tmp_path):
    write_atomically(tmp_path / "new.md", "x")
    assert (tmp_path / "new.md").read_text() == "x"
    with pytest.raises(FileNotFoundError):
        write_atomically(tmp_path / "missing" / "b.md", "x")
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "new.md", None)
    assert (tmp_path / "new.md").read_text() == "x"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["new.md"]
