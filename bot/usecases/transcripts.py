"""A child says "delete this chat" (issue 17): what the conversation sent and any safeguarding alert it raised
stay in the case database; the transcript is deleted by the tracker store once this turn is saved
(``bot.rasa_ext.minimise``). Audited with counts only, as the conversation (never its id)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, SafeguardingAlert, VisitorRequest, WishesStatement
from bot.services import audit


@dataclass(frozen=True)
class ChatForgotten:
    alerts_kept: int  # safeguarding alerts this conversation raised: they stay with a person
    records_kept: int  # referrals, statements and visitor requests it sent: they stay where they were sent


def forget_chat(conversation_id: str) -> ChatForgotten:
    """Record that the child asked to delete this conversation's transcript; say what stays."""
    ref = audit.conversation_ref(conversation_id)
    with session_scope() as s:
        alerts = s.execute(
            select(func.count(SafeguardingAlert.id)).where(SafeguardingAlert.conversation_ref == ref)
        ).scalar_one()
        records = sum(
            s.execute(select(func.count(model.id)).where(model.conversation_ref == ref)).scalar_one()
            for model in (AdvocacyReferral, WishesStatement, VisitorRequest)
        )
        audit.record(s, audit.conversation_actor(conversation_id), "purge", "transcript", None,
                     {"asked_by": "child", "alerts_kept": alerts, "records_kept": records})
    return ChatForgotten(alerts, records)
