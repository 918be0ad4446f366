"""A whole message pasted into the portal's search box: each of its questions searched.

A search is one question of at most MAX_QUERY_CHARS characters, yet customers also paste
the e-mail they meant to send. Its parts are searched as the agents' message view searches
them (kb/search/message_search.py); the page lists the articles that answer parts of it,
and the contact form holds the whole message, since a long message is often one for a person.
"""

from __future__ import annotations

from flask import g, render_template

from kb.content.privacy import mask_pii
from kb.search.engine import MAX_QUERY_CHARS, QueryError
from kb.search.message_search import search_message
from kb.web.i18n import _
from kb.web.present import highlighted
from kb.web.searched import SEEN_ON_PAGE, logged, reader_audience
from kb.web.services import live

# the search box's limit for a pasted message; deploy/nginx.conf's request line holds it
MAX_PASTED_CHARS = 2000
SHOWN_ARTICLES = 5


def is_long_message(text: str) -> bool:
    """Whether a search box's text is a pasted message rather than one question."""
    return len(text.strip()) > MAX_QUERY_CHARS


def long_message_page(text: str) -> tuple[str, int]:
    """The page for a pasted message, and its status; one over MAX_PASTED_CHARS (the search
    box takes no more) is refused with the limit."""
    text = text.strip()
    if len(text) > MAX_PASTED_CHARS:
        return render_template("search.html", q=text[:MAX_PASTED_CHARS], result=None, categories=[],
                               error=_("Your question is too long (at most {n} characters). Please shorten it.",
                                       n=MAX_PASTED_CHARS)), 400
    try:
        # the customer's own text: a note above a forwarded e-mail in it is theirs, not a colleague's
        _parts, found = search_message(live().engine, text, lang=g.lang, audience=reader_audience(),
                                       limit=SHOWN_ARTICLES, by_customer=True)
    except QueryError:
        found = []
    hits = [m.hit for m in found]
    # logged as its opening words, unanswered: the customer is asked to send it to the team;
    # masked whole before it is cut, so no address is cut in half past the mask
    token = logged(mask_pii(text)[:MAX_QUERY_CHARS], g.lang, False, [h.id for h in hits], "portal")
    return render_template("long_message.html", q=text, hits=hits, token=token, highlighted=highlighted,
                           seen_on_page=SEEN_ON_PAGE), 200
