"""Sending one payload: e-mail over SMTP (STARTTLS, TLS or plain for a local relay), or a signed POST."""

from __future__ import annotations

import smtplib
import ssl
import time
import urllib.error
import urllib.request

from kb.config import shown_address
from kb.ops.handoff.payload import (SIGNATURE_HEADER, TIMESTAMP_HEADER, email_message, sign,
                                    webhook_body)
from kb.ops.handoff.settings import HandoffSettings

USER_AGENT = "kb-helpdesk-handoff/1"
REDIRECTS = (301, 302, 303, 307, 308)


class DeliveryError(RuntimeError):
    """The helpdesk did not take the payload; the outbox tries again later."""


def send_email(settings: HandoffSettings, payload: dict) -> None:
    msg = email_message(payload, settings.mail_from, settings.mail_to)
    context = ssl.create_default_context(cafile=settings.smtp_ca_file)   # certificate and host name checked
    try:
        if settings.smtp_security == "tls":
            smtp = smtplib.SMTP_SSL(settings.smtp_host, settings.port, timeout=settings.timeout, context=context)
        else:
            smtp = smtplib.SMTP(settings.smtp_host, settings.port, timeout=settings.timeout)
        with smtp:
            if settings.smtp_security == "starttls":
                smtp.starttls(context=context)
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(msg)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"SMTP {settings.smtp_host}:{settings.port}: {exc}") from exc


class _RedirectRefused(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: urllib would follow it with a GET without the body
    (the request lost, reported as delivered) and send the signature to the new address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None  # urllib then raises the 3xx as an HTTPError


_OPENER = urllib.request.build_opener(_RedirectRefused)


def post_webhook(settings: HandoffSettings, payload: dict, now: float | None = None) -> None:
    body = webhook_body(payload)
    timestamp = int(time.time() if now is None else now)
    request = urllib.request.Request(settings.webhook_url, data=body, method="POST", headers={
        "Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT,
        TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: sign(settings.webhook_secret, timestamp, body),
        "X-KB-Ref": payload["ref"]})
    try:
        with _OPENER.open(request, timeout=settings.timeout) as response:
            response.read(1024)
    except urllib.error.HTTPError as exc:
        if exc.code in REDIRECTS:
            target = shown_address(exc.headers.get("Location") or "?", with_path=False)
            raise DeliveryError(f"webhook answered HTTP {exc.code}, a redirect to {target}: "
                                "configure the address it redirects to") from exc
        raise DeliveryError(f"webhook answered HTTP {exc.code}") from exc
    except (OSError, urllib.error.URLError) as exc:
        where = shown_address(settings.webhook_url, with_path=False)
        raise DeliveryError(f"webhook {where}: {getattr(exc, 'reason', exc)}") from exc


SENDERS = {"email": send_email, "webhook": post_webhook}
