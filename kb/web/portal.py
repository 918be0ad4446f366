"""The customers' help portal: server-rendered pages that work without JavaScript."""

from __future__ import annotations

import json
import logging
import secrets
from collections import Counter
from urllib.parse import quote, urlencode

from markupsafe import escape
from flask_wtf.csrf import CSRFError
from werkzeug.routing import BuildError
from flask import (Blueprint, abort, current_app, g, jsonify, redirect, render_template, request,
                   url_for)

from kb.content.privacy import mask_pii
from kb.content.visible_text import clean_text
from kb.ops.contact_details import clean_order_number
from kb.ops.database import MAX_COMMENT_CHARS, StoreUnavailable, SubmissionReused
from kb.search.engine import MAX_QUERY_CHARS, QueryError, clean_query
from kb.ops.popular import frequently_asked
from kb.web import limits
from kb.web.auth import form_token_failed, staff
from kb.web.errors import (NOT_STORED, RETRY_AFTER, TOO_MANY_REQUESTS, store_unavailable, too_many_requests,
                           wants_json)
from kb.web.handoff import hand_off
from kb.web.i18n import _, pick_language, translated_message
from kb.web.inputs import (MAX_TOKEN_CHARS, InputError, contact_input, feedback_input, search_params,
                           submission_id)
from kb.web.local_time import site_today
from kb.web.present import (article_url, format_date, highlighted, input_error_message, mailto,
                             public_url, section_label,
                             table_of_contents, wrap_sections)
from kb.web.searched import reader_audience, search_and_log
from kb.web.services import live as _live, store as _store

log = logging.getLogger(__name__)
bp = Blueprint("portal", __name__)
BEST_ANSWERS = 3
FREQUENTLY_ASKED = 6   # articles under "Frequently asked" on the home page
SEEN_ON_PAGE = 3   # results a customer sees with their text (best answers, or "closest" on the no-answer page)
RESULTS_PER_PAGE = 10
SITEMAP_NEEDS_BASE_URL = ("No sitemap: it lists absolute URLs, so it needs the portal's public address. "
                          "Set KB_BASE_URL=https://help.example.com (or base_url in site.yml) and restart.\n")
CONTACT_MESSAGES = {  # the API's messages, in words for customers (and translated)
    "question": "Please describe your question (at most 4000 characters).",
    "email": "The email address does not look right (example: name@example.com).",
    "consent": "Please agree that we store your request, so that we can answer it.",
    "reply": "Please give an email address for our reply, or tick “I do not need a reply”.",
    "order_number": "The order number does not look right: letters, digits and - / . only, "
                    "with at least one digit (example: 100-2345).",
}


def _try_store(write, *args, **kwargs):
    """Counting and logging must never cost the customer their answer."""
    try:
        return write(*args, **kwargs)
    except StoreUnavailable as exc:
        current_app.logger.warning("not recorded: %s", exc)
        return None


def _this_page() -> str:
    """This page's address, rebuilt from its route (a raw path like ``/\\evil.example`` is another host
    to browsers); an address without a route keeps its path, percent-encoded and with one leading slash."""
    if request.url_rule is not None and request.endpoint:
        try:
            return url_for(request.endpoint, **(request.view_args or {}))
        except BuildError:
            pass
    return "/" + quote(request.path.lstrip("/\\"), safe="/")


def _switch_url(lang: str, path: str | None = None) -> str:
    args = {k: v for k, v in request.args.items() if k != "lang"}
    args["lang"] = lang
    return (path or _this_page()) + "?" + urlencode(args)


@bp.app_context_processor
def _portal_globals() -> dict:
    return {"switch_url": _switch_url, "article_url": article_url, "format_date": format_date,
            "mailto": mailto, "section_label": section_label}


