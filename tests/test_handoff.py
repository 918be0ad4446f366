"""Hand-off to the helpdesk against a real SMTP server (aiosmtpd) and a real HTTP receiver.

Both receivers run in this process on free local ports; the outbox is a real
SQLite file. "Down" means nothing listens on the port (connection refused) or
the receiver answers 503; "back" means it listens / answers 200 again.
"""
import dataclasses
import json
import socket
import threading
import time
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from kb.ops.database import Store
from kb.ops.handoff import outbox as outbox_module
from kb.ops.handoff.outbox import Outbox, backoff
from kb.ops.handoff.payload import SIGNATURE_HEADER, TIMESTAMP_HEADER, build_payload, sign, verify
from kb.ops.handoff.settings import HandoffConfigError, HandoffSettings, load_handoff_settings
from kb.ops.handoff.worker import DeliveryWorker, deliver_due
from webhook_desks import DripServer

SECRET = "s3cret-key-for-tests-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture()
def smtp():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, box
    controller.stop()


class Receiver:
    """A helpdesk webhook endpoint: stores what it gets, answers ``status`` (503 = down for maintenance)."""

    def __init__(self, port: int):
        self.port, self.status, self.received = port, 200, []
        self.location = None  # with a 3xx status: where it redirects to
        self.fetched = []  # the paths a GET asked for
        self.server = None

    def start(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.received.append((self.headers, body))
                self.send_response(receiver.status)
                if receiver.location:
                    self.send_header("Location", receiver.location)
                self.end_headers()

            def do_GET(self):
                receiver.fetched.append((self.path, dict(self.headers)))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture()
def receiver():
    r = Receiver(free_port())
    yield r
    if r.server:
        r.stop()


@pytest.fixture()
def outbox(tmp_path):
    return Outbox(Store(tmp_path / "kb.sqlite3"))


def payload(ref="K-1A2B3C4D", reply_to="kundin@example.com"):
    return build_payload(ref=ref, received_at="2026-12-02T08:31Z", lang="de",
                         question="Wo ist mein Paket? Bestellung [number]", reply_to=reply_to,
                         order_number="100-2345", search="wo ist mein paket",
                         articles_seen=[{"id": "tracking", "title": "Sendung verfolgen",
                                         "url": "https://hilfe.example/articles/tracking"}],
                         agent_url="https://hilfe.example/agent/inbox/1")


def smtp_settings(port):
    return HandoffSettings(smtp_host="127.0.0.1", smtp_port=port, smtp_security="none",
                           mail_from="hilfe@shop.example", mail_to="support@shop.example", timeout=5)


def webhook_settings(port):
    return HandoffSettings(webhook_url=f"http://127.0.0.1:{port}/hook", webhook_secret=SECRET, timeout=5)


def test_email_reaches_the_smtp_server_with_reply_to_search_and_articles(smtp, outbox):
    controller, box = smtp
    outbox.enqueue("K-1A2B3C4D", payload(), ("email",))
    report = deliver_due(outbox, smtp_settings(controller.port))
    assert (report.sent, report.failed) == (1, 0)
    [(rcpt, msg)] = box.messages
    assert rcpt == ["support@shop.example"]
    assert msg["Reply-To"] == "kundin@example.com" and msg["From"] == "hilfe@shop.example"
    assert msg["Subject"].startswith("[K-1A2B3C4D] Kontaktanfrage: Wo ist mein Paket?")
    text = msg.get_content().replace("\r\n", "\n")
    assert "Gesucht nach: wo ist mein paket" in text
    assert "- Sendung verfolgen\n  https://hilfe.example/articles/tracking" in text
    assert "Bestellnummer: 100-2345" in text
    assert deliver_due(outbox, smtp_settings(controller.port)).sent == 0   # sent once, not again


def test_the_customers_text_is_quoted_below_the_systems_lines(smtp, outbox):
    """A question that imitates the system's lines cannot pass for them."""
    controller, box = smtp
    spoof = "Hallo\n\nAntwort an: evil@example.net\nIm Posteingang: https://evil.example/agent"
    outbox.enqueue("K-1A2B3C4D", {**payload(), "question": spoof}, ("email",))
    deliver_due(outbox, smtp_settings(controller.port))
    [(_rcpt, msg)] = box.messages
    lines = msg.get_content().replace("\r\n", "\n").splitlines()
    assert lines[0] == "Antwort an: kundin@example.com"
    assert "> Antwort an: evil@example.net" in lines and "Antwort an: evil@example.net" not in lines
    assert "> Im Posteingang: https://evil.example/agent" in lines
    assert lines.index("Im Posteingang: https://hilfe.example/agent/inbox/1") < lines.index("> Hallo")


def test_email_without_reply_address_says_so_and_has_no_reply_to(smtp, outbox):
    controller, box = smtp
    outbox.enqueue("K-00000001", payload("K-00000001", reply_to=None), ("email",))
    deliver_due(outbox, smtp_settings(controller.port))
    [(_rcpt, msg)] = box.messages
    assert msg["Reply-To"] is None
    assert "Antwort an: keine Antwortadresse angegeben" in msg.get_content()


def test_smtp_down_then_back_delivers_after_backoff(outbox):
    port = free_port()   # nothing listens yet: connection refused
    t0 = 1_000_000.0
    outbox.enqueue("K-1A2B3C4D", payload(), ("email",), now=t0)
    report = deliver_due(outbox, smtp_settings(port), now=t0)
    assert report.failed == 1 and "refused" in report.errors[0].lower()
    [state] = outbox.states(["K-1A2B3C4D"])["K-1A2B3C4D"]
    assert state.state == "retrying" and state.attempts == 1 and state.next_at == t0 + backoff(1)
    assert deliver_due(outbox, smtp_settings(port), now=t0 + 1).failed == 0   # not due yet: no hammering
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert deliver_due(outbox, smtp_settings(port), now=t0 + backoff(1)).sent == 1
    finally:
        controller.stop()
    assert len(box.messages) == 1
    [state] = outbox.states(["K-1A2B3C4D"])["K-1A2B3C4D"]
    assert state.state == "delivered" and state.attempts == 2 and state.last_error is None


def test_webhook_is_signed_and_the_signature_verifies(receiver, outbox):
    receiver.start()
    outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",))
    assert deliver_due(outbox, webhook_settings(receiver.port)).sent == 1
    [(headers, body)] = receiver.received
    assert headers["Content-Type"].startswith("application/json")
    assert verify(SECRET, headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify("another-secret-of-16+chars", headers[TIMESTAMP_HEADER], body, headers[SIGNATURE_HEADER])
    assert not verify(SECRET, headers[TIMESTAMP_HEADER], body.replace(b"100-2345", b"100-2346"),
                      headers[SIGNATURE_HEADER])
    data = json.loads(body)
    assert data["event"] == "contact_request.created" and data["ref"] == "K-1A2B3C4D"
    assert data["reply_to"] == "kundin@example.com" and data["order_number"] == "100-2345"
    assert data["articles_seen"] == [{"id": "tracking", "title": "Sendung verfolgen",
                                      "url": "https://hilfe.example/articles/tracking"}]


def test_signature_is_hmac_sha256_of_timestamp_and_body_and_old_ones_are_refused():
    import hashlib
    import hmac
    body = b'{"ref": "K-1"}'
    expected = hmac.new(SECRET.encode(), b"1700000000." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, body) == "sha256=" + expected
    assert verify(SECRET, "1700000000", body, "sha256=" + expected, now=1700000100)
    assert not verify(SECRET, "1700000000", body, "sha256=" + expected, now=1700000000 + 301)   # replay
    assert not verify(SECRET, "not a number", body, "sha256=" + expected)


def test_webhook_down_then_back_loses_nothing(receiver, outbox):
    settings = webhook_settings(receiver.port)
    t0 = 2_000_000.0
    outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",), now=t0)
    assert deliver_due(outbox, settings, now=t0).failed == 1          # nobody listens
    receiver.start()
    receiver.status = 503                                             # up, but in maintenance
    report = deliver_due(outbox, settings, now=t0 + backoff(1))
    assert report.failed == 1 and "HTTP 503" in report.errors[0]
    [state] = outbox.states(["K-1A2B3C4D"])["K-1A2B3C4D"]
    assert state.attempts == 2 and state.next_at == t0 + backoff(1) + backoff(2)
    receiver.status = 200
    assert deliver_due(outbox, settings, now=state.next_at).sent == 1
    assert len(receiver.received) == 2 and outbox.pending() == 0


def test_a_failed_webhook_names_its_host_not_its_token(outbox):
    """The error is shown to agents and logged: a token in the address's path, query or
    user stays out of it."""
    port = free_port()  # nothing listens
    settings = HandoffSettings(webhook_url=f"http://hook:s3cr3t-user@127.0.0.1:{port}/hooks/T0KEN-PATH?key=T0KEN-QUERY",
                               webhook_secret=SECRET, timeout=5)
    outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",), now=0)
    report = deliver_due(outbox, settings, now=0)
    assert report.failed == 1 and f"http://127.0.0.1:{port}" in report.errors[0]
    [state] = outbox.states(["K-1A2B3C4D"])["K-1A2B3C4D"]
    for secret in ("T0KEN", "s3cr3t", "/hooks"):
        assert secret not in report.errors[0] and secret not in state.last_error


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_webhook_that_redirects_is_a_failed_delivery_kept_for_later(receiver, outbox, status):
    """An http-to-https redirect or a missing slash: following it would GET the new address
    without the body (the request lost, counted as delivered) and carry the signature there."""
    receiver.start()
    receiver.status = status
    receiver.location = f"http://127.0.0.1:{receiver.port}/internal/admin?token=T0KEN"
    outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",), now=0)
    report = deliver_due(outbox, webhook_settings(receiver.port), now=0)
    assert report.sent == 0 and report.failed == 1 and outbox.pending() == 1
    assert f"HTTP {status}" in report.errors[0] and "redirect" in report.errors[0]
    assert "T0KEN" not in report.errors[0] and "/internal" not in report.errors[0]
    assert receiver.fetched == [] and len(receiver.received) == 1  # nothing followed


def test_smtp_credentials_are_never_sent_unencrypted_over_a_network(tmp_path):
    site = tmp_path / "site.yml"
    site.write_text("helpdesk:\n  smtp_host: mail.example\n  mail_from: a@shop.example\n"
                    "  mail_to: b@shop.example\n  smtp_security: none\n  smtp_user: shop\n")
    with pytest.raises(HandoffConfigError, match="unencrypted"):
        load_handoff_settings(site, {"KB_SMTP_PASSWORD": "pw"})
    for local in ("localhost", "127.0.0.1", "::1"):  # a relay on this machine
        assert load_handoff_settings(site, {"KB_SMTP_HOST": local}).smtp_user == "shop"
    assert load_handoff_settings(site, {"KB_SMTP_SECURITY": "starttls"}).smtp_user == "shop"


def test_backoff_doubles_up_to_one_hour():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(50) == outbox_module.MAX_DELAY_S == 3600


def test_a_claimed_row_is_not_sent_twice_at_once(outbox):
    outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",), now=10.0)
    assert outbox.claim_next(now=10.0).ref == "K-1A2B3C4D"
    assert outbox.claim_next(now=11.0) is None                            # the other deliverer skips it
    assert outbox.claim_next(now=10.0 + outbox_module.LEASE_S) is not None   # a crashed deliverer's row comes back


def test_enqueue_twice_adds_nothing(outbox):
    assert outbox.enqueue("K-1A2B3C4D", payload(), ("email", "webhook")) == 2
    assert outbox.enqueue("K-1A2B3C4D", payload(), ("email", "webhook")) == 0


def test_worker_thread_delivers_when_woken(receiver, tmp_path):
    receiver.start()
    store = Store(tmp_path / "kb.sqlite3")
    worker = DeliveryWorker(store, webhook_settings(receiver.port), poll_s=60).start()
    try:
        Outbox(store).enqueue("K-1A2B3C4D", payload(), ("webhook",))
        worker.wake()
        for _ in range(100):
            if receiver.received:
                break
            threading.Event().wait(0.05)
    finally:
        worker.stop()
    assert len(receiver.received) == 1


def test_settings_from_site_file_and_environment(tmp_path):
    site = tmp_path / "site.yml"
    site.write_text("helpdesk:\n  smtp_host: mail.example\n  mail_from: a@shop.example\n"
                    "  mail_to: b@shop.example\n  smtp_security: tls\n")
    s = load_handoff_settings(site, {"KB_WEBHOOK_URL": "https://desk.example/hook", "KB_WEBHOOK_SECRET": SECRET})
    assert s.channels == ("email", "webhook") and s.port == 465
    assert load_handoff_settings(tmp_path / "missing.yml", {}).channels == ()
    with pytest.raises(HandoffConfigError, match="webhook_secret"):
        load_handoff_settings(site, {"KB_WEBHOOK_URL": "https://desk.example/hook", "KB_WEBHOOK_SECRET": "short"})
    with pytest.raises(HandoffConfigError, match="smtp_security"):
        load_handoff_settings(site, {"KB_SMTP_SECURITY": "ssl3"})
    site.write_text("helpdesk:\n  smtp_hots: typo\n")
    with pytest.raises(HandoffConfigError, match="smtp_hots"):
        load_handoff_settings(site, {})


def test_kb_outbox_deliver_for_cron(tmp_path, receiver, monkeypatch):
    from click.testing import CliRunner

    from kb.cli import main
    store = Store(tmp_path / "instance" / "kb.sqlite3")
    Outbox(store).enqueue("K-1A2B3C4D", payload(), ("webhook",), now=0)
    monkeypatch.setenv("KB_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("KB_SITE", str(tmp_path / "no-site.yml"))
    monkeypatch.setenv("KB_WEBHOOK_URL", f"http://127.0.0.1:{receiver.port}/hook")
    monkeypatch.setenv("KB_WEBHOOK_SECRET", SECRET)
    down = CliRunner().invoke(main, ["outbox", "deliver"])
    assert down.exit_code == 1 and "0 delivered, 1 failed (retried later), 1 waiting" in down.output
    receiver.start()
    with store.transaction() as db:   # skip the backoff wait
        db.execute("UPDATE handoff_outbox SET next_at = 0")
    up = CliRunner().invoke(main, ["outbox", "deliver"])
    assert up.exit_code == 0 and "1 delivered, 0 failed (retried later), 0 waiting" in up.output
    assert len(receiver.received) == 1
    monkeypatch.delenv("KB_WEBHOOK_URL")
    none = CliRunner().invoke(main, ["outbox", "deliver"])
    assert none.exit_code == 1 and "no helpdesk configured" in none.output


@pytest.mark.skipif(not __import__("shutil").which("openssl"), reason="needs the openssl command")
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_email_over_starttls_and_tls_checks_the_certificate(tmp_path, outbox, security):
    import ssl
    import subprocess
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    box = Mailbox()
    options = {"require_starttls": True, "tls_context": tls} if security == "starttls" else {"ssl_context": tls}
    controller = Controller(box, hostname="127.0.0.1", port=free_port(), **options)
    controller.start()
    try:
        settings = HandoffSettings(smtp_host="127.0.0.1", smtp_port=controller.port, smtp_security=security,
                                   mail_from="hilfe@shop.example", mail_to="support@shop.example", timeout=5)
        outbox.enqueue("K-1A2B3C4D", payload(), ("email",), now=0)
        refused = deliver_due(outbox, settings, now=0)        # a certificate nobody vouches for: refused
        assert refused.failed == 1 and "certificate" in refused.errors[0].lower()
        trusted = dataclasses.replace(settings, smtp_ca_file=str(cert))
        assert deliver_due(outbox, trusted, now=10_000).sent == 1
    finally:
        controller.stop()
    assert len(box.messages) == 1


# A send's deadline, scaled down like the timeout: a receiver drips its answer a byte every
# DRIP_S, well within the timeout, so only the deadline ends the wait.
TIMEOUT_S = 0.5
DRIP_S = 0.1
DEADLINE_WAITS = 4            # the deadline: 4 timeouts (production: outbox.SEND_WAITS, 10)
DEADLINE_S = DEADLINE_WAITS * TIMEOUT_S
LATE_S = 1.5                  # a send ends this soon after its deadline, on a busy machine too
TOO_SLOW = f"helpdesk answered too slowly: no complete answer within {DEADLINE_S:g} s"


@pytest.fixture()
def short_deadline(monkeypatch):
    monkeypatch.setattr(outbox_module, "SEND_WAITS", DEADLINE_WAITS)
    assert outbox_module.send_deadline(TIMEOUT_S) == DEADLINE_S < outbox_module.lease_for(TIMEOUT_S)


def timed_pass(outbox, settings):
    start = time.monotonic()
    report = deliver_due(outbox, settings)
    return report, time.monotonic() - start


def assert_failed_at_the_deadline(outbox, report, took):
    assert (report.sent, report.failed) == (0, 1) and TOO_SLOW in report.errors[0], report.errors
    assert DEADLINE_S - 0.05 <= took < DEADLINE_S + LATE_S
    [state] = outbox.states(["K-1A2B3C4D"])["K-1A2B3C4D"]
    assert (state.state, state.attempts, state.sent_at) == ("retrying", 1, None)
    assert TOO_SLOW in state.last_error and outbox.pending() == 1


def test_each_network_wait_is_cut_to_the_time_the_deadline_leaves():
    """A server silent just before the deadline is waited for until the deadline, not a whole
    timeout past it: the send ends before its lease by construction, not by a timeout's length."""
    from kb.ops.handoff.channels import Deadline, SendTooSlow
    deadline = Deadline(timeout=60.0)
    assert deadline.seconds == outbox_module.send_deadline(60.0) and deadline.wait() == 60.0
    assert not deadline.passed
    nearly = Deadline(timeout=60.0, seconds=0.5)
    assert 0 < nearly.wait() <= 0.5
    over = Deadline(timeout=60.0, seconds=0.0)
    assert over.passed
    with pytest.raises(SendTooSlow, match="no complete answer within 0 s"):
        over.wait()


@pytest.fixture()
def https_desk_tls(tmp_path, monkeypatch):
    """A server context for 127.0.0.1 with a self-signed certificate, and that certificate
    trusted by the webhook's default context (SSL_CERT_FILE: its CA file)."""
    import shutil
    import ssl
    import subprocess
    if not shutil.which("openssl"):
        pytest.skip("needs the openssl command")
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                    "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert, key)
    return tls


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_a_webhook_that_drips_its_answer_fails_at_the_deadline(outbox, short_deadline, scheme, request):
    """Status line and headers a byte every DRIP_S: each read is within the timeout, the
    answer is never complete; the send ends at the deadline, well before the lease."""
    tls = request.getfixturevalue("https_desk_tls") if scheme == "https" else None
    desk = DripServer(b"", b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nX-Thinking: " + b"." * 300 + b"\r\n\r\n",
                      DRIP_S, tls=tls)
    settings = HandoffSettings(webhook_url=f"{scheme}://127.0.0.1:{desk.port}/hook", webhook_secret=SECRET,
                               timeout=TIMEOUT_S)
    try:
        outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",))
        report, took = timed_pass(outbox, settings)
    finally:
        desk.stop()
    assert len(desk.received) == 1
    assert_failed_at_the_deadline(outbox, report, took)
    assert report.errors[0].startswith(f"K-1A2B3C4D (webhook): webhook {scheme}://127.0.0.1:{desk.port}: ")


def test_a_webhook_over_https_checks_the_certificate(outbox, https_desk_tls, monkeypatch):
    desk = DripServer(b"HTTP/1.1 204 No Content\r\n\r\n", b"", 0, tls=https_desk_tls)
    settings = HandoffSettings(webhook_url=f"https://127.0.0.1:{desk.port}/hook", webhook_secret=SECRET, timeout=5)
    trusted = __import__("os").environ["SSL_CERT_FILE"]
    try:
        outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",), now=0)
        monkeypatch.delenv("SSL_CERT_FILE")          # a certificate nobody vouches for: refused
        refused = deliver_due(outbox, settings, now=0)
        assert refused.failed == 1 and "certificate" in refused.errors[0].lower()
        monkeypatch.setenv("SSL_CERT_FILE", trusted)
        assert deliver_due(outbox, settings, now=10_000).sent == 1
    finally:
        desk.stop()
    assert len(desk.received) == 1 and outbox.pending() == 0


def test_a_webhook_whose_body_drips_after_a_2xx_is_delivered_at_the_deadline(outbox, short_deadline):
    """The status is the helpdesk's answer: a body still dripping at the deadline is not waited
    for, and not taken for a failure (a retry would hand the request off twice)."""
    desk = DripServer(b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n", b"." * 300, DRIP_S)
    try:
        outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",))
        report, took = timed_pass(outbox, dataclasses.replace(webhook_settings(desk.port), timeout=TIMEOUT_S))
    finally:
        desk.stop()
    assert (report.sent, report.failed) == (1, 0) and outbox.pending() == 0
    assert DEADLINE_S - 0.05 <= took < DEADLINE_S + LATE_S
    assert len(desk.received) == 1


def test_a_webhook_answer_that_is_not_http_is_a_failed_delivery(outbox):
    """Not an exception out of the pass (which ended the delivery thread of ``kb serve``)."""
    desk = DripServer(b"garbage\r\n\r\n", b"", 0)
    try:
        outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",))
        report = deliver_due(outbox, webhook_settings(desk.port))
    finally:
        desk.stop()
    assert report.failed == 1 and f"webhook http://127.0.0.1:{desk.port}: " in report.errors[0]
    assert outbox.pending() == 1


def test_a_senders_unexpected_exception_is_a_failed_delivery_retried_later(outbox, monkeypatch):
    """smtplib raises UnicodeEncodeError for a password it cannot encode: that row failed (and
    waits for its next try), it is not left claimed, and the pass goes on to the next row."""
    from kb.ops.handoff import worker as worker_module

    def broken(settings, payload, deadline):
        raise UnicodeEncodeError("ascii", "Passwört", 6, 7, "ordinal not in range(128)")
    monkeypatch.setitem(worker_module.SENDERS, "webhook", broken)
    outbox.enqueue("K-1A2B3C4D", payload(), ("webhook",))
    report = deliver_due(outbox, webhook_settings(9))
    assert report.failed == 1 and "unexpected error: UnicodeEncodeError" in report.errors[0]
    assert outbox.pending() == 1


def test_the_worker_thread_outlives_a_pass_that_raises(tmp_path, monkeypatch):
    from kb.ops.handoff import worker as worker_module
    calls = []

    def failing_pass(outbox, settings):
        calls.append(1)
        raise RuntimeError("a bug in one pass")
    monkeypatch.setattr(worker_module, "deliver_due", failing_pass)
    worker = DeliveryWorker(Store(tmp_path / "kb.sqlite3"), webhook_settings(9), poll_s=60).start()
    try:
        for _ in range(2):
            seen = len(calls)
            worker.wake()
            for _ in range(100):
                if len(calls) > seen:
                    break
                threading.Event().wait(0.02)
        assert len(calls) >= 2 and worker._thread.is_alive()
    finally:
        worker.stop()


class DripSMTP:
    """An SMTP server for one connection that answers each command at once until ``drip_from``
    (greeting, message: its answer after the data, or quit), and from there drips each answer
    a byte every ``interval`` seconds, each one padded to take longer than any deadline here."""

    PAD = b" " + b"." * 300

    def __init__(self, drip_from: str, interval: float):
        self.drip_from, self.interval = drip_from, interval
        self.got_message = threading.Event()
        self._stop = threading.Event()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        self._listener.close()
        self._thread.join(10)

    def _serve(self):
        try:
            conn, _ = self._listener.accept()
        except OSError:
            return
        with conn:
            conn.settimeout(10)
            lines = conn.makefile("rb")
            dripping = self.drip_from == "greeting"
            try:
                self._answer(conn, b"220 slow.example ESMTP", dripping)
                while line := lines.readline():
                    command = line[:4].upper()
                    if command == b"QUIT":
                        self._answer(conn, b"221 bye", dripping or self.drip_from == "quit")
                        return
                    if command == b"DATA":
                        self._answer(conn, b"354 go ahead", dripping)
                        while lines.readline() not in (b".\r\n", b""):
                            pass
                        self.got_message.set()
                        dripping = dripping or self.drip_from == "message"
                        self._answer(conn, b"250 queued", dripping)
                    else:
                        self._answer(conn, b"250 ok", dripping)
            except OSError:
                pass   # the client gave up

    def _answer(self, conn, line: bytes, drip: bool):
        if not drip:
            conn.sendall(line + b"\r\n")
            return
        for byte in line + self.PAD + b"\r\n":
            if self._stop.wait(self.interval):
                return
            conn.sendall(bytes([byte]))


@pytest.mark.parametrize("drip_from", ["greeting", "message"])
def test_an_smtp_server_that_drips_its_answers_fails_at_the_deadline(outbox, short_deadline, drip_from):
    """From the greeting on, or only its answer to the message: either way the send ends at the
    deadline, and the hand-off is retried later (the helpdesk drops a second copy by ref)."""
    server = DripSMTP(drip_from, DRIP_S)
    try:
        outbox.enqueue("K-1A2B3C4D", payload(), ("email",))
        report, took = timed_pass(outbox, dataclasses.replace(smtp_settings(server.port), timeout=TIMEOUT_S))
    finally:
        server.stop()
    assert server.got_message.is_set() == (drip_from == "message")
    assert_failed_at_the_deadline(outbox, report, took)
    assert report.errors[0].startswith(f"K-1A2B3C4D (email): SMTP 127.0.0.1:{server.port}: ")


def test_an_smtp_answer_to_quit_that_never_comes_does_not_undo_the_delivery(outbox, short_deadline):
    """The message is the server's once it answered the data: QUIT is not waited for past the deadline."""
    server = DripSMTP("quit", DRIP_S)
    try:
        outbox.enqueue("K-1A2B3C4D", payload(), ("email",))
        report, took = timed_pass(outbox, dataclasses.replace(smtp_settings(server.port), timeout=TIMEOUT_S))
    finally:
        server.stop()
    assert server.got_message.is_set() and (report.sent, report.failed) == (1, 0) and outbox.pending() == 0
    assert DEADLINE_S - 0.05 <= took < DEADLINE_S + LATE_S
