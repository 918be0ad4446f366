"""``/privacy``: what the help centre stores about a visit, and for how long, in plain words.

Customers trust a shop that says what it keeps. The page's facts come from the running
configuration and the database, not from text that could fall behind it: the period of the
last ``kb privacy purge`` that ran lately (kb/ops/purge_runs.py; ``KB_RETENTION_DAYS`` only sets
the purge's default, and the server purges nothing itself), the cookies' names and lifetimes,
the rate limits' longest window, whether requests go on to a helpdesk, and the shop's own
name and e-mail address (site.yml) for a request to erase one's data.

Its pages are the portal's (kb/web/portal.py adds this one as ``portal.privacy``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app, render_template
from limits import parse_many

from kb.ops.database import Store, StoreUnavailable
from kb.ops.purge_runs import last_run
from kb.ops.retention import RETENTION_SETTING, RetentionError, parse_days
from kb.web.i18n import LANG_COOKIE, LANG_COOKIE_SECONDS
from kb.web.limits import DEFAULTS as RATE_LIMITS
from kb.web.site import Channel, Site

log = logging.getLogger(__name__)
SECONDS_PER_DAY = 24 * 3600
SECONDS_PER_HOUR = 3600
EMAIL_KIND = "email"  # the site.yml channel a customer writes to for an erasure
# A purge this recent shows one is scheduled (cron runs it daily, as a rule): a week leaves
# room for a few failed or skipped runs. Data may then stay up to this long past the period
# stated; a purge older than this may have stopped for good, so its period is promised no more.
PROMISE_WINDOW_DAYS = 7


@dataclass(frozen=True)
class Cookies:
    """The cookies a customer's browser may get, by name, with how long each one lives."""
    lang: str
    lang_days: int
    session: str
    staff_session_hours: int


def warn_unusable_retention(config) -> None:
    """Say once, at the app's start, when ``KB_RETENTION_DAYS`` is a value ``kb privacy purge``
    refuses: a purge from cron without ``--older-than`` then removes nothing. The page does not
    read the setting (it states what purges really ran, see purged_after_days), so a view has
    nothing to say about it."""
    raw = str(config.get(RETENTION_SETTING) or "").strip()
    if not raw:
        return
    try:
        parse_days(raw, RETENTION_SETTING)
    except RetentionError as exc:
        log.warning("%s: kb privacy purge without --older-than refuses to run", exc)


def purged_after_days(store: Store, now: datetime | None = None) -> int | None:
    """The period of the last ``kb privacy purge``, when one ran within PROMISE_WINDOW_DAYS.

    The server purges nothing itself, and cannot see whether cron runs a purge: only a recent
    run shows that data really goes after its period. Without one (never run, stopped long ago,
    or the database cannot tell now), the page promises no number: data stays until the team
    deletes it."""
    try:
        run = last_run(store)
    except StoreUnavailable:
        return None
    now = now or datetime.now(timezone.utc)
    if run is None or now - run.at > timedelta(days=PROMISE_WINDOW_DAYS):
        return None
    return run.days


def rate_count_hours(config) -> int | None:
    """The longest a rate-limit count lives (its longest window), in whole hours; None when
    the limits are off and nothing is counted."""
    if not config.get("RATELIMIT_ENABLED", True):
        return None
    windows = [limit.get_expiry() for name in RATE_LIMITS for limit in parse_many(config[name])]
    return math.ceil(max(windows) / SECONDS_PER_HOUR)


def cookies(app) -> Cookies:
    """The names and lifetimes the app sets its cookies with (kb/web/__init__.py, kb/web/auth.py)."""
    return Cookies(lang=LANG_COOKIE, lang_days=LANG_COOKIE_SECONDS // SECONDS_PER_DAY,
                   session=app.config["SESSION_COOKIE_NAME"],
                   staff_session_hours=math.ceil(app.permanent_session_lifetime.total_seconds() / SECONDS_PER_HOUR))


def erasure_address(site: Site) -> Channel | None:
    """The shop's e-mail channel in site.yml: where a customer asks for their data to be erased."""
    return next((ch for ch in site.channels if ch.kind == EMAIL_KIND), None)


def privacy():
    """The page, in the reader's language (the portal's ?lang=, cookie, Accept-Language)."""
    app = current_app
    return render_template(
        "privacy.html", days=purged_after_days(app.extensions["kb.store"]), rate_hours=rate_count_hours(app.config),
        cookies=cookies(app), handed_off=bool(app.extensions["kb.handoff"].channels),
        erase_at=erasure_address(app.extensions["kb.site"]))