@bp.get("/")
def home():
    live = _live()
    catalog = live.catalog
    site = current_app.extensions["kb.site"]
    popular = []
    today = site_today(current_app.config.get("KB_SITE"))  # views are counted by the shop's date
    for article_id in _try_store(frequently_asked, _store(), today=today) or []:
        art = catalog.get(article_id, staff())
        if art and art["lang"] == g.lang:
            popular.append(art)
    if len(popular) < FREQUENTLY_ASKED:  # not enough evidence yet: the editors' choice fills up
        for key in site.featured:
            i = live.engine.index.version.get((key, g.lang), catalog.by_id.get(key))
            art = catalog.get(catalog.articles[i]["id"], staff()) if i is not None else None
            if art and art not in popular and art["lang"] == g.lang:
                popular.append(art)
    return render_template("home.html", categories=catalog.categories(g.lang, staff()),
                           popular=popular[:FREQUENTLY_ASKED])


@bp.get("/search")
@limits.search
def search():
    live = _live()
    if not request.args.get("q", "").strip():
        return redirect(url_for("portal.home"))
    try:
        params = search_params(request.args, live.catalog, live.engine.index.languages,
                               default_limit=RESULTS_PER_PAGE, internal=staff())
    except InputError as exc:
        if exc.field == "category":  # a stale filter link: search everything instead
            return redirect(url_for("portal.search", q=request.args.get("q")))
        if exc.field == "lang":  # ?lang= is the page's language here: one the portal lacks is ignored
            return redirect(url_for("portal.search", q=request.args.get("q"), category=request.args.get("category")))
        return render_template("search.html", error=input_error_message(exc),
                               q=request.args.get("q", "")[:MAX_QUERY_CHARS], result=None, categories=[]), 400
    result, token = search_and_log(params, g.lang, "portal")
    best = result.results[:BEST_ANSWERS] if result.answered else []
    more = result.results[len(best):]
    return render_template(
        "search.html", q=params.q, result=result, best=best, more=more, token=token,
        category=params.category, categories=_topics(live, params, result),
        highlighted=highlighted, error=None, seen_on_page=SEEN_ON_PAGE)


def _topics(live, params, result) -> list[tuple]:
    """(category, results in it) for the topic chips: only topics this search found something in.

    Counted over the unfiltered results of the page, so the chips stay the
    same when one topic is chosen (that search is usually cached already).
    """
    audience = reader_audience()
    unfiltered = result if params.category is None else live.engine.search(
        params.q, lang=g.lang, limit=params.limit, audience=audience)
    counts = Counter(h.category for h in unfiltered.results)
    return [(c, counts[c.name]) for c in live.catalog.categories(result.lang or g.lang, staff())
            if counts[c.name] or c.slug == params.category]


ARTICLE_PARAMS = ("s", "section", "lang")  # what an article's address carries: its search, section, language
SUBMISSION_BYTES = 12  # a contact form's own random id (kb/ops/database.py, add_contact_request_once)
# the same open question from the same address within this time is one request: the form sent
# again after the browser's Back button (the page comes back with a new form id)
REPEAT_MINUTES = 30


@bp.get("/articles/<path:article_id>")
def article(article_id: str):
    live = _live()
    catalog = live.catalog
    art = catalog.get(article_id, staff())
    if art is None:
        moved = _try_store(current_app.extensions["kb.moves"].target, article_id)
        if moved is not None and catalog.get(moved, staff()) is not None:  # renamed: its old address still works
            # the article page's own parameters only: others would reach url_for's (_external, _scheme)
            kept = {k: v for k, v in request.args.items() if k in ARTICLE_PARAMS}
            return redirect(url_for("portal.article", article_id=moved, **kept), 301)
        abort(404)
    html = catalog.html(article_id, lambda target: url_for("portal.article", article_id=target), staff())
    toc = table_of_contents(html)
    if _a_customer_reads() and limits.counts_as_a_view(article_id):
        _try_store(_store().count_view, article_id, site_today(current_app.config.get("KB_SITE")))  # the shop's day
    other = catalog.translations(art, staff())
    return render_template(
        "article.html", article=art, body=wrap_sections(html, request.args.get("section")),
        toc=toc if len(toc) >= 3 else [], related=catalog.related(art, staff()), translations=other,
        switch_targets=_switch_targets(catalog, article_id, other),
        category_name=art["category"], search_token=request.args.get("s", "")[:MAX_TOKEN_CHARS],
        voted=request.args.get("voted"), vote_token=request.args.get("t", "")[:MAX_TOKEN_CHARS],
        commented=request.args.get("commented"))


