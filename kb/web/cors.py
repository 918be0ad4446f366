"""The public JSON API for the shop's own pages on other origins (``KB_CORS_ORIGINS``).

A search box or help widget on the shop's pages (https://www.shop.example) calls the
help centre's API (https://hilfe.shop.example): another origin, which browsers block
unless the API names it. Only the origins listed are named; answers carry no
credentials (no cookies, no ``Authorization``), so such a widget searches, votes and
writes contact requests as an anonymous customer, as the portal's own pages do, and
staff sessions never ride on it.
"""

from __future__ import annotations

import os
from urllib.parse import urlsplit

from flask import current_app, request

from kb.web.deployment import ConfigurationError

API_PREFIX = "/api/"
ALLOWED_METHODS = "GET, POST"
ALLOWED_HEADERS = "Content-Type, Idempotency-Key"
EXPOSED_HEADERS = "Retry-After"
PREFLIGHT_MAX_AGE_S = "600"


def allowed_origins(value: str) -> frozenset[str]:
    """The origins of a comma- or space-separated list, each ``scheme://host[:port]``."""
    origins = set()
    for item in value.replace(",", " ").split():
        parts = urlsplit(item)
        if parts.scheme not in ("https", "http") or not parts.hostname or parts.path not in ("", "/") \
                or parts.query or parts.fragment or parts.username:
            raise ConfigurationError(f"KB_CORS_ORIGINS: {item!r} is no origin; write it as "
                                     "https://www.shop.example (scheme, host and port only)")
        origins.add(f"{parts.scheme}://{parts.netloc.lower()}")
    return frozenset(origins)


def init_app(app) -> None:
    app.config["KB_CORS_ORIGINS"] = allowed_origins(
        str(app.config.get("KB_CORS_ORIGINS") or os.environ.get("KB_CORS_ORIGINS", "")))
    if app.config["KB_CORS_ORIGINS"]:
        app.after_request(_name_the_origin)


def _name_the_origin(response):
    if not request.path.startswith(API_PREFIX):
        return response
    response.vary.add("Origin")  # caches keep one answer per origin
    origin = request.headers.get("Origin", "")
    if origin not in current_app.config["KB_CORS_ORIGINS"]:
        return response
    response.headers["Access-Control-Allow-Origin"] = origin
    response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
    if request.method == "OPTIONS":  # the browser asks before a JSON POST
        response.headers["Access-Control-Allow-Methods"] = ALLOWED_METHODS
        response.headers["Access-Control-Allow-Headers"] = ALLOWED_HEADERS
        response.headers["Access-Control-Max-Age"] = PREFLIGHT_MAX_AGE_S
    return response
