"""Two replicas draining one outbox: every hand-off reaches the helpdesk once while both live.

The replicas are two Store instances on the same database (a SQLite file, a PostgreSQL
database), each with its own deliverer thread; the helpdesk is a real local HTTP server
that answers slowly (well within the timeout). Leases and delays are scaled down so a
backlog that took minutes in production takes a few seconds here.
"""
import collections
import dataclasses
import socket
import threading
import time

import pytest

from kb.ops.database import Store
from kb.ops.handoff import outbox as outbox_module
from kb.ops.handoff import worker as worker_module
from kb.ops.handoff.outbox import Outbox
from kb.ops.handoff.payload import build_payload
from kb.ops.handoff.settings import HandoffSettings
from kb.ops.handoff.worker import deliver_due
from webhook_desks import post_server

SECRET = "s3cret-key-for-tests-0123456789"
BACKLOG = 20
ANSWER_DELAY_S = 0.15   # the helpdesk takes this long per request (production: 7 s) ...
TIMEOUT_S = 0.5         # ... well under the timeout (production: 10 s)
SHORT_LEASE_S = 1.0     # the old fixed lease, scaled down: shorter than a backlog's send time
                        # (lease_for's own lease, SEND_WAITS timeouts and a margin, is longer)
DRAIN_WAIT_S = 30.0     # the test gives up after this long
TINY_LEASE_S = 0.3      # a lease a held-up send outlasts


class SlowDesk:
    """A helpdesk webhook that answers 200 after ``delay`` seconds and keeps every ref it got."""

    def __init__(self, delay: float):
        self.delay, self.refs, self.status = delay, [], 200
        self.started = threading.Event()   # set once a request arrived
        self.release = None                # an Event the answer waits for, instead of the delay
        self.server = post_server(self._answer)
        self.port = self.server.server_address[1]

    def _answer(self, headers, _body: bytes) -> int:
        self.started.set()
        if self.release is not None:
            self.release.wait(DRAIN_WAIT_S)
        else:
            time.sleep(self.delay)
        self.refs.append(headers["X-KB-Ref"])
        return self.status

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def desk():
    d = SlowDesk(ANSWER_DELAY_S)
    yield d
    d.stop()


def settings_for(port: int) -> HandoffSettings:
    return HandoffSettings(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret=SECRET, timeout=TIMEOUT_S)


def payload(ref: str) -> dict:
    return build_payload(ref=ref, received_at="2026-12-02T08:31Z", lang="de", question="Wo ist mein Paket?",
                         reply_to=None, order_number=None, search=None, articles_seen=[], agent_url=None)


def failed_backlog(box: Outbox, n: int = BACKLOG) -> list[str]:
    """``n`` requests that failed once while the helpdesk was down (attempts 1), due again now."""
    refs = [f"K-{i:08X}" for i in range(n)]
    for ref in refs:
        box.enqueue(ref, payload(ref), ("webhook",), now=0.0)
    down = settings_for(_closed_port())
    assert deliver_due(box, down, now=0.0).failed == n   # next_at: 30 s after 1970, so due at once
    return refs


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]   # closed again: nothing listens there


def drain(box: Outbox, settings: HandoffSettings, reports: list, stop: threading.Event) -> None:
    """A replica's deliverer: a pass, a short pause, again, until the outbox is empty."""
    try:
        while not stop.is_set() and box.pending():
            reports.append(deliver_due(box, settings))
            stop.wait(0.05)
    finally:
        box.store.release_connection()


def run_replicas(boxes: list[Outbox], settings: HandoffSettings) -> list:
    reports, stop = [], threading.Event()
    threads = [threading.Thread(target=drain, args=(box, settings, reports, stop)) for box in boxes]
    for t in threads:
        t.start()
    for t in threads:
        t.join(DRAIN_WAIT_S)
    stop.set()
    for t in threads:
        t.join()
    return reports


def test_two_replicas_send_a_slow_backlog_once_each_and_count_each_attempt_once(store_url, desk, monkeypatch):
    """The QA round: the backlog's last rows were sent twice because the first replica's
    one claim of the whole batch expired while the rows still waited in its queue."""
    monkeypatch.setattr(worker_module, "lease_for", lambda _timeout: SHORT_LEASE_S)
    boxes = [Outbox(Store(store_url)), Outbox(Store(store_url))]
    refs = failed_backlog(boxes[0])
    assert BACKLOG * ANSWER_DELAY_S > 2 * SHORT_LEASE_S   # one replica alone needs longer than a lease
    reports = run_replicas(boxes, settings_for(desk.port))
    counts = collections.Counter(desk.refs)
    assert sorted(counts) == refs and set(counts.values()) == {1}, counts.most_common(3)
    assert sum(r.sent for r in reports) == BACKLOG and sum(r.failed for r in reports) == 0
    states = boxes[0].states(refs)
    assert {ref: (s[0].state, s[0].attempts) for ref, s in states.items()} == {ref: ("delivered", 2) for ref in refs}
    assert boxes[1].pending() == 0


def row(box: Outbox, ref: str):
    return box.store.query("SELECT attempts, sent_at, next_at, lease_token, last_error FROM handoff_outbox "
                           "WHERE ref = ?", (ref,))[0]


