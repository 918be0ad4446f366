"""The web side of the helpdesk hand-off: settings at start, a queued delivery per contact request.

The portal calls :func:`hand_off` right after a request is stored; the
worker thread (started by ``kb serve`` through :func:`start_worker`) or
``kb outbox deliver`` sends it. Tests and ``kb serve`` without helpdesk
settings queue nothing.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask, current_app, url_for

from kb.ops.contact_details import ContactDetails
from kb.ops.database import StoreUnavailable
from kb.ops.handoff.outbox import Outbox
from kb.ops.handoff.payload import build_payload
from kb.ops.handoff.settings import load_handoff_settings
from kb.ops.handoff.worker import DeliveryWorker
from kb.web.present import article_url, public_url


def init_app(app: Flask) -> None:
    """Read the helpdesk settings (a broken setting stops the start, with a clear message)."""
    settings = app.config.get("HANDOFF") or load_handoff_settings(Path(app.config["KB_SITE"]))
    app.extensions["kb.handoff"] = settings
    app.extensions["kb.outbox"] = Outbox(app.extensions["kb.store"])
    # what the helpdesk and the inbox get besides the question (order number, reply choice)
    app.extensions["kb.contact_details"] = ContactDetails(app.extensions["kb.store"])


def start_worker(app: Flask) -> DeliveryWorker | None:
    settings = app.extensions["kb.handoff"]
    if not settings.channels:
        return None
    worker = DeliveryWorker(app.extensions["kb.store"], settings).start()
    app.extensions["kb.handoff_worker"] = worker
    return worker


def hand_off(ref: str, *, lang: str | None, reply_to: str | None, order_number: str | None,
             search: str | None, seen: list[dict]) -> None:
    """Queue the request for the helpdesk; the request itself is already stored, whatever happens here."""
    settings = current_app.extensions["kb.handoff"]
    if not settings.channels:
        return
    store = current_app.extensions["kb.store"]
    try:
        row = store.query("SELECT id, at, question FROM contact_requests WHERE ref = ?", (ref,))[0]
        payload = build_payload(
            ref=ref, received_at=row["at"], lang=lang, question=row["question"], reply_to=reply_to,
            order_number=order_number, search=search,
            articles_seen=[{"id": a["id"], "title": a["title"],
                            "url": article_url(a["id"], external=True)} for a in seen],
            # on the configured address, never the request's Host header: a customer could
            # otherwise put links to any site into the tickets agents open
            agent_url=public_url(url_for("agent.inbox_item", request_id=row["id"])))
        current_app.extensions["kb.outbox"].enqueue(ref, payload, settings.channels)
    except StoreUnavailable as exc:
        current_app.logger.error("contact request %s stored but not queued for the helpdesk: %s", ref, exc)
        return
    worker = current_app.extensions.get("kb.handoff_worker")
    if worker is not None:
        worker.wake()
