"""The reporting period (calendar days ending today: UTC days, or the shop's) and the checks of report arguments."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

def period(days: int, now: datetime | None, zone: tzinfo | None = None) -> tuple[date, date]:
    """First and last day (inclusive) of the period: UTC days, or the days of ``zone``."""
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise ValueError(f"days must be a positive integer, not {days!r}")
    if now is None:
        now = datetime.now(timezone.utc)
    if now.tzinfo is not None:
        now = now.astimezone(zone or timezone.utc)
    last = now.date()
    return last - timedelta(days=days - 1), last


def bounds(days: int, now: datetime | None, zone: tzinfo | None = None) -> tuple[str, str]:
    """SQL bounds ``since <= at < until`` of the period, for ``at`` columns.

    Without ``zone`` they are plain dates: ``at`` ('2026-03-01T09:15Z') and ``day``
    ('2026-03-01') both compare correctly against them as strings, so one pair works
    for every table and keeps the ``searches_at`` index usable. With ``zone`` (the
    shop's time zone) they are the UTC minutes of the shop's midnights, for ``at``
    only; a ``day`` column takes ``day_bounds(*period(days, now, zone))``.
    """
    return day_bounds(*period(days, now, zone), zone)


def day_bounds(first: date, last: date, zone: tzinfo | None = None) -> tuple[str, str]:
    """SQL bounds ``since <= at < until`` of the days ``first`` to ``last``: plain dates (UTC
    days), or the UTC minutes the midnights of ``zone`` fall on (for ``at`` columns only)."""
    if zone is None:
        return first.isoformat(), (last + timedelta(days=1)).isoformat()

    def midnight(day: date) -> str:
        return datetime.combine(day, time(), zone).astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
    return midnight(first), midnight(last + timedelta(days=1))


def check_limit(limit: int | None) -> None:
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 0):
        raise ValueError(f"limit must be a non-negative integer, not {limit!r}")
