"""What the helpdesk receives: one JSON payload per contact request, as a webhook body or an e-mail.

The payload is built once, when the request is stored, and kept in the
outbox: a retry hours later sends the same bytes, and the titles are those
the customer saw. Webhook payload (``Content-Type: application/json``)::

    {"event": "contact_request.created", "ref": "K-1A2B3C4D",
     "received_at": "2026-12-02T08:31Z",        # UTC
     "lang": "de", "question": "…",              # as stored: PII in the text is masked
     "reply_to": "kunde@example.com" | null,     # null: the customer gave no reply address
     "order_number": "100-2345, 100-2346" | null,  # typed, then the question's (kb/ops/contact_details.py)
     "search": "wo ist mein paket" | null,       # the search the request came from
     "articles_seen": [{"id": "tracking", "title": "…", "url": "https://…"}],
     "agent_url": "https://…/agent/inbox/17" | null}

Signed with HMAC-SHA256 over ``"<X-KB-Timestamp>.<body>"`` (see :func:`sign`):
receivers check the signature and the timestamp and drop duplicates by ``ref``
(delivery is at-least-once).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from email.message import EmailMessage

EVENT = "contact_request.created"
SIGNATURE_HEADER = "X-KB-Signature"
TIMESTAMP_HEADER = "X-KB-Timestamp"
SIGNATURE_TOLERANCE_S = 300   # a receiver rejects signatures older than this (replays)
SUBJECT_CHARS = 70

LABELS = {
    "de": {"subject": "Kontaktanfrage", "question": "Frage", "reply": "Antwort an",
           "no_reply": "keine Antwortadresse angegeben", "order": "Bestellnummer", "search": "Gesucht nach",
           "seen": "Diese Artikel hat die Kundin / der Kunde gesehen", "none": "keine", "agent": "Im Posteingang",
           "received": "Eingegangen (UTC)"},
    "en": {"subject": "Contact request", "question": "Question", "reply": "Reply to",
           "no_reply": "no reply address given", "order": "Order number", "search": "Searched for",
           "seen": "Articles the customer saw", "none": "none", "agent": "In the inbox",
           "received": "Received (UTC)"},
}


def build_payload(*, ref: str, received_at: str, lang: str | None, question: str, reply_to: str | None,
                  order_number: str | None, search: str | None, articles_seen: list[dict],
                  agent_url: str | None) -> dict:
    return {"event": EVENT, "ref": ref, "received_at": received_at, "lang": lang, "question": question,
            "reply_to": reply_to, "order_number": order_number, "search": search,
            "articles_seen": [{"id": a["id"], "title": a["title"], "url": a.get("url")} for a in articles_seen],
            "agent_url": agent_url}


def webhook_body(payload: dict) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of HMAC-SHA256(secret, "<timestamp>." + body)."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float | None = None) -> bool:
    """What a receiver does: a fresh timestamp and a signature that matches, compared in constant time."""
    try:
        ts = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs((time.time() if now is None else now) - ts) > SIGNATURE_TOLERANCE_S:
        return False
    return hmac.compare_digest(sign(secret, ts, body), signature or "")


def email_message(payload: dict, mail_from: str, mail_to: str) -> EmailMessage:
    """A plain-text e-mail in the request's language; Reply-To is the customer, so "reply" answers them."""
    words = LABELS["en" if payload.get("lang") == "en" else "de"]
    msg = EmailMessage()
    first_line = " ".join(payload["question"].split())
    if len(first_line) > SUBJECT_CHARS:
        first_line = first_line[:SUBJECT_CHARS - 1].rstrip() + "…"
    msg["Subject"] = f"[{payload['ref']}] {words['subject']}: {first_line}"
    msg["From"] = mail_from
    msg["To"] = mail_to
    if payload.get("reply_to"):
        msg["Reply-To"] = payload["reply_to"]
    # the same id on every retry: the helpdesk drops a second copy of an at-least-once delivery
    msg["Message-ID"] = f"<{payload['ref']}.contact-request@{mail_from.rpartition('@')[2] or 'kb.invalid'}>"
    msg["X-KB-Ref"] = payload["ref"]
    msg.set_content(_email_text(payload, words))
    return msg


def _email_text(payload: dict, words: dict) -> str:
    """The system's lines first, then the customer's text quoted line by line: text the
    customer typed can never pass for a reply address or an inbox link."""
    seen = [f"- {a['title']}" + (f"\n  {a['url']}" if a.get("url") else "") for a in payload["articles_seen"]]
    lines = [
        f"{words['reply']}: {payload.get('reply_to') or words['no_reply']}",
        f"{words['order']}: {payload.get('order_number') or '—'}",
        f"{words['search']}: {payload.get('search') or '—'}",
        f"{words['received']}: {payload['received_at']}",
    ]
    if payload.get("agent_url"):
        lines.append(f"{words['agent']}: {payload['agent_url']}")
    lines += ["", f"{words['seen']}:", *(seen or [f"- {words['none']}"]), "",
              f"{words['question']}:", *(f"> {line}".rstrip() for line in payload["question"].splitlines() or [""])]
    return "\n".join(lines) + "\n"
