"""The agent workspace's blueprint, and the template helpers its pages share."""

from __future__ import annotations

from flask import Blueprint, current_app, g

from kb.web.agent.copy_answers import copy_text_for
from kb.web.local_time import local_clock, local_time, site_time_zone

bp = Blueprint("agent", __name__, url_prefix="/agent")


@bp.app_template_filter("local_time")
def shop_local_time(value) -> str:
    """UTC from the database as the shop's local time, for agents and editors."""
    return local_time(value, site_time_zone(current_app.config.get("KB_SITE")), g.get("lang", "de"))


@bp.app_template_filter("local_clock")
def shop_local_clock(value) -> str:
    """UTC from the database as the shop's clock time when it is today ("10:42"), else in full."""
    return local_clock(value, site_time_zone(current_app.config.get("KB_SITE")), g.get("lang", "de"))


@bp.app_context_processor
def _agent_globals() -> dict:
    return {"copy_text_for": copy_text_for}
