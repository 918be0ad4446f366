"""The JSON API: the same search as the portal, for widgets, chat bots and apps.

Bad input is a 4xx with ``{"error": message, "field": name}``; nothing a client
sends can cause a 500.
"""

from __future__ import annotations

import json

from flask import Blueprint, current_app, jsonify, request, url_for

from kb.ops.contact_details import request_order_numbers
from kb.ops.database import SubmissionReused
from kb.web import limits
from kb.web.auth import staff
from kb.web.handoff import hand_off
from kb.web.inputs import InputError, contact_input, feedback_input, search_params, submission_id
from kb.web.present import hit_dict
from kb.web.searched import search_and_log
from kb.web.services import live as _live, store as _store

bp = Blueprint("api", __name__, url_prefix="/api")
MAX_SUGGEST_CHARS = 100


class NotJson(InputError):
    """A body of another type than JSON: 415, the client sends the wrong kind of thing."""


def _bad(exc: InputError, status: int = 400):
    status = 415 if isinstance(exc, NotJson) else status
    return jsonify(error=str(exc), field=exc.field, status=status), status


MAX_JSON_DEPTH = 16  # our requests are flat objects; deeper bodies are refused before parsing


def nesting_depth(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text, strings skipped.

    Measured before parsing: a parser that recurses thousands of levels deep
    raises RecursionError, which can leave the interpreter's own recursion
    bookkeeping out of step, so such a body must never reach it.
    """
    depth = deepest = 0
    in_string = escaped = False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            deepest = max(deepest, depth)
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return deepest


def _json_body() -> dict:
    if not request.is_json:
        raise NotJson("send a JSON object with Content-Type: application/json")
    if nesting_depth(request.get_data(cache=True)) > MAX_JSON_DEPTH:
        raise InputError("the request body is nested too deeply")
    data = request.get_json(silent=True)
    if data is None:  # JSON's null parses as None too: it is valid, only no object
        empty = request.get_data(cache=True).strip() == b"null"
        raise InputError("the request body must be a JSON object" if empty else "the request body is not valid JSON")
    if not isinstance(data, dict):
        raise InputError("the request body must be a JSON object")
    return data


@bp.get("/search")
@limits.search
def search():
    live = _live()
    try:
        params = search_params(request.args, live.catalog, live.engine.index.languages, internal=staff())
    except InputError as exc:
        return _bad(exc)
    result, token = search_and_log(params, params.lang, "api")
    return jsonify(query=result.query, original_query=result.original, lang=result.lang, answered=result.answered,
                   hedged=result.hedged, known_phrasing=result.known_phrasing, did_you_mean=result.did_you_mean,
                   confidence=round(result.confidence, 4),
                   search_id=token, results=[hit_dict(h, token) for h in result.results])


@bp.get("/suggest")
@limits.suggest
def suggest():
    q = request.args.get("q", "")
    if not q.strip():
        return _bad(InputError("the query is empty: type a few letters", "q"))
    if len(q) > MAX_SUGGEST_CHARS:
        return _bad(InputError(f"the query is too long (at most {MAX_SUGGEST_CHARS} characters)", "q"))
    lang = request.args.get("lang") or None
    live = _live()
    if lang is not None and lang not in live.engine.index.languages:
        return _bad(InputError(f"unknown language '{lang[:20]}'", "lang"))
    found = live.catalog.suggest(q, lang, staff())
    return jsonify(query=q, suggestions=[
        {"id": s.id, "title": s.title, "lang": s.lang,
         "url": url_for("portal.article", article_id=s.id)} for s in found])


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    catalog = _live().catalog
    art = catalog.get(article_id, staff())
    if art is None:
        return jsonify(error=f"unknown article '{article_id[:200]}'", field=None, status=404), 404
    html = catalog.html(article_id, lambda target: url_for("portal.article", article_id=target), staff())
    return jsonify(
        id=art["id"], title=art["title"], lang=art["lang"], category=art["category"],
        category_slug=art["category_slug"], summary=art["summary"], tags=art["tags"],
        updated=art["updated"], url=url_for("portal.article", article_id=art["id"]), html=html,
        translations={lang: {"id": a["id"], "url": url_for("portal.article", article_id=a["id"])}
                      for lang, a in catalog.translations(art, staff()).items()},
        related=[{"id": a["id"], "title": a["title"], "url": url_for("portal.article", article_id=a["id"])}
                 for a in catalog.related(art, staff())])


@bp.get("/categories")
def categories():
    live = _live()
    lang = request.args.get("lang") or None
    if lang is not None and lang not in live.engine.index.languages:
        return _bad(InputError(f"unknown language '{lang[:20]}'", "lang"))
    return jsonify(categories=[
        {"slug": c.slug, "name": c.name, "lang": c.lang, "articles": c.count,
         "url": url_for("portal.category", slug=c.slug, lang=c.lang)}
        for c in live.catalog.categories(lang, staff())])


@bp.post("/feedback")
@limits.write
def feedback():
    try:
        vote = feedback_input(_json_body(), _live().catalog, staff(), from_json=True)
    except InputError as exc:
        return _bad(exc)
    store = _store()
    search = limits.evidence_search(store, vote.article_id, vote.search_token)
    token = store.add_feedback(vote.article_id, vote.helpful, vote.comment, None, search, vote.ballot)
    return jsonify(ok=True, token=token), 201


@bp.post("/contact")
@limits.write
def contact():
    try:
        req = contact_input(_json_body(), _live().engine.index.languages, from_json=True)
    except InputError as exc:
        return _bad(exc)
    store = _store()
    query, shown = None, []
    if req.search_token:
        row = store.search_by_token(req.search_token)
        if row is not None:
            query, shown = row["query"], json.loads(row["results"])
    # without `lang`, the question's own words tell it, as they do for a search
    guesser = _live().engine.guesser
    lang = req.lang or guesser.guess(req.question) or guesser.likely(req.question)
    key = request.headers.get("Idempotency-Key")
    if key is not None and submission_id(key) is None:
        return _bad(InputError("Idempotency-Key must be 8 to 64 letters, digits, '-' or '_'", "Idempotency-Key"))
    try:
        ref, new = store.add_contact_request_once(req.question, req.email, lang, query, shown, req.search_token,
                                                  key)
    except SubmissionReused as exc:
        return _bad(InputError(f"this Idempotency-Key was used for another request ({exc.args[0]}): send a new "
                               "request with a new key", "Idempotency-Key"), 422)
    if not new:  # a client's retry with the same Idempotency-Key: one request, handed off once
        return jsonify(ok=True, ref=ref), 200
    order_numbers = request_order_numbers(req.order_number, req.question)  # also those in the masked text
    if order_numbers:
        current_app.extensions["kb.contact_details"].save(ref, order_numbers, no_reply=False)
    catalog = _live().catalog
    hand_off(ref, lang=lang, reply_to=req.email, order_number=order_numbers,
             search=query, seen=[a for a in (catalog.get(i) for i in shown) if a])
    return jsonify(ok=True, ref=ref), 201
