"""Settings shared by the CLI and the web app.

Read from environment variables so the same values reach `kb index`, `kb serve`
and the tests; command-line options override them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kb.encoders import DEFAULT_MODELS


@dataclass(frozen=True)
class Settings:
    articles_dir: Path
    index_dir: Path
    models: str
    default_lang: str | None
    instance_dir: Path
    site_file: Path

    @property
    def database(self) -> Path:
        """The portal's SQLite file: feedback, contact requests, accounts."""
        return self.instance_dir / "kb.sqlite3"

    @property
    def database_url(self) -> str:
        """``KB_DATABASE_URL`` (``postgresql://…`` for replicas), else the SQLite file above."""
        return os.environ.get("KB_DATABASE_URL") or f"sqlite:///{self.database}"

    @classmethod
    def from_env(cls) -> "Settings":
        return cls(
            articles_dir=Path(os.environ.get("KB_ARTICLES", "articles")),
            index_dir=Path(os.environ.get("KB_INDEX", "indexes/main")),
            models=os.environ.get("KB_MODELS", DEFAULT_MODELS),
            default_lang=os.environ.get("KB_DEFAULT_LANG") or None,
            instance_dir=Path(os.environ.get("KB_INSTANCE", "instance")),
            site_file=Path(os.environ.get("KB_SITE", "site.yml")),
        )


def shown_address(url: str, default_port: int | None = None, with_path: bool = True) -> str:
    """A configured address as messages, logs and status pages may show it: scheme, host,
    port and (``with_path``) path, never its user, password, query or fragment (a
    webhook's or a database's address may carry a secret in any of them; a webhook's
    path too)."""
    scheme, _sep, rest = url.rpartition("://")
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port or default_port
    except ValueError:  # "host:99999", "[::1": what is shown still holds no secret
        host = None
    if not host:
        where = rest.rsplit("@", 1)[-1].split("?", 1)[0].split("#", 1)[0]
        where = where if with_path else where.split("/", 1)[0]
        return f"{scheme}://{where}" if scheme else where
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}" + (f":{port}" if port else "") + (parts.path if with_path else "")
