"""When a person reads what this child sends (for the greeting and the call-back): the hours of the council of
the conversation (the signed-in child's council, else the council a child not signed in named before), else the
server's hours. Read only; nothing is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.services import audit, council_hours
from bot.services.children import child_for_conversation
from bot.services.council_routing import route_anonymous


def _council(session: Session, conversation_id: str | None) -> int | None:
    if not conversation_id:
        return None
    child = child_for_conversation(session, conversation_id)
    if child is not None:
        return child.local_authority_id
    return route_anonymous(session, None, audit.conversation_ref(conversation_id))


def when_someone_reads(conversation_id: str | None, now: datetime | None = None) -> str:
    """'today, before 5pm' / 'tomorrow, after 9am' / 'on Monday, after 9am' for this conversation's council."""
    with session_scope() as session:
        return council_hours.when_someone_reads(session, _council(session, conversation_id), now)


def reading_hours_phrase(conversation_id: str | None) -> str:
    """'on working days, 9am to 5pm' for this conversation's council."""
    with session_scope() as session:
        return council_hours.hours_phrase(session, _council(session, conversation_id))
