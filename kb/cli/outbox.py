"""``kb outbox``: the hand-off queue from the command line (``deliver`` for cron, ``status``)."""

from __future__ import annotations

from pathlib import Path

import click

from kb.config import Settings
from kb.ops.database import Store, StoreUnavailable
from kb.ops.handoff.outbox import Outbox
from kb.ops.handoff.settings import HandoffConfigError, load_handoff_settings
from kb.ops.handoff.worker import deliver_due


@click.group()
def outbox() -> None:
    """Contact requests waiting to be handed off to the helpdesk (e-mail, webhook)."""


def _open(database: Path | None):
    settings = Settings.from_env()
    try:
        handoff = load_handoff_settings(settings.site_file)
        return Outbox(Store(database or settings.database_url)), handoff
    except (HandoffConfigError, StoreUnavailable) as exc:
        raise click.ClickException(str(exc)) from None


@outbox.command()
@click.option("--database", type=click.Path(path_type=Path),
              help="The portal's database (default: KB_DATABASE_URL, else instance/kb.sqlite3).")
def deliver(database: Path | None) -> None:
    """Send everything that is due once (safe next to a running `kb serve`); exit 1 when some failed."""
    box, handoff = _open(database)
    if not handoff.channels:
        raise click.ClickException("no helpdesk configured: set 'helpdesk:' in site.yml or KB_SMTP_HOST / "
                                   "KB_WEBHOOK_URL")
    report = deliver_due(box, handoff)
    taken = f", {report.lost} taken over by another deliverer" if report.lost else ""
    click.echo(f"{report.sent} delivered, {report.failed} failed (retried later){taken}, {box.pending()} waiting")
    for error in report.errors:
        click.echo(f"  {error}", err=True)
    if report.failed:
        raise SystemExit(1)


@outbox.command()
@click.option("--database", type=click.Path(path_type=Path))
def status(database: Path | None) -> None:
    """How many hand-offs are waiting."""
    box, _handoff = _open(database)
    click.echo(f"{box.pending()} waiting")
