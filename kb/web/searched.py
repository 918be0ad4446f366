"""A reader's search, run and logged: the portal's results page and the API's JSON share it.

Staff (a signed-in session or a token) search internal articles too and are logged as
``agent``; a HEAD request is a link checker's, nobody's search, and is not logged. A
results page reloaded, or reached again with the Back button, carries its search's id
(app.js puts it into the page's address): it is that search, not another one. The log
must never cost the reader their answer: without the database the result comes without
a search id.
"""

from __future__ import annotations

from flask import current_app, request

from kb.ops.database import StoreUnavailable
from kb.search.engine import SearchResult
from kb.web.auth import staff
from kb.web.inputs import MAX_TOKEN_CHARS, SearchParams
from kb.web.services import live, store

SEEN_ON_PAGE = 3   # results a customer sees with their text (best answers, or "closest" on the no-answer page)
# how long a results page's address stands for the search it showed (a tab reopened the
# next day and reloaded is asked again)
SAME_PAGE_MINUTES = 30


def reader_audience() -> str:
    return "internal" if staff() else "public"


def search_and_log(params: SearchParams, lang: str | None, channel: str) -> tuple[SearchResult, str | None]:
    """The result for ``params`` and its search id (None when not logged); ``channel`` names
    where a customer asked (``portal``, ``api``)."""
    result = live().engine.search(
        params.q, lang=lang, limit=params.limit, category=params.category, audience=reader_audience(),
        correct=request.args.get("exact") != "1")  # "search instead for" what was typed
    return result, logged(params.q, result.lang, result.answered, [h.id for h in result.results], channel,
                          result.hedged)


def logged(query: str, lang: str | None, answered: bool, shown: list[str], channel: str,
           hedged: bool = False) -> str | None:
    """The search's id in the log (None when the database cannot take it, or for a HEAD
    request): the id in the page's address when it is this same search shown again (see
    above), else a new one."""
    if request.method == "HEAD":
        return None
    who = "agent" if staff() else channel
    seen = (request.args.get("s") or "")[:MAX_TOKEN_CHARS]
    try:
        if seen and store().same_search(seen, query, who, SAME_PAGE_MINUTES):
            return seen
        return store().log_search(query, lang, answered, shown, who, hedged)
    except StoreUnavailable as exc:
        current_app.logger.warning("not recorded: %s", exc)
        return None
