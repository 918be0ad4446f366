"""Delivering what is due: one pass (``kb outbox deliver``) or a background thread (``kb serve``)."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from kb.ops.database import Store, StoreUnavailable
from kb.ops.handoff.channels import SENDERS, DeliveryError
from kb.ops.handoff.outbox import Outbox
from kb.ops.handoff.settings import HandoffSettings

log = logging.getLogger(__name__)
POLL_S = 15.0   # how often the thread looks for due retries; a new request wakes it at once


@dataclass(frozen=True)
class PassReport:
    sent: int
    failed: int
    errors: tuple[str, ...]


def deliver_due(outbox: Outbox, settings: HandoffSettings, now: float | None = None) -> PassReport:
    """Send every due row once; failures are recorded for a later retry, never raised."""
    sent, errors = 0, []
    for delivery in outbox.claim_due(now):
        sender = SENDERS.get(delivery.channel)
        try:
            if sender is None or delivery.channel not in settings.channels:
                raise DeliveryError(f"channel '{delivery.channel}' is not configured")
            sender(settings, delivery.payload)
        except DeliveryError as exc:
            outbox.mark_failed(delivery, str(exc), now)
            errors.append(f"{delivery.ref} ({delivery.channel}): {exc}")
            log.warning("hand-off of %s by %s failed, will retry: %s", delivery.ref, delivery.channel, exc)
        else:
            outbox.mark_sent(delivery)
            sent += 1
    return PassReport(sent, len(errors), tuple(errors))


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
            self._wake.wait(self.poll_s)
