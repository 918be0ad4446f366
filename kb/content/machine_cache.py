"""Where files derived from installed packages live on this machine (model exports,
compact lookup tables): ``KB_MODEL_CACHE``, else the user's cache directory.

Like the HuggingFace cache, they belong to the machine's user, not to an index
location: every index and process on the machine shares them.
"""

from __future__ import annotations

import os
from pathlib import Path


def cache_root() -> Path:
    configured = os.environ.get("KB_MODEL_CACHE")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kb" / "models"
