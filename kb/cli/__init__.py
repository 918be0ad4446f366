"""The `kb` command line: one click group, ``main``, with the commands of the modules below.

``indexing`` (check, index), ``searching`` (search, eval), ``serving`` (serve),
``users`` (users, tokens), ``db``, ``outbox``, ``privacy`` and ``questions``, each registered on
``main`` below; ``common`` holds what they share, so no command module imports this one.
"""

from __future__ import annotations

import click

from kb.cli import indexing, searching, serving, users
from kb.cli.db import db
from kb.cli.outbox import outbox
from kb.cli.privacy import privacy
from kb.cli.questions import questions


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kb")
def main() -> None:
    """Help centre with hybrid semantic + keyword search (German and English).

    Settings come from environment variables (KB_ARTICLES, KB_INDEX, KB_MODELS,
    KB_DEFAULT_LANG, KB_INSTANCE, KB_SITE, KB_SECRET_KEY, KB_HTTPS, KB_RATE_LIMITS,
    KB_DATABASE_URL, KB_RATE_LIMIT_STORAGE, KB_TRUSTED_PROXY, KB_BASE_URL, KB_CORS_ORIGINS,
    KB_RETENTION_DAYS);
    options override them. See README.md.
    """


for command in (indexing.check, indexing.index, searching.search, searching.eval_, serving.serve,
                users.users, users.tokens, db, outbox, privacy, questions):
    main.add_command(command)
