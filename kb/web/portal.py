"""The customers' help portal: server-rendered pages that work without JavaScript."""

from __future__ import annotations

import logging
from collections import Counter
from urllib.parse import quote, urlencode

from markupsafe import escape
from flask_wtf.csrf import CSRFError
from werkzeug.routing import BuildError
from flask import (Blueprint, abort, current_app, g, jsonify, redirect, render_template, request,
                   url_for)

from kb.content.visible_text import clean_text
from kb.ops.database import COMMENT_FULL, COMMENT_SAVED, MAX_COMMENT_CHARS, StoreUnavailable
from kb.search.engine import MAX_QUERY_CHARS
from kb.ops.popular import frequently_asked
from kb.web import contact_form, limits, privacy_page
from kb.web.auth import form_token_failed, staff
from kb.web.errors import (NOT_STORED, RETRY_AFTER, TOO_MANY_REQUESTS, store_unavailable, too_many_requests,
                           wants_json)
from kb.web.i18n import UI_LANGS, _, pick_language, translated_message
from kb.web.inputs import MAX_TOKEN_CHARS, InputError, feedback_input, search_params
from kb.web.local_time import site_today
from kb.web.long_message import is_long_message, long_message_page
from kb.web.present import (article_url, format_date, highlighted, input_error_message, mailto,
                             public_url, section_label,
                             table_of_contents, wrap_sections)
from kb.web.searched import SEEN_ON_PAGE, reader_audience, search_and_log
from kb.web.services import live as _live, store as _store, try_store as _try_store

log = logging.getLogger(__name__)
bp = Blueprint("portal", __name__)
BEST_ANSWERS = 3
FREQUENTLY_ASKED = 6   # articles under "Frequently asked" on the home page
RESULTS_PER_PAGE = 10
SITEMAP_NEEDS_BASE_URL = ("No sitemap: it lists absolute URLs, so it needs the portal's public address. "
                          "Set KB_BASE_URL=https://help.example.com (or base_url in site.yml) and restart.\n")


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
    """This page in ``lang``; a results page in another language is another search (its
    ``s``, the search shown, stays behind), an article keeps the search it came from."""
    dropped = ("lang", "s") if request.endpoint == "portal.search" else ("lang",)
    args = {k: v for k, v in request.args.items() if k not in dropped}
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
    if is_long_message(request.args["q"]):  # a pasted message: each of its questions
        return long_message_page(request.args["q"])
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
    art = _live().catalog.get(request.form.get("article_id", ""), staff())
    if art is None:
        abort(404)
    comment = clean_text(request.form.get("comment", ""))
    if not comment:
        return _comment_refused(art, comment, 400, _("Please write a comment, or just close this page: your vote is already saved."))
    if len(comment) > MAX_COMMENT_CHARS:
        return _comment_refused(art, comment, 400, _("The comment is too long (at most 2000 characters)."))
    outcome = _store().add_comment(request.form.get("token", "")[:MAX_TOKEN_CHARS], comment)
    if outcome == COMMENT_FULL:
        return _comment_refused(art, comment, 409, _("Your comment was not added: together with the one you sent before, it would be longer than 2000 characters. Please copy your text below and shorten it."))
    if outcome != COMMENT_SAVED:  # the same comment again, or more of it, is saved: a double tap is no error
        return _comment_refused(art, comment, 409, _("Your comment was not saved: the vote it belongs to is no longer known. Please copy your text below, go back to the article and vote again."), "token")
    if wants_json():
        return jsonify(ok=True), 201
    return redirect(url_for("portal.article", article_id=art["id"], commented="1", _anchor="feedback"), 303)


def _comment_refused(art: dict, comment: str, status: int, message: str, field: str = "comment"):
    """A comment not taken: JSON for the page's script, else a page that gives the customer's
    text back (nothing typed is lost) and leads back to the article, also from its language
    switch (a link to this page's own address, which takes a form's POST, would only lead home)."""
    if wants_json():
        return jsonify(error=message, field=field), status
    back = url_for("portal.article", article_id=art["id"], _anchor="feedback")
    return render_template("error.html", status=status, message=message, back=back, back_title=art["title"],
                           back_lang=art["lang"], kept_text=comment, switch_targets=_article_switch(art)), status


def _article_switch(art: dict) -> dict[str, str]:
    """The language switch of a page about ``art``: its version in each language where it has one
    (as on the article page), else the article itself with the page in that language."""
    versions = _live().catalog.translations(art, staff())
    return {lang: url_for("portal.article", article_id=versions.get(lang, art)["id"], lang=lang) for lang in UI_LANGS}


@bp.get("/feedback")
@bp.get("/feedback/comment")
def feedback_opened():
    """These addresses take the vote and comment forms' POSTs; opened as a page (an old
    language-switch link, a bookmark, a reload after Back) they lead to the article the
    form was on when the address names it, else home, in the language asked for."""
    lang = request.args.get("lang") if request.args.get("lang") in UI_LANGS else None
    art = _live().catalog.get(request.args.get("article_id", ""), staff())
    if art is not None:
        return redirect(url_for("portal.article", article_id=art["id"], lang=lang, _anchor="feedback"))
    return redirect(url_for("portal.home", lang=lang))


# the contact form's pages (kb/web/contact_form.py) are the portal's
bp.add_url_rule("/contact", view_func=contact_form.contact, methods=["GET", "POST"])
bp.add_url_rule("/contact/sent", view_func=contact_form.contact_sent, methods=["GET"])
bp.add_app_template_global(contact_form.new_submission_id, "new_submission_id")
# what the help centre stores about a visit, and for how long (kb/web/privacy_page.py)
bp.add_url_rule("/privacy", view_func=privacy_page.privacy, methods=["GET"])


@bp.errorhandler(429)
def _too_many(exc):
    """The contact form refused for too many requests comes back with what was typed."""
    if request.endpoint == "portal.contact" and request.method == "POST":
        return contact_form.contact_refused(_(TOO_MANY_REQUESTS)), 429
    return too_many_requests()


@bp.errorhandler(CSRFError)
def _form_expired(exc):
    """The contact form whose token does not hold (the browser lost the session cookie: a
    restored tab, cookies cleared) comes back with what was typed and a new token."""
    if request.endpoint == "portal.contact" and request.method == "POST":
        g.lang = g.get("lang") or pick_language()  # the token is checked before the request's own hooks
        return contact_form.contact_refused(_("Nothing was sent yet: this page had been open too long. Check what you typed below, then send it again.")), 400
    return form_token_failed(exc)


@bp.errorhandler(StoreUnavailable)
def _not_stored(exc):
    """The contact form not stored (the database cannot be reached) comes back with what was typed."""
    if request.endpoint == "portal.contact" and request.method == "POST":
        log.error("database unavailable: %s", exc)
        return contact_form.contact_refused(_(NOT_STORED)), 503, {"Retry-After": RETRY_AFTER}
    return store_unavailable(exc)


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
