"""Broken articles: `kb check` reports each one; `kb index` skips them and says so (or refuses)."""
import os
import subprocess
import sys

import pytest

pytestmark = pytest.mark.models  # `kb index` with the default models

GOOD = "---\ntitle: {title}\nlang: de\ncategory: Test\n---\n{body}\n"


@pytest.fixture()
def broken_dir(tmp_path):
    d = tmp_path / "articles"
    d.mkdir()
    (d / "gut.md").write_text(GOOD.format(title="Lieferung", body="Pakete kommen in 2 Tagen. [Kreis](a.md)"))
    # cyclic links are legal (articles may point at each other) and must not hang anything
    (d / "a.md").write_text(GOOD.format(title="A", body="Siehe [B](b.md)."))
    (d / "b.md").write_text(GOOD.format(title="B", body="Siehe [A](a.md) und [gut](gut.md)."))
    (d / "yaml.md").write_text("---\ntitle: [unclosed\nlang: de\n---\nText\n")
    (d / "binary.md").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00binary")
    (d / "big.md").write_text(GOOD.format(title="Riesig", body="wort " * (5 * 1024 * 1024 // 5)))
    (d / "copy").mkdir()  # same title twice in one language: reported (duplicate ids: tests/test_articles.py)
    (d / "copy" / "gut.md").write_text(GOOD.format(title="Lieferung", body="Noch einmal."))
    return d


def kb(*args, tmp_path):
    env = {**os.environ, "KB_INSTANCE": str(tmp_path / "instance")}
    return subprocess.run([sys.executable, "-m", "kb.cli", *args], capture_output=True, text=True, env=env,
                          timeout=300)


def test_check_refuses_a_file_or_an_empty_folder_with_a_reason(broken_dir, tmp_path):
    r = kb("check", str(broken_dir / "yaml.md"), tmp_path=tmp_path)
    assert r.returncode == 2 and "is a file" in r.stderr
    (tmp_path / "empty").mkdir()
    r = kb("check", str(tmp_path / "empty"), tmp_path=tmp_path)
    assert r.returncode == 1 and "no article files" in r.stderr


def test_check_reports_every_broken_file(broken_dir, tmp_path):
    r = kb("check", str(broken_dir), tmp_path=tmp_path)
    assert r.returncode == 1
    out = r.stdout
    for name in ("yaml.md", "binary.md", "big.md"):
        assert any(f"/{name}:" in line and "error" in line for line in out.splitlines()), (name, out)
    assert "/a.md:" not in " ".join(l for l in out.splitlines() if "error" in l)  # cycles are fine
    assert "copy/gut.md" in out
    assert "Traceback" not in r.stderr


def test_index_skips_broken_files_and_says_so(broken_dir, tmp_path):
    r = kb("index", "--articles", str(broken_dir), "--index", str(tmp_path / "index"), "--quiet",
           tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    for name in ("yaml.md", "binary.md", "big.md"):
        assert f"skipped: {name}" in r.stderr or f"skipped: {broken_dir / name}" in r.stderr, (name, r.stderr)
    assert "file(s) with errors were skipped" in r.stderr
    r = kb("index", "--articles", str(broken_dir), "--index", str(tmp_path / "strict"), "--strict", "--quiet",
           tmp_path=tmp_path)
    assert r.returncode == 1 and "nothing was indexed" in r.stderr and not (tmp_path / "strict" / "current").exists()
