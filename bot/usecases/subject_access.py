"""Subject access: everything held about a child, as JSON-ready data (audited as an export)."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.services.export import export_child


def export_child_record(child_id: str, actor: str) -> dict[str, Any]:
    """Everything held about ``child_id``; the export is audited as done by ``actor``."""
    with session_scope() as session:
        return export_child(session, child_id, actor)
