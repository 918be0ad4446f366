"""A reader's search, run and logged: the portal's results page and the API's JSON share it.

Staff (a signed-in session or a token) search internal articles too and are logged as
``agent``; a HEAD request is a link checker's, nobody's search, and is not logged. The log
must never cost the reader their answer: without the database the result comes without
a search id.
"""

from __future__ import annotations

from flask import current_app, request

from kb.ops.database import StoreUnavailable
from kb.search.engine import SearchResult
from kb.web.auth import staff
from kb.web.inputs import SearchParams
from kb.web.services import live, store

SEEN_ON_PAGE = 3   # results a customer sees with their text (best answers, or "closest" on the no-answer page)


def reader_audience() -> str:
    return "internal" if staff() else "public"


def search_and_log(params: SearchParams, lang: str | None, channel: str) -> tuple[SearchResult, str | None]:
    """The result for ``params`` and its search id (None when not logged); ``channel`` names
    where a customer asked (``portal``, ``api``)."""
    result = live().engine.search(
        params.q, lang=lang, limit=params.limit, category=params.category, audience=reader_audience(),
        correct=request.args.get("exact") != "1")  # "search instead for" what was typed
    if request.method == "HEAD":
        return result, None
    try:
        token = store().log_search(
            params.q, result.lang, result.answered, [h.id for h in result.results],
            "agent" if staff() else channel, result.hedged)
    except StoreUnavailable as exc:
        current_app.logger.warning("not recorded: %s", exc)
        token = None
    return result, token
