"""``/privacy``: what the help centre stores about a visit, and for how long, in plain words.

Customers trust a shop that says what it keeps. The page's facts come from the running
configuration, not from text that could fall behind it: the retention period the shop set
(``KB_RETENTION_DAYS``, which ``kb privacy purge`` reads), the cookies' names and lifetimes,
the rate limits' longest window, whether requests go on to a helpdesk, and the shop's own
name and e-mail address (site.yml) for a request to erase one's data.

Its pages are the portal's (kb/web/portal.py adds this one as ``portal.privacy``).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass

from flask import current_app, render_template
from limits import parse_many

from kb.ops.retention import RETENTION_SETTING, RetentionError, parse_days
from kb.web.i18n import LANG_COOKIE, LANG_COOKIE_SECONDS
from kb.web.limits import DEFAULTS as RATE_LIMITS
from kb.web.site import Channel, Site

log = logging.getLogger(__name__)
SECONDS_PER_DAY = 24 * 3600
SECONDS_PER_HOUR = 3600
EMAIL_KIND = "email"  # the site.yml channel a customer writes to for an erasure


@dataclass(frozen=True)
class Cookies:
    """The cookies a customer's browser may get, by name, with how long each one lives."""
    lang: str
    lang_days: int
    session: str
    staff_session_hours: int


def retention_days(config) -> int | None:
    """The days after which ``kb privacy purge`` removes personal data, when the shop set them.

    Unset, the page promises no number: it cannot see whether a purge is scheduled, so the
    data stays, as far as it knows, until the team deletes it. A value the purge refuses
    (a typo) removes nothing either, and is said in the log."""
    raw = str(config.get(RETENTION_SETTING) or "").strip()
    if not raw:
        return None
    try:
        return parse_days(raw, RETENTION_SETTING)
    except RetentionError as exc:
        log.warning("privacy page: %s; it says data is kept until the team deletes it", exc)
        return None


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
        "privacy.html", days=retention_days(app.config), rate_hours=rate_count_hours(app.config),
        cookies=cookies(app), handed_off=bool(app.extensions["kb.handoff"].channels),
        erase_at=erasure_address(app.extensions["kb.site"]))
