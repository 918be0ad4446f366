"""Insights for editors (the reports live in :mod:`.queries`)."""

from kb.ops.insights.queries import *  # noqa: F401,F403
from kb.ops.insights.queries import __all__  # noqa: F401
