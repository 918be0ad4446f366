"""Sending one payload: e-mail over SMTP (STARTTLS, TLS or plain for a local relay), or a signed POST.

Every send ends within its :class:`Deadline` (:func:`~kb.ops.handoff.outbox.send_deadline`
of the configured ``timeout``), shorter than the lease on its outbox row: each network wait
(connecting, the TLS handshake, sending a command or the body, each read of the answer) waits
at most ``timeout`` and never past the deadline, so a receiver that drips its answer a byte at
a time, or an SMTP server that answers each command just within ``timeout``, makes the send
fail at the deadline ("answered too slowly") instead of outlasting the lease, after which
another deliverer would send it again. No thread is started: the socket's own timeout is
shortened before each wait. Resolving the host name, at the start of a send, is the one wait
no socket timeout bounds: it counts against the deadline, and the resolver's own timeouts end it.
"""

from __future__ import annotations

import functools
import http.client
import io
import smtplib
import socket
import ssl
import sys
import time
import urllib.error
import urllib.request

from kb.config import shown_address
from kb.ops.handoff.outbox import send_deadline
from kb.ops.handoff.payload import (SIGNATURE_HEADER, TIMESTAMP_HEADER, email_message, sign,
                                    webhook_body)
from kb.ops.handoff.settings import HandoffSettings

USER_AGENT = "kb-helpdesk-handoff/1"
REDIRECTS = (301, 302, 303, 307, 308)
BODY_READ = 1024   # bytes of a webhook's answer read after its status (the status is the answer)
# Data goes out in pieces of at most one TLS record, each armed anew: a socket's timeout bounds
# one wait, and an encrypted sendall waits once per record, so a whole body sent at once could
# take a timeout per record
SEND_CHUNK = 16 * 1024


class DeliveryError(RuntimeError):
    """The helpdesk did not take the payload; the outbox tries again later."""


class SendTooSlow(TimeoutError):
    """A network wait of a send was due after the send's deadline had passed."""


class Deadline:
    """When one send must have ended: ``seconds`` (default :func:`send_deadline` of ``timeout``)
    from now. The deliverer starts it just before it claims the row, where the row's lease
    starts too, so the send ends before the lease does (:func:`~kb.ops.handoff.outbox.lease_for`)."""

    SLACK_S = 0.01   # a wait that ends this close to the deadline ended at it

    def __init__(self, timeout: float, seconds: float | None = None) -> None:
        self.timeout = timeout
        self.seconds = send_deadline(timeout) if seconds is None else seconds
        self.end = time.monotonic() + self.seconds

    def wait(self) -> float:
        """The timeout of the next network wait: ``timeout``, or the time left when that is
        shorter; :class:`SendTooSlow` when no time is left."""
        left = self.end - time.monotonic()
        if left <= 0:
            raise SendTooSlow(self.message)
        return min(self.timeout, left)

    def arm(self, sock: socket.socket) -> None:
        """Set the socket's timeout for its next wait (a send or receive): :meth:`wait`."""
        sock.settimeout(self.wait())

    @property
    def passed(self) -> bool:
        """Whether the deadline passed: a send that failed now failed for being too slow."""
        return time.monotonic() >= self.end - self.SLACK_S

    @property
    def message(self) -> str:
        return f"helpdesk answered too slowly: no complete answer within {self.seconds:g} s"

    def reader(self, sock: socket.socket) -> io.BufferedReader:
        """``sock.makefile("rb")`` whose every read from the socket is armed first: reading a
        line that a server drips a byte at a time ends at the deadline, not a timeout per byte."""
        return io.BufferedReader(_ArmedReader(sock, self))


class _ArmedReader(io.RawIOBase):
    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        self._sock, self._deadline = sock, deadline
        self._raw = sock.makefile("rb", buffering=0)   # keeps the socket open while the answer is read

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int | None:
        self._deadline.arm(self._sock)
        return self._raw.readinto(buffer)

    def fileno(self) -> int:
        return self._raw.fileno()

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _ArmedContext:
    """An SSL context whose handshakes end by the deadline: the socket is armed before each one
    (Python bounds a whole handshake by the socket's timeout). Anything else is the context's."""

    def __init__(self, context: ssl.SSLContext, deadline: Deadline) -> None:
        self._context, self._deadline = context, deadline

    def wrap_socket(self, sock: socket.socket, *args, **kwargs) -> ssl.SSLSocket:
        self._deadline.arm(sock)
        return self._context.wrap_socket(sock, *args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self._context, name)


def _send_armed(sock: socket.socket, data: bytes, deadline: Deadline) -> None:
    """``sock.sendall(data)`` in pieces of ``SEND_CHUNK``, each with the time the deadline leaves."""
    view = memoryview(data)
    for start in range(0, len(view), SEND_CHUNK):
        deadline.arm(sock)
        sock.sendall(view[start:start + SEND_CHUNK])


class _ArmedSMTP(smtplib.SMTP):
    """SMTP whose every wait ends by the deadline: connecting (a TLS handshake: through an
    :class:`_ArmedContext`), sending each command and the message, reading each reply."""

    def __init__(self, host: str, port: int, deadline: Deadline, **kwargs) -> None:
        self._deadline = deadline
        super().__init__(host, port, **kwargs)   # connects and reads the greeting

    def _get_socket(self, host, port, timeout):
        return super()._get_socket(host, port, self._deadline.wait())

    def send(self, s) -> None:
        if not self.sock:
            return super().send(s)   # raises SMTPServerDisconnected, as smtplib does
        data = s.encode(self.command_encoding) if isinstance(s, str) else s
        sys.audit("smtplib.send", self, data)   # as smtplib's own send raises its audit event
        try:
            _send_armed(self.sock, data, self._deadline)
        except OSError as exc:
            self.close()
            raise smtplib.SMTPServerDisconnected(f"Server not connected: {exc}") from exc

    def getreply(self):
        if self.file is None and self.sock:   # a new connection, or one just switched to TLS
            self.file = self._deadline.reader(self.sock)
        return super().getreply()