def test_a_lease_lost_mid_send_is_not_marked_by_the_loser(store_url):
    first, second = Outbox(Store(store_url)), Outbox(Store(store_url))
    first.enqueue("K-AAAA0001", payload("K-AAAA0001"), ("webhook",), now=0.0)
    mine = first.claim_next(now=0.0, lease_s=10.0)
    assert second.claim_next(now=5.0, lease_s=10.0) is None           # leased: the other one waits
    theirs = second.claim_next(now=10.0, lease_s=10.0)                # the lease ran out mid-send
    assert theirs.ref == mine.ref and theirs.lease_token != mine.lease_token
    assert first.mark_sent(mine) is False and first.mark_failed(mine, "late", now=12.0) is None
    before = row(first, "K-AAAA0001")
    assert (before["attempts"], before["sent_at"], before["last_error"]) == (0, None, None)
    assert before["next_at"] == 20.0 and before["lease_token"] == theirs.lease_token   # still theirs
    assert second.mark_sent(theirs) is True
    after = row(first, "K-AAAA0001")
    assert after["attempts"] == 1 and after["sent_at"] and after["lease_token"] is None
    assert second.mark_sent(theirs) is False                         # recorded once


def test_an_expired_lease_nobody_took_over_is_still_the_holders(store_url):
    """A claim and a mark are each one conditional update: the send that finished late is
    recorded (instead of repeated), and a claim after that mark finds nothing."""
    box = Outbox(Store(store_url))
    box.enqueue("K-AAAA0002", payload("K-AAAA0002"), ("webhook",), now=0.0)
    late = box.claim_next(now=0.0, lease_s=1.0)
    assert box.mark_failed(late, "HTTP 503", now=50.0) == 50.0 + outbox_module.backoff(1)
    again = box.claim_next(now=100.0, lease_s=1.0)
    assert box.mark_sent(again) is True and box.claim_next(now=10**9) is None
    assert row(box, "K-AAAA0002")["attempts"] == 2


@pytest.mark.parametrize("timeout", [0.5, 10.0, 60.0, 600.0])
def test_the_lease_outlasts_the_deadline_of_every_send_by_its_margin(timeout):
    """Every send ends by its deadline (tests/test_handoff.py: a receiver dripping its answer),
    so a live deliverer is done with a row before its lease runs out."""
    deadline = outbox_module.send_deadline(timeout)
    assert deadline == outbox_module.SEND_WAITS * timeout
    assert outbox_module.lease_for(timeout) >= deadline + outbox_module.LEASE_MARGIN_S > deadline


def test_the_default_lease_is_unchanged_and_a_slow_relays_is_longer():
    assert outbox_module.lease_for(10.0) == outbox_module.LEASE_S == 120            # the default timeout
    assert outbox_module.lease_for(60.0) == 600.0 + outbox_module.LEASE_MARGIN_S     # a slow relay's: longer


def test_a_pass_claims_each_row_just_before_sending_it(store_url, desk):
    """While the first send of a pass is held up, the rest of the backlog is not leased to it:
    the other replica takes the next row at once instead of after a lease."""
    first, second = Outbox(Store(store_url)), Outbox(Store(store_url))
    refs = failed_backlog(first, 3)
    desk.release = threading.Event()
    pass_ = threading.Thread(target=deliver_due, args=(first, settings_for(desk.port)))
    pass_.start()
    try:
        assert desk.started.wait(DRAIN_WAIT_S)
        leased = first.store.query("SELECT ref FROM handoff_outbox WHERE lease_token IS NOT NULL")
        taken = second.claim_next()
        assert [r["ref"] for r in leased] == refs[:1] and taken.ref == refs[1]
        assert second.mark_sent(taken) is True
    finally:
        desk.release.set()
        pass_.join()
        first.store.release_connection()
    assert collections.Counter(desk.refs) == {refs[0]: 1, refs[2]: 1}   # the first pass sent the rest


@pytest.mark.parametrize("status", [200, 503])
def test_a_send_that_outlasts_its_lease_is_recorded_only_by_the_deliverer_holding_it(store_url, desk,
                                                                                    monkeypatch, status):
    # a deliverer that stalls past its lease (a paused machine, a database slower than the margin):
    # a live send ends before its lease (test_the_lease_outlasts_the_deadline_of_every_send_by_its_margin)
    monkeypatch.setattr(worker_module, "lease_for", lambda _timeout: TINY_LEASE_S)
    first, second = Outbox(Store(store_url)), Outbox(Store(store_url))
    first.enqueue("K-AAAA0003", payload("K-AAAA0003"), ("webhook",))
    desk.release, desk.status = threading.Event(), status
    reports = []
    # the held send waits for the release, not TIMEOUT_S: that ran out about when the lease was taken over
    held_up = dataclasses.replace(settings_for(desk.port), timeout=DRAIN_WAIT_S)
    pass_ = threading.Thread(target=lambda: reports.append(deliver_due(first, held_up)))
    pass_.start()
    try:
        assert desk.started.wait(DRAIN_WAIT_S)
        time.sleep(TINY_LEASE_S * 1.5)
        theirs = second.claim_next(lease_s=60.0)
        assert theirs is not None and theirs.ref == "K-AAAA0003"
    finally:
        desk.release.set()
        pass_.join()
        first.store.release_connection()
    [report] = reports
    assert (report.sent, report.failed, report.lost) == (0, 0, 1)
    held = row(first, "K-AAAA0003")
    assert (held["attempts"], held["sent_at"], held["last_error"]) == (0, None, None)
    assert held["lease_token"] == theirs.lease_token and held["next_at"] == theirs.leased_until
