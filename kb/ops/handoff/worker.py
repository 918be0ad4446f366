"""Delivering what is due: one pass (``kb outbox deliver``) or a background thread (``kb serve``)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from kb.ops.database import Store, StoreUnavailable
from kb.ops.handoff.channels import SENDERS, Deadline, DeliveryError
from kb.ops.handoff.outbox import Delivery, Outbox, lease_for
from kb.ops.handoff.settings import HandoffSettings

log = logging.getLogger(__name__)
POLL_S = 15.0   # how often the thread looks for due retries; a new request wakes it at once
PASS_LIMIT = 20  # sends per pass at most: a stopping server's thread and a cron run end soon


@dataclass(frozen=True)
class PassReport:
    sent: int
    failed: int
    errors: tuple[str, ...]
    lost: int = 0   # sends whose lease another deliverer took over meanwhile: recorded by that one


def deliver_due(outbox: Outbox, settings: HandoffSettings, now: float | None = None,
                limit: int = PASS_LIMIT) -> PassReport:
    """Send the rows due when the pass starts, at most ``limit``, each claimed just before its
    send with a lease its send cannot outlast: each send's deadline starts before its claim, as
    the lease does, and ends ``LEASE_MARGIN_S`` before it (:func:`lease_for`). Failures are
    recorded for a later retry, never raised."""
    due_by = time.time() if now is None else now
    lease_s = lease_for(settings.timeout)
    sent = lost = 0
    errors: list[str] = []
    for _turn in range(limit):
        deadline = Deadline(settings.timeout)
        delivery = outbox.claim_next(now, lease_s, due_by=due_by)
        if delivery is None:
            break
        error = _send(settings, delivery, deadline)
        held = outbox.mark_sent(delivery) if error is None else outbox.mark_failed(delivery, error, now) is not None
        if not held:
            lost += 1
            _log_lost(delivery, lease_s, error)
        elif error is None:
            sent += 1
        else:
            errors.append(f"{delivery.ref} ({delivery.channel}): {error}")
            log.warning("hand-off of %s by %s failed, will retry: %s", delivery.ref, delivery.channel, error)
    return PassReport(sent, len(errors), tuple(errors), lost)


def _log_lost(delivery: Delivery, lease_s: float, error: str | None) -> None:
    """Say that a send outlasted its lease: the row is another deliverer's now, which records
    its own attempt; this one counts nothing, so attempts stay one per recorded try."""
    twice = " (the helpdesk may get it twice and drops the second by ref)" if error is None else ""
    log.warning("hand-off of %s by %s took longer than its %.0f s lease and another deliverer took it "
                "over: that one records it, this attempt is not counted%s", delivery.ref, delivery.channel,
                lease_s, twice)


def _send(settings: HandoffSettings, delivery: Delivery, deadline: Deadline) -> str | None:
    """Send one claimed row; the error's text, or None when the helpdesk took it."""
    sender = SENDERS.get(delivery.channel)
    try:
        if sender is None or delivery.channel not in settings.channels:
            raise DeliveryError(f"channel '{delivery.channel}' is not configured")
        sender(settings, delivery.payload, deadline=deadline)
    except DeliveryError as exc:
        return str(exc)
    except Exception as exc:  # noqa: BLE001 -- a library's surprise (e.g. a password smtplib cannot encode)
        # is this row's failure, retried with backoff like any other; raised, it would leave the
        # row claimed until its lease ends and end `kb serve`'s delivery thread
        log.exception("hand-off of %s by %s failed unexpectedly", delivery.ref, delivery.channel)
        return f"unexpected error: {type(exc).__name__}: {exc}"
    return None


class DeliveryWorker:
    """A daemon thread that delivers due rows every ``POLL_S`` seconds, or at once after :meth:`wake`."""

    def __init__(self, store: Store, settings: HandoffSettings, poll_s: float = POLL_S) -> None:
        self.outbox = Outbox(store)
        self.settings = settings
        self.poll_s = poll_s
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="kb-handoff", daemon=True)

    def start(self) -> "DeliveryWorker":
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                deliver_due(self.outbox, self.settings)
            except StoreUnavailable as exc:   # the database is busy: the rows wait for the next pass
                log.warning("hand-off paused: %s", exc)
            except Exception:  # noqa: BLE001 -- the thread outlives any one pass, or nothing is sent until a restart
                log.exception("hand-off pass failed; trying again in %.0f s", self.poll_s)
            self._wake.wait(self.poll_s)
