"""The insights page's period: the last 7, 30, 90 or 365 days, or the days an editor names.

Every report (:mod:`kb.ops.insights`) counts ``days`` calendar days of the shop
ending on the day of ``now``; a named range ``from``–``to`` (both inclusive, the
shop's days) is the same thing with ``now`` on its last day, so the reports need
no second way of being asked.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from kb.web.i18n import _

PERIODS = (7, 30, 90, 365)
DEFAULT_DAYS = 30
MAX_RANGE_DAYS = 3 * 366  # reports read every search of the range; three years is a long look back
_MIDDAY = time(12)  # any moment of the last day: noon is that day in every zone
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")  # not "2026-W49-1" or "20260301": the form's own writing
FIRST_DAY = date(2000, 1, 1)  # no help centre logged a search before; earlier days overflow in time zones


class PeriodError(ValueError):
    """The period's arguments make no period; the message says what to send."""


@dataclass(frozen=True)
class ReportPeriod:
    days: int
    now: datetime | None  #: None: the days end today
    first: date
    last: date
    named: bool  #: from/to given, not one of PERIODS

    def args(self) -> dict[str, str | int]:
        """The query arguments that ask for this period again (links, CSV downloads)."""
        if self.named:
            return {"from": self.first.isoformat(), "to": self.last.isoformat()}
        return {"days": self.days}

    def file_part(self) -> str:
        return f"{self.first.isoformat()}_{self.last.isoformat()}" if self.named else f"{self.days}d"


def report_period(args, zone: tzinfo | None, now: datetime | None = None) -> ReportPeriod:
    """The period the request's ``days``, or ``from`` and ``to``, name."""
    today = (now or datetime.now(timezone.utc)).astimezone(zone or timezone.utc).date()
    if args.get("from") or args.get("to"):
        return _named(args.get("from", ""), args.get("to", ""), today, zone)
    try:
        days = int(args.get("days", DEFAULT_DAYS))
    except ValueError:
        days = None
    if days not in PERIODS:
        raise PeriodError(_("The period is one of {periods} days.", periods=", ".join(map(str, PERIODS))))
    return ReportPeriod(days, now, today - timedelta(days=days - 1), today, False)


def _named(first_text: str, last_text: str, today: date, zone: tzinfo | None) -> ReportPeriod:
    if not first_text.strip():
        raise PeriodError(_("The period needs its first day, written YYYY-MM-DD."))
    first = _day(first_text)
    last = _day(last_text) if last_text.strip() else today  # "since" a day
    if first > last:
        raise PeriodError(_("The first day ({first}) comes after the last day ({last}).",
                            first=first.isoformat(), last=last.isoformat()))
    if last > today:
        raise PeriodError(_("The last day ({last}) is in the future; today is {today}.",
                            last=last.isoformat(), today=today.isoformat()))
    days = (last - first).days + 1
    if days > MAX_RANGE_DAYS:
        raise PeriodError(_("A period is at most {n} days long; this one has {days}.",
                            n=MAX_RANGE_DAYS, days=days))
    return ReportPeriod(days, datetime.combine(last, _MIDDAY, zone or timezone.utc), first, last, True)


def _day(text: str) -> date:
    """A day written YYYY-MM-DD, from FIRST_DAY on."""
    text = text.strip()
    try:
        day = datetime.strptime(text, "%Y-%m-%d").date() if _ISO_DAY.fullmatch(text) else None
    except ValueError:
        day = None
    if day is None:
        raise PeriodError(_("“{typed}” is not a day; write it as YYYY-MM-DD, e.g. 2026-03-01.", typed=text[:40]))
    if day < FIRST_DAY:
        raise PeriodError(_("The reports begin on {first}; “{typed}” is before that.", first=FIRST_DAY.isoformat(),
                            typed=text))
    return day