class _ArmedSMTP_SSL(_ArmedSMTP, smtplib.SMTP_SSL):
    pass


def _quit(smtp: smtplib.SMTP) -> None:
    """QUIT as far as the deadline allows, then close. The message is the server's once it
    answered the data with 250: a QUIT that fails or comes too late does not undo that, and
    counting it a failure would send the message again."""
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def send_email(settings: HandoffSettings, payload: dict, deadline: Deadline | None = None) -> None:
    deadline = Deadline(settings.timeout) if deadline is None else deadline
    msg = email_message(payload, settings.mail_from, settings.mail_to)
    # certificate and host name checked
    context = _ArmedContext(ssl.create_default_context(cafile=settings.smtp_ca_file), deadline)
    smtp = None
    try:
        if settings.smtp_security == "tls":
            smtp = _ArmedSMTP_SSL(settings.smtp_host, settings.port, deadline, timeout=settings.timeout,
                                  context=context)
        else:
            smtp = _ArmedSMTP(settings.smtp_host, settings.port, deadline, timeout=settings.timeout)
        if settings.smtp_security == "starttls":
            smtp.starttls(context=context)
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        reason = deadline.message if deadline.passed else exc
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.port}: {reason}") from exc
    finally:
        if smtp is not None:
            _quit(smtp)


class _RedirectRefused(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: urllib would follow it with a GET without the body
    (the request lost, reported as delivered) and send the signature to the new address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises the 3xx as an HTTPError


class _ArmedResponse(http.client.HTTPResponse):
    """An HTTP answer (also a proxy's answer to CONNECT) read through :meth:`Deadline.reader`."""

    def __init__(self, sock, *args, deadline: Deadline, **kwargs) -> None:
        super().__init__(sock, *args, **kwargs)
        self.fp.close()   # http.client's own makefile(), nothing read from it yet
        self.fp = deadline.reader(sock)


class _ArmedHTTPConnection(http.client.HTTPConnection):
    """An HTTP connection whose every wait ends by the deadline: connecting, sending the request,
    reading the status line, each header and the body (a proxy tunnel's too)."""

    def __init__(self, *args, deadline: Deadline, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline
        self.response_class = functools.partial(_ArmedResponse, deadline=deadline)

    def connect(self) -> None:
        self.timeout = self._deadline.wait()
        super().connect()

    def send(self, data) -> None:
        if self.sock is None and self.auto_open:
            self.connect()
        if self.sock is not None and isinstance(data, (bytes, bytearray)):
            _send_armed(self.sock, data, self._deadline)
        else:   # nothing connected (http.client says so), or a body that is not bytes
            super().send(data)


class _ArmedHTTPSConnection(_ArmedHTTPConnection, http.client.HTTPSConnection):
    def __init__(self, *args, deadline: Deadline, **kwargs) -> None:
        super().__init__(*args, deadline=deadline, **kwargs)
        self._context = _ArmedContext(self._context, deadline)   # the handshake after connecting


class _ArmedHandler(urllib.request.HTTPHandler, urllib.request.HTTPSHandler):
    """Both schemes' connections, armed with one deadline (being both, it replaces both of
    urllib's default handlers)."""

    def __init__(self, deadline: Deadline) -> None:
        super().__init__()
        self._deadline = deadline

    def http_open(self, req):
        return self.do_open(functools.partial(_ArmedHTTPConnection, deadline=self._deadline), req)

    def https_open(self, req):
        return self.do_open(functools.partial(_ArmedHTTPSConnection, deadline=self._deadline), req)


def _opener(deadline: Deadline) -> urllib.request.OpenerDirector:
    """urllib with proxies from the environment, redirects refused (see _RedirectRefused) and
    every connection armed with the send's deadline."""
    return urllib.request.build_opener(_RedirectRefused, _ArmedHandler(deadline))


def post_webhook(settings: HandoffSettings, payload: dict, now: float | None = None,
                 deadline: Deadline | None = None) -> None:
    deadline = Deadline(settings.timeout) if deadline is None else deadline
    body = webhook_body(payload)
    timestamp = int(time.time() if now is None else now)
    request = urllib.request.Request(settings.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(settings.webhook_secret, timestamp, body),
        "X-KB-Ref": payload["ref"]})
    where = shown_address(settings.webhook_url, with_path=False)
    try:
        response = _opener(deadline).open(request, timeout=settings.timeout)
    except urllib.error.HTTPError as exc:
        if exc.code in REDIRECTS:
            target = shown_address(exc.headers.get("Location") or "?", with_path=False)
            raise DeliveryError(f"webhook answered HTTP {exc.code}, a redirect to {target}: "
                                "configure the address it redirects to") from exc
        raise DeliveryError(f"webhook answered HTTP {exc.code}") from exc
    except (OSError, http.client.HTTPException) as exc:   # URLError is an OSError; HTTPException: no HTTP answer
        reason = deadline.message if deadline.passed else getattr(exc, "reason", exc)
        raise DeliveryError(f"webhook {where}: {reason}") from exc
    with response:   # a 2xx status and its headers: the helpdesk took it
        try:
            response.read(BODY_READ)
        except (OSError, http.client.HTTPException):
            pass   # a body cut short, or still dripping at the deadline, takes nothing back


SENDERS = {"email": send_email, "webhook": post_webhook}