def _switch_targets(catalog, article_id: str, other: dict[str, dict]) -> dict[str, str]:
    """The article's other language versions; the section the reader was sent to opens there
    too where both versions have as many ``##`` sections (translations keep their order)."""
    section = request.args.get("section")
    own = catalog.section_anchors(article_id) if section else []
    targets = {}
    for lang, version in other.items():
        anchor = None
        if section in own:
            theirs = catalog.section_anchors(version["id"])
            anchor = theirs[own.index(section)] if len(theirs) == len(own) else None
        targets[lang] = url_for("portal.article", article_id=version["id"], lang=lang,
                                **({"section": anchor} if anchor else {}), _anchor=anchor)
    return targets


def _a_customer_reads() -> bool:
    """Whether this request is a view for the insights: a customer opening the article, not a
    HEAD (link checkers), staff at work, or the page again after the customer's vote or comment."""
    return (request.method == "GET" and not staff()
            and not (request.args.get("voted") or request.args.get("commented")))


@bp.get("/categories/<slug>")
def category(slug: str):
    catalog = _live().catalog
    articles = catalog.in_category(slug, g.lang, staff()) or catalog.in_category(slug, None, staff())
    if not articles:
        abort(404)
    return render_template("category.html", slug=slug, name=articles[0]["category"], articles=articles,
                           categories=catalog.categories(g.lang, staff()),
                           switch_targets=_topic_in_other_languages(catalog, articles))


def _topic_in_other_languages(catalog, articles: list[dict]) -> dict[str, str]:
    """Per other language, the address of the topic most of these articles' translations are
    in: the language switch on a topic page leads to that topic, as on an article page."""
    votes: dict[str, Counter] = {}
    for a in articles:
        for lang, other in catalog.translations(a, staff()).items():
            votes.setdefault(lang, Counter())[other["category_slug"]] += 1
    return {lang: url_for("portal.category", slug=c.most_common(1)[0][0], lang=lang) for lang, c in votes.items()}


@bp.post("/feedback")
@limits.write
def feedback():
    catalog = _live().catalog
    data = request.form.to_dict()
    try:
        vote = feedback_input(data, catalog, staff())
    except InputError as exc:
        if wants_json():
            return jsonify(error=str(exc), field=exc.field), 400
        return render_template("error.html", status=400, message=translated_message(str(exc))), 400
    search = limits.evidence_search(_store(), vote.article_id, vote.search_token)
    token = _store().add_feedback(vote.article_id, vote.helpful, vote.comment, g.lang, search, vote.ballot)
    if wants_json():
        return jsonify(ok=True, token=token, helpful=vote.helpful), 201
    args = {"voted": "yes" if vote.helpful else "no"}
    if not vote.helpful:
        args["t"] = token
    return redirect(url_for("portal.article", article_id=vote.article_id, _anchor="feedback", **args), 303)


