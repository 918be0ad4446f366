"""Health checks for the operator and the load balancer."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify

from kb.ops.database import StoreUnavailable

bp = Blueprint("ops", __name__)


@bp.get("/healthz")
def healthz():
    """The process is up and answering."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz():
    """Ready to answer customers: an index is loaded; the database state is reported too."""
    live = current_app.extensions["kb.live"]
    loaded = live.current
    body = {"index": {"build": loaded.build.name, "articles": loaded.engine.index.n_articles,
                      "models": current_app.config["KB_MODELS"]}}
    if live.error:
        body["index"]["problem"] = live.error
    try:
        current_app.extensions["kb.store"].query("SELECT 1")
        body["database"] = "ok"
    except StoreUnavailable as exc:
        body["database"] = str(exc)
    body["status"] = "ready" if body["database"] == "ok" and not live.error else "degraded"
    return jsonify(body), 200
