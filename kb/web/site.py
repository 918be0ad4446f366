"""The shop's own details for the portal (name, contact channels), from site.yml.

Kept out of the articles because they are settings, not help content, and out
of the code so each shop can state its own hours without a release.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

SAFE_SCHEMES = ("tel:", "mailto:", "https:")


class SiteConfigError(ValueError):
    pass


@dataclass(frozen=True)
class Channel:
    kind: str
    label: dict[str, str]
    value: str
    href: str | None
    hours: dict[str, str]


@dataclass(frozen=True)
class Site:
    name: str = "Help centre"
    tagline: dict[str, str] = field(default_factory=dict)
    channels: tuple[Channel, ...] = ()
    featured: tuple[str, ...] = ()
    base_url: str | None = None
    four_eyes_review: bool = False  # editors' drafts are published by another editor
    own_names: tuple[str, ...] = ()  # the name as configured: the search's encoders leave it out
    # the domains of the shop's e-mail channels: a pasted forward's note from one is a colleague's
    own_domains: tuple[str, ...] = ()


def _texts(value, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if isinstance(value, str):
        return {"*": value}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SiteConfigError(f"{where}: expected text or a mapping language -> text")
    return {str(k): v for k, v in value.items()}


def checked_base_url(value, where: str) -> str | None:
    """The portal's public address (``https://help.example.com``), without a trailing slash.

    Absolute links (sitemap, links agents copy into e-mails) are built from it
    and never from the request's Host header, which any client can set. Only
    scheme and host (and port): the portal is served at the root of that host.
    """
    if value in (None, ""):
        return None
    parts = urlsplit(value) if isinstance(value, str) else None
    if (parts is None or parts.scheme not in ("https", "http") or not parts.hostname or parts.username
            or parts.password or parts.path not in ("", "/") or parts.query or parts.fragment):
        raise SiteConfigError(f"{where}: the public base URL must look like https://help.example.com "
                              f"(scheme and host only), not {str(value)[:100]!r}")
    return f"{parts.scheme}://{parts.netloc}"


def mail_domains(channels: tuple[Channel, ...]) -> tuple[str, ...]:
    """The domains of the e-mail channels' addresses ("service@hafenkorb.de" -> "hafenkorb.de"),
    lower case, each once: the shop's colleagues write from them."""
    addresses = [(ch.href or "").removeprefix("mailto:").split("?")[0] or ch.value
                 for ch in channels if ch.kind == "email"]
    domains = [address.rpartition("@")[2].strip().strip(".").lower() for address in addresses if "@" in address]
    return tuple(dict.fromkeys(domain for domain in domains if domain))


def load_site(path: Path | None) -> Site:
    """Read site.yml; a missing file gives neutral defaults, a broken one a clear error."""
    if path is None or not Path(path).is_file():
        return Site()
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise SiteConfigError(f"{path}: cannot read site settings: {exc}") from exc
    if not isinstance(data, dict):
        raise SiteConfigError(f"{path}: expected a mapping at the top level")
    channels = []
    for n, item in enumerate(data.get("channels") or [], 1):
        if not isinstance(item, dict) or not isinstance(item.get("value"), str):
            raise SiteConfigError(f"{path}: channel {n} needs at least a 'value'")
        href = item.get("href")
        if href is not None and (not isinstance(href, str) or not href.startswith(SAFE_SCHEMES)):
            raise SiteConfigError(f"{path}: channel {n}: href must start with one of {', '.join(SAFE_SCHEMES)}")
        channels.append(Channel(kind=str(item.get("kind", "other")),
                                label=_texts(item.get("label"), f"{path}: channel {n} label"),
                                value=item["value"], href=href,
                                hours=_texts(item.get("hours"), f"{path}: channel {n} hours")))
    featured = data.get("featured") or []
    if not isinstance(featured, list) or not all(isinstance(f, str) for f in featured):
        raise SiteConfigError(f"{path}: 'featured' must be a list of translation keys or article ids")
    review = data.get("four_eyes_review", False)
    if not isinstance(review, bool):
        raise SiteConfigError(f"{path}: 'four_eyes_review' must be true or false")
    name = data.get("name")
    return Site(name=str(name or "Help centre"), four_eyes_review=review,
                own_names=(str(name),) if name else (), own_domains=mail_domains(tuple(channels)),
                tagline=_texts(data.get("tagline"), f"{path}: tagline"),
                channels=tuple(channels), featured=tuple(featured),
                base_url=checked_base_url(data.get("base_url"), f"{path}: base_url"))


def text_in(texts: dict[str, str], lang: str) -> str:
    return texts.get(lang) or texts.get("*") or next(iter(texts.values()), "")
