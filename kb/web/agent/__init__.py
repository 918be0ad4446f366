"""The agent workspace: search with internal articles, pasted messages, the inbox.

Editors get the editor tools on top (insights, drafts preview, reload). The pages share
one blueprint, ``agent`` (kb/web/agent/blueprint.py); importing this package adds every
module's pages to it.
"""

from __future__ import annotations

from kb.web.agent.blueprint import bp
from kb.web.agent import workspace, inbox, drafts, insights

__all__ = ["bp", "drafts", "inbox", "insights", "workspace"]
