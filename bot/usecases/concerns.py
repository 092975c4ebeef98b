"""Possible safeguarding concerns (issue 14): the check-ins and messages in another language a duty lead reads
once a day. The bot records them and the child's answers; the review app lists them and marks them reviewed.

A concern is low priority and never notifies anyone; an answer of yes or not sure raises an urgent alert
through ``bot.usecases.alerts`` (the one way to raise one). Recording a concern never stops the child's reply and
never loses it: when the database cannot take it, it is spooled to disk (``bot.safeguarding.alert_spool``) and
``flush_concern_spool`` moves it in when the database is back (the notifier loop calls it with the alerts').
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.safeguarding import alert_spool
from bot.services import audit, concerns
from bot.services.errors import NotFound
from bot.services.read_models.concern_list import concern_for_staff, concern_list
from bot.usecases.alerts import drain_spool
from bot.usecases.review_reads import Asked, Seen, guarded, staff_read

logger = logging.getLogger(__name__)


def record_concern(
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
) -> int | None:
    """Store a concern (committed); its id, or None when the database could not take it and it was spooled to
    disk instead."""
    fields = dict(conversation_id=conversation_id, child_id=child_id, channel=channel, text=text, tier=tier,
                  source=source, category=category, cue=cue, language=language)
    try:
        with session_scope() as session:
            return int(concerns.record_concern(session, **fields).id)
    except SQLAlchemyError as error:
        logger.error("safeguarding concern spooled to disk, database unavailable: %s", type(error).__name__)
        alert_spool.spool(fields, alert_spool.CONCERN)
        return None


def flush_concern_spool() -> int:
    """Move concerns spooled to disk into the database (``bot.usecases.alerts.drain_spool``); returns how many were
    moved."""
    return drain_spool(alert_spool.CONCERN, lambda session, fields: concerns.record_concern(session, **fields))


def answer_check_in(concern_id: int, conversation_id: str, answer: str, alert_id: int | None = None) -> bool:
    """Record the child's answer to a check-in (committed); False when the concern is not found or the
    database could not take it."""
    try:
        with session_scope() as session:
            concerns.answer_concern(session, concern_id, conversation_id, answer, alert_id)
        return True
    except (NotFound, SQLAlchemyError) as error:
        logger.error("check-in answer not recorded: %s", type(error).__name__)
        return False


def read_concern_list(staff: StaffUser, day: date) -> dict[str, Any]:
    """The duty lead's list for ``day``; every concern shown is audited as read."""
    return staff_read(
        staff,
        lambda s: concern_list(s, staff, day),
        lambda data: [Seen("read", concerns.ENTITY, row["id"]) for row in data["rows"]],
    )


def mark_concern_reviewed(staff: StaffUser, concern_id: int) -> None:
    """A duty lead has read a concern (``NotFound`` outside their council, audited as refused)."""
    with guarded(staff, Asked(concerns.ENTITY, concern_id, {"change": "reviewed"})), session_scope() as s:
        concern_for_staff(s, staff, concern_id)
        concerns.mark_reviewed(s, concern_id, audit.staff_actor(staff.username))
