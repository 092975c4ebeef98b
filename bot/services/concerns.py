"""Possible safeguarding concerns: a message that got a gentle check-in, or was in another language.

Low priority, never a notification: the duty lead reads them in a daily list (``read_models.concern_list``)
and marks each one reviewed. The child's words are stored verbatim (any length: nothing a child says about
being unsafe may be lost). Each function takes a Session, writes its audit event in it and never commits.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.db.concern_models import CONCERN_ANSWERS, SafeguardingConcern
from bot.db.models import utcnow
from bot.services import audit
from bot.services.children import known_child_id
from bot.services.council_routing import route_anonymous
from bot.services.errors import InvalidChoice, NotFound

__all__ = ["ENTITY", "SafeguardingConcern", "answer_concern", "mark_reviewed", "record_concern"]

ENTITY = "safeguarding_concern"


def record_concern(
    s: Session,
    *,
    conversation_id: str,
    child_id: str | None,
    channel: str,
    text: str,
    tier: str,
    source: str,
    category: str | None = None,
    cue: str | None = None,
    language: str | None = None,
) -> SafeguardingConcern:
    """Store one concern (``tier``: concern | language) for the duty lead's daily list."""
    child_id = known_child_id(s, child_id)
    ref = audit.conversation_ref(conversation_id)
    concern = SafeguardingConcern(
        conversation_ref=ref,
        child_id=child_id,
        routed_council_id=None if child_id else route_anonymous(s, None, ref),
        channel=channel,
        text=(text or "").replace("\x00", "\ufffd"),
        tier=tier,
        source=source,
        category=category,
        cue=cue,
        language=language,
        created_at=utcnow(),
    )
    s.add(concern)
    s.flush()
    audit.record(s, audit.actor_for(child_id, conversation_id), "create", ENTITY, concern.id,
                 {"tier": tier, "source": source})
    return concern


def answer_concern(
    s: Session, concern_id: int, conversation_id: str, answer: str, alert_id: int | None = None
) -> SafeguardingConcern:
    """The child's answer to the check-in (``CONCERN_ANSWERS``); the first answer is kept. ``NotFound`` if the
    concern is not this conversation's."""
    if answer not in CONCERN_ANSWERS:
        raise InvalidChoice(f"unknown answer {answer!r}")
    concern = s.get(SafeguardingConcern, concern_id)
    if concern is None or concern.conversation_ref != audit.conversation_ref(conversation_id):
        raise NotFound("no such concern")
    if concern.answer is None:
        concern.answer = answer
        concern.answered_at = utcnow()
    if alert_id is not None and concern.alert_id is None:
        concern.alert_id = alert_id
    s.flush()
    audit.record(s, audit.actor_for(concern.child_id, conversation_id), "update", ENTITY, concern.id,
                 {"answer": concern.answer})
    return concern


def mark_reviewed(s: Session, concern_id: int, actor: str) -> SafeguardingConcern:
    """A member of the duty team has read the concern. The first review is kept."""
    concern = s.get(SafeguardingConcern, concern_id)
    if concern is None:
        raise NotFound("no such concern")
    if concern.reviewed_at is None:
        concern.reviewed_by = actor
        concern.reviewed_at = utcnow()
        s.flush()
        audit.record(s, actor, "update", ENTITY, concern.id, {"reviewed": True})
    return concern
