"""`kb privacy purge` and `kb privacy erase`: customers' personal data kept no longer than it
serves, and erased on request (kb/ops/retention.py, kb/ops/erasure.py).

Both take the database from ``--url`` or ``KB_DATABASE_URL`` (default: the instance's
SQLite file), the one `kb serve` uses, and are safe next to a running server: each is one
transaction, so a failure leaves everything as it was.
"""

from __future__ import annotations

import click

from kb.cli.common import URL_HELP, fail, open_store
from kb.ops.database import StoreUnavailable
from kb.ops.retention import DEFAULT_RETENTION_DAYS, RETENTION_SETTING


@click.group()
def privacy() -> None:
    """Customers' personal data: remove what is older than the retention period, erase one address."""


@privacy.command()
@click.option("--older-than", "older_than", metavar="DAYS",
              help=f"Remove what is older than this many days, e.g. 90d (default: {RETENTION_SETTING}, "
                   f"else {DEFAULT_RETENTION_DAYS}).")
@click.option("--url", help=URL_HELP)
def purge(older_than: str | None, url: str | None) -> None:
    """Remove personal data older than the retention period.

    Safe to run from cron. Searches are deleted (their number per hour stays for insights), comments of votes
    cleared (the votes stay), reply addresses and order numbers of answered contact
    requests cleared, and the payloads of hand-offs delivered to the helpdesk. Hand-offs
    still not delivered after the period lose their payload and are never sent. A second
    run removes nothing more.
    """
    from kb.ops.retention import RetentionError, parse_days, purge as purge_store, retention_days

    try:
        days = parse_days(older_than, "--older-than") if older_than is not None else retention_days()
    except RetentionError as exc:
        fail(str(exc), 2)
    store = open_store(url, migrate=True, must_exist=True)
    report = _on_store(lambda: purge_store(store, days), "nothing was removed")
    _counts(f"Removed personal data older than {days} days (before {report.cutoff}) from {store.label}:",
            ((report.searches, "searches (their number per hour kept for insights)"),
             (report.comments, "comments of votes (the votes kept)"),
             (report.emails, "reply addresses of answered contact requests"),
             (report.order_numbers, "order numbers of answered contact requests"),
             (report.payloads, "payloads of hand-offs delivered to the helpdesk"),
             (report.undelivered, "hand-offs not delivered within the period (payload dropped, never sent)")))


@privacy.command()
@click.option("--email", "address", required=True, help="The customer's e-mail address.")
@click.option("--url", help=URL_HELP)
def erase(address: str, url: str | None) -> None:
    """Erase one customer's e-mail address everywhere it is stored.

    Their contact requests lose it, with the order numbers given there; the hand-offs of
    those requests lose their payload, and those not yet delivered are cancelled: the
    helpdesk never gets them. One a deliverer is sending at this moment may still arrive
    (reported apart; if that send fails, it is not tried again). A question, search or
    comment holding it gets "[email]" instead.
    """
    from kb.ops.erasure import ErasureError, checked_address, erase_address

    try:
        checked_address(address)
    except ErasureError as exc:
        fail(str(exc), 2)
    store = open_store(url, migrate=True, must_exist=True)
    report = _on_store(lambda: erase_address(store, address), "nothing was erased")
    if report.nothing:
        click.echo(f"nothing stored for {report.address} in {store.label}")
        return
    _counts(f"Erased {report.address} from {store.label}:",
            ((report.requests, "contact requests (reply address removed)"),
             (report.order_numbers, "order numbers given with them"),
             (report.payloads, "hand-offs to the helpdesk (their data removed)"),
             (report.cancelled, "of them not yet delivered: cancelled, the helpdesk never gets them"),
             # a deliverer already holds their payload: not cancelled, whatever the row says
             (report.being_sent, "of them being sent at this moment: may still arrive"),
             (report.texts, "questions, searches or comments holding the address")))


def _on_store(change, unchanged: str):
    """``change()``'s report; a database that cannot take the change is one line, saying that
    ``unchanged`` holds (each command changes all in one transaction or nothing)."""
    try:
        return change()
    except StoreUnavailable as exc:
        fail(f"{exc} ({unchanged})")


def _counts(title: str, rows: tuple[tuple[int, str], ...]) -> None:
    """What a command changed: a title, then one count per kind of data."""
    click.echo(title)
    for count, what in rows:
        click.echo(f"  {count:>8}  {what}")
