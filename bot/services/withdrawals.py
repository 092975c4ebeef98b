"""A child takes back what they sent: an advocacy referral, a request for a visitor or a wishes statement.

What was sent is named as the conversation remembers it, ``"<record type>:<id>"`` (``sent_ref``; the
``last_sent`` slot). That name comes from the conversation, so it is checked, never trusted: only the
conversation's own child may take back their record, and a conversation nobody signed in to only what it sent
itself (the record's ``conversation_ref`` is this conversation's). Anything else is refused
(``requester.refuse``: audited, ``NotYours``, nothing changed).

A referral or a request becomes ``withdrawn``; a statement gets ``withdrawn_at`` and keeps its words for the
record. Each is audited, with the child (or the conversation) as the actor. Staff see it in the review app.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, VisitorRequest, WishesStatement
from bot.services import audit, referrals, requester, visitors, wishes

WITHDRAWN = "withdrawn"  # taken back now
ALREADY = "already"  # taken back before (a second tap, a retry)
TOO_LATE = "too_late"  # finished by staff: nothing to take back

RECORDS: dict[str, Any] = {
    "advocacy_referral": AdvocacyReferral,
    "visitor_request": VisitorRequest,
    "wishes_statement": WishesStatement,
}
_WITHDRAW = {
    "advocacy_referral": referrals.withdraw_by_child,
    "visitor_request": visitors.withdraw_request_by_child,
    "wishes_statement": wishes.withdraw_by_child,
}
_SENT = re.compile(r"(advocacy_referral|visitor_request|wishes_statement):([0-9]{1,9})")
REQUEST = "withdraw sent record"


def sent_ref(record_type: str, record_id: int) -> str:
    """How a conversation remembers what it sent: ``"advocacy_referral:12"``."""
    if record_type not in RECORDS:
        raise ValueError(f"unknown record type {record_type!r}")
    return f"{record_type}:{int(record_id)}"


def parse_sent_ref(sent: object) -> tuple[str, int] | None:
    """(record type, id) of a ``sent_ref``, or None for anything else (a forged or garbled slot)."""
    if not isinstance(sent, str):
        return None
    found = _SENT.fullmatch(sent)
    return (found.group(1), int(found.group(2))) if found else None


def is_withdrawn(record: Any) -> bool:
    return getattr(record, "withdrawn_at", None) is not None or getattr(record, "status", None) == "withdrawn"


def _sent_by(record: Any, child_id: str | None, conversation_id: str) -> bool:
    """The record is the conversation's child's; or, a record of no child, this very conversation's."""
    if record.child_id is not None:
        return child_id is not None and record.child_id == child_id
    return record.conversation_ref == audit.conversation_ref(conversation_id)


def withdraw_own(s: Session, conversation_id: str, sent: object) -> str:
    """Take back what ``sent`` names for this conversation: ``WITHDRAWN``, ``ALREADY`` or ``TOO_LATE``.
    Raises ``NotYours`` (audited) when it is not the conversation's to take back, or names nothing."""
    parsed = parse_sent_ref(sent)
    record_type = parsed[0] if parsed else "record"
    record = s.get(RECORDS[parsed[0]], parsed[1]) if parsed else None
    child_id = requester.requesting_child(s, conversation_id, None, REQUEST)
    if record is None or not _sent_by(record, child_id, conversation_id):
        requester.refuse(s, conversation_id, record_type, parsed[1] if parsed else None,
                         "not sent from this conversation's child", REQUEST)
    if _WITHDRAW[record_type](s, record, audit.actor_for(child_id, conversation_id)):
        return WITHDRAWN
    return ALREADY if is_withdrawn(record) else TOO_LATE
