"""Where contact requests are handed off to: site.yml ``helpdesk:``, overridden by the environment.

Secrets (SMTP password, webhook secret) belong in the environment, not in a
file that is checked in; every setting can come from either place so a
container can be configured by environment alone.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

import yaml

SECURITY_MODES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
MIN_SECRET_CHARS = 16   # an HMAC key shorter than this is guessable

# setting name -> environment variable
ENVIRONMENT = {
    "smtp_host": "KB_SMTP_HOST", "smtp_port": "KB_SMTP_PORT", "smtp_security": "KB_SMTP_SECURITY",
    "smtp_user": "KB_SMTP_USER", "smtp_password": "KB_SMTP_PASSWORD", "smtp_ca_file": "KB_SMTP_CA_FILE",
    "mail_from": "KB_HELPDESK_FROM", "mail_to": "KB_HELPDESK_TO",
    "webhook_url": "KB_WEBHOOK_URL", "webhook_secret": "KB_WEBHOOK_SECRET",
}


class HandoffConfigError(ValueError):
    """The helpdesk settings are incomplete or contradict each other."""


@dataclass(frozen=True)
class HandoffSettings:
    smtp_host: str | None = None
    smtp_port: int | None = None
    smtp_security: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_ca_file: str | None = None     #: CA certificates to trust (a relay with the company's own CA)
    mail_from: str | None = None
    mail_to: str | None = None
    webhook_url: str | None = None
    webhook_secret: str | None = None
    timeout: float = 10.0

    @property
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.mail_to)

    @property
    def webhook_enabled(self) -> bool:
        return bool(self.webhook_url)

    @property
    def channels(self) -> tuple[str, ...]:
        """The delivery channels configured, in a fixed order."""
        return tuple(name for name, on in (("email", self.email_enabled), ("webhook", self.webhook_enabled)) if on)

    @property
    def port(self) -> int:
        return self.smtp_port or DEFAULT_PORTS[self.smtp_security]


def load_handoff_settings(site_file: Path | None, environ: dict | None = None) -> HandoffSettings:
    """Settings from site.yml's ``helpdesk:`` mapping, each overridden by its environment variable."""
    environ = os.environ if environ is None else environ
    values = dict(_from_site(site_file))
    for name, var in ENVIRONMENT.items():
        if environ.get(var):
            values[name] = environ[var]
    return _checked(values, site_file)


def _from_site(site_file: Path | None) -> dict:
    if site_file is None or not Path(site_file).is_file():
        return {}
    try:
        data = yaml.safe_load(Path(site_file).read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise HandoffConfigError(f"{site_file}: cannot read: {exc}") from exc
    section = data.get("helpdesk") if isinstance(data, dict) else None
    if section is None:
        return {}
    if not isinstance(section, dict):
        raise HandoffConfigError(f"{site_file}: 'helpdesk' must be a mapping")
    unknown = set(section) - set(ENVIRONMENT) - {"timeout"}
    if unknown:
        raise HandoffConfigError(f"{site_file}: unknown helpdesk settings: {', '.join(sorted(unknown))}")
    return section


def _loopback(host: str | None) -> bool:
    """Whether ``host`` is this machine: a plain connection to it never crosses a network."""
    if host is None:
        return False
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return host.lower() == "localhost"


def _checked(values: dict, where) -> HandoffSettings:
    security = str(values.get("smtp_security") or "starttls").lower()
    if security not in SECURITY_MODES:
        raise HandoffConfigError(f"{where}: smtp_security must be one of {', '.join(SECURITY_MODES)}")
    try:
        port = int(values["smtp_port"]) if values.get("smtp_port") else None
        timeout = float(values.get("timeout") or 10.0)
    except (TypeError, ValueError) as exc:
        raise HandoffConfigError(f"{where}: smtp_port and timeout must be numbers") from exc
    settings = HandoffSettings(
        smtp_host=values.get("smtp_host") or None, smtp_port=port, smtp_security=security,
        smtp_user=values.get("smtp_user") or None, smtp_password=values.get("smtp_password") or None,
        smtp_ca_file=values.get("smtp_ca_file") or None,
        mail_from=values.get("mail_from") or None, mail_to=values.get("mail_to") or None,
        webhook_url=values.get("webhook_url") or None, webhook_secret=values.get("webhook_secret") or None,
        timeout=timeout)
    if settings.smtp_host and not (settings.mail_to and settings.mail_from):
        raise HandoffConfigError(f"{where}: e-mail hand-off needs mail_from and mail_to")
    if settings.smtp_user and security == "none" and not _loopback(settings.smtp_host):
        raise HandoffConfigError(f"{where}: smtp_user with smtp_security none would send the password "
                                 "unencrypted: use starttls or tls (none is for a relay on this machine)")
    if settings.smtp_ca_file and not Path(settings.smtp_ca_file).is_file():
        raise HandoffConfigError(f"{where}: smtp_ca_file {settings.smtp_ca_file} does not exist")
    if settings.webhook_url:
        if not settings.webhook_url.startswith(("https://", "http://")):
            raise HandoffConfigError(f"{where}: webhook_url must be an http(s) URL")
        if len(settings.webhook_secret or "") < MIN_SECRET_CHARS:
            raise HandoffConfigError(f"{where}: webhook_secret (at least {MIN_SECRET_CHARS} characters) "
                                     "is needed to sign the webhook")
    return settings