@bp.post("/feedback/comment")
@limits.write
def feedback_comment():
    catalog = _live().catalog
    article_id = request.form.get("article_id", "")
    art = catalog.get(article_id, staff())
    comment = clean_text(request.form.get("comment", ""))
    if art is None:
        abort(404)
    if not comment:
        message = _("Please write a comment, or just close this page: your vote is already saved.")
        if wants_json():
            return jsonify(error=message, field="comment"), 400
        return render_template("error.html", status=400, message=message), 400
    if len(comment) > MAX_COMMENT_CHARS:
        message = _("The comment is too long (at most 2000 characters).")
        if wants_json():
            return jsonify(error=message, field="comment"), 400
        return render_template("error.html", status=400, message=message), 400
    if not _store().add_comment(request.form.get("token", "")[:MAX_TOKEN_CHARS], comment):
        message = _("Your comment was not saved: the vote has one already, or is unknown. Please vote again.")
        if wants_json():
            return jsonify(error=message, field="token"), 409
        return render_template("error.html", status=409, message=message), 409
    if wants_json():
        return jsonify(ok=True), 201
    return redirect(url_for("portal.article", article_id=article_id, commented="1", _anchor="feedback"), 303)


def _search_context(token: str | None) -> tuple[str | None, list[dict]]:
    """The search a contact request comes from, and the articles the customer saw on its page."""
    if not token:
        return None, []
    row = _try_store(_store().search_by_token, token)
    if row is None:
        return None, []
    catalog = _live().catalog
    shown = [catalog.get(i, staff()) for i in json.loads(row["results"])[:SEEN_ON_PAGE]]
    return row["query"], [a for a in shown if a]


def _shown_back(query: str | None, claimed: str) -> bool:
    """Whether the page may show the stored search: only to whoever knows its wording.

    A search token travels in article links (``?s=``) that get shared; the
    token alone must not reveal what someone else searched for. The search
    page's link carries the query itself, so the customer still sees it.
    """
    try:
        return bool(query) and mask_pii(clean_query(claimed)) == query
    except QueryError:
        return False


def _contact_form(data) -> dict:
    """The form's fields; ``submission`` identifies this one form however often it is sent."""
    return {"question": data.get("question", ""), "email": data.get("email", ""),
            "order_number": data.get("order_number", ""), "no_reply": bool(data.get("no_reply")),
            "consent": bool(data.get("consent")),
            "submission": submission_id(data.get("submission")) or new_submission_id()}


@bp.app_template_global("new_submission_id")
def new_submission_id() -> str:
    """A contact form's own random id: however often that form is sent, it is one request."""
    return secrets.token_urlsafe(SUBMISSION_BYTES)


def _contact_extras(req, form: dict) -> str | None:
    """The order number (kept as typed) once the reply choice is clear; InputError otherwise."""
    if req.email is None and not form["no_reply"]:
        raise InputError(_(CONTACT_MESSAGES["reply"]), "email")
    try:
        return clean_order_number(form["order_number"])
    except ValueError:
        raise InputError(_(CONTACT_MESSAGES["order_number"]), "order_number") from None


@bp.route("/contact", methods=["GET", "POST"])
@limits.write_post
def contact():
    live = _live()
    token = (request.values.get("s") or "")[:MAX_TOKEN_CHARS] or None
    query, shown = _search_context(token)
    claimed = request.values.get("q", "")
    error = None
    form = _contact_form({"question": request.args.get("q", "")[:MAX_QUERY_CHARS]})
    if request.method == "POST":
        data = request.form.to_dict()
        data["search_id"] = token
        data["lang"] = g.lang
        form = _contact_form(data)
        try:
            try:
                req = contact_input(data, live.engine.index.languages)
            except InputError as exc:
                raise InputError(_(CONTACT_MESSAGES.get(exc.field, str(exc))), exc.field) from None
            order_number = _contact_extras(req, form)
        except InputError as exc:
            error = exc
        else:
            ref, new = _store_request(req, query, shown, form["submission"])
            if new:  # sent twice (a double click, a reload): one request, handed off once
                _try_store(current_app.extensions["kb.contact_details"].save, ref, order_number, req.email is None)
                _try_store(hand_off, ref, lang=req.lang, reply_to=req.email,
                           order_number=order_number, search=query, seen=shown)
            return redirect(url_for("portal.contact_sent", ref=ref, **({"noreply": 1} if req.email is None else {})),
                            303)
    return _contact_page(form, error, token, query, shown, claimed), 400 if error else 200


