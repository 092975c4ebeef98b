"""Subject access: everything held about a child, as JSON-ready data (audited as an export), transcripts
included, and as a readable PDF (``bot.web.review.export_pdf``)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import ConversationLink
from bot.db.tracker_db import tracker_scope
from bot.services import transcripts
from bot.services.export import export_child
from bot.services.legal_holds import council_child


def _transcripts(refs: list[str]) -> list[dict[str, Any]]:
    """The child's conversations as they are kept now (redacted turns say where the words are kept). The
    conversation ids are not shown: for texts they are phone numbers."""
    with tracker_scope() as conn:
        if not transcripts.has_events_table(conn):
            return []
        senders = transcripts.senders_by_ref(conn, refs)
        return [{"conversation": n, "messages": transcripts.transcript(conn, sender)}
                for n, sender in enumerate(senders, start=1)]


def export_child_record(child_id: str, actor: str, local_authority_id: int | None = None) -> dict[str, Any]:
    """Everything held about ``child_id``; the export is audited as done by ``actor``. With
    ``local_authority_id`` (an admin's council) another council's child is ``NotFound``."""
    with session_scope() as session:
        if local_authority_id is not None:
            council_child(session, child_id, local_authority_id)
        data = export_child(session, child_id, actor)
        query = select(ConversationLink.conversation_ref).where(ConversationLink.child_id == child_id)
        refs = list(session.execute(query).scalars())
    data["transcripts"] = _transcripts(refs)
    return data
