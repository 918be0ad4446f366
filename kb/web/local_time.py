"""Timestamps in the shop's time zone (site.yml ``time_zone``, default Europe/Berlin).

The database keeps UTC ("2026-12-02T08:31Z"); agents and editors read local
time, in the format of the interface language.
"""

from __future__ import annotations

from datetime import date, datetime, timezone
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

DEFAULT_TIME_ZONE = "Europe/Berlin"
FORMATS = {"de": "%d.%m.%Y %H:%M", "en": "%Y-%m-%d %H:%M"}


@lru_cache(maxsize=8)
def site_time_zone(site_file: str | None) -> ZoneInfo:
    """The zone named in site.yml; a missing file or key gives the default, an unknown name a ValueError."""
    name = DEFAULT_TIME_ZONE
    if site_file and Path(site_file).is_file():
        data = yaml.safe_load(Path(site_file).read_text(encoding="utf-8")) or {}
        name = str(data.get("time_zone") or DEFAULT_TIME_ZONE) if isinstance(data, dict) else name
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"{site_file}: unknown time_zone '{name}'") from exc


def parse_utc(value: str) -> datetime | None:
    """'2026-12-02T08:31Z' / '2026-12-02T08:31:05Z' / '2026-12-02' as an aware UTC datetime."""
    text = str(value or "").strip()
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)


def local_time(value: str | None, zone: ZoneInfo, lang: str) -> str:
    """'02.12.2026 09:31' for a German reader in Berlin; the raw value when it is not a timestamp."""
    moment = parse_utc(value or "")
    if moment is None:
        return str(value or "")
    return moment.astimezone(zone).strftime(FORMATS.get(lang, FORMATS["en"]))


CLOCK = "%H:%M"


def local_clock(value: str | None, zone: ZoneInfo, lang: str, now: datetime | None = None) -> str:
    """'10:42' for a moment of today in the shop's zone: a time a colleague began a few minutes
    ago reads best as a clock time. Another day's moment in full (local_time): a clock time
    alone would claim today."""
    moment = parse_utc(value or "")
    if moment is None:
        return str(value or "")
    local = moment.astimezone(zone)
    if local.date() != (now or datetime.now(timezone.utc)).astimezone(zone).date():
        return local_time(value, zone, lang)
    return local.strftime(CLOCK)


def site_today(site_file: str | None) -> date:
    """Today in the shop's time zone: the ``updated:`` date of an article saved now."""
    return datetime.now(site_time_zone(site_file)).date()