def _store_request(req, query: str | None, shown: list[dict], submission: str | None) -> tuple[str, bool]:
    """(reference, new); the form sent again after going back and changing the question is
    a new request, not the first one's (the browser restored the form with its id)."""
    args = (req.question, req.email, req.lang, query, [a["id"] for a in shown], req.search_token)
    try:
        return _store().add_contact_request_once(*args, submission, REPEAT_MINUTES)
    except SubmissionReused:
        return _store().add_contact_request_once(*args, None, REPEAT_MINUTES)


@bp.errorhandler(429)
def _too_many(exc):
    """The contact form refused for too many requests comes back with what was typed."""
    if request.endpoint == "portal.contact" and request.method == "POST":
        return contact_refused(_(TOO_MANY_REQUESTS)), 429
    return too_many_requests()


@bp.errorhandler(CSRFError)
def _form_expired(exc):
    """The contact form whose token does not hold (the browser lost the session cookie: a
    restored tab, cookies cleared) comes back with what was typed and a new token."""
    if request.endpoint == "portal.contact" and request.method == "POST":
        g.lang = g.get("lang") or pick_language()  # the token is checked before the request's own hooks
        return contact_refused(_("Nothing was sent yet: this page had been open too long. Check what you typed below, then send it again.")), 400
    return form_token_failed(exc)


@bp.errorhandler(StoreUnavailable)
def _not_stored(exc):
    """The contact form not stored (the database cannot be reached) comes back with what was typed."""
    if request.endpoint == "portal.contact" and request.method == "POST":
        log.error("database unavailable: %s", exc)
        return contact_refused(_(NOT_STORED)), 503, {"Retry-After": RETRY_AFTER}
    return store_unavailable(exc)


def contact_refused(message: str) -> str:
    """The contact form again with everything typed in it and ``message`` (too many requests
    just now, or nothing could be stored): the customer sends it again a moment later
    instead of typing it again."""
    token = (request.values.get("s") or "")[:MAX_TOKEN_CHARS] or None
    query, shown = _search_context(token)
    return _contact_page(_contact_form(request.form), InputError(message, ""), token, query, shown,
                         request.values.get("q", ""))


def _contact_page(form: dict, error, token: str | None, query, shown, claimed: str) -> str:
    visible = _shown_back(query, claimed)
    return render_template("contact.html", form=form, error=error, token=token,
                           query=query if visible else None, shown=shown if visible else [],
                           search_q=claimed if visible else "")


@bp.get("/contact/sent")
def contact_sent():
    ref = request.args.get("ref", "")
    if not (ref.startswith("K-") and len(ref) == 10 and ref[2:].isalnum()):
        abort(404)
    return render_template("contact_sent.html", ref=ref, no_reply=bool(request.args.get("noreply")))


@bp.get("/sitemap.xml")
def sitemap():
    """Public pages for search engines; internal articles are never listed (not even for staff).

    The sitemap protocol wants absolute URLs on the site's own host: they come
    from KB_BASE_URL. Without it there is no sitemap, and the answer says why.
    """
    if not current_app.config.get("KB_BASE_URL"):
        return current_app.response_class(SITEMAP_NEEDS_BASE_URL, status=404, mimetype="text/plain")
    catalog = _live().catalog
    urls = [url_for("portal.home")]
    urls += [url_for("portal.category", slug=c.slug, lang=c.lang) for c in catalog.categories(None)]
    entries = [(public_url(url), None) for url in urls]
    entries += [(public_url(url_for("portal.article", article_id=a["id"])), a["updated"])
                for a in catalog.articles if a["audience"] == "public"]
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for url, updated in entries:
        lastmod = f"<lastmod>{escape(str(updated)[:10])}</lastmod>" if updated else ""
        body.append(f"<url><loc>{escape(url)}</loc>{lastmod}</url>")
    body.append("</urlset>")
    return current_app.response_class("\n".join(body), mimetype="application/xml")
