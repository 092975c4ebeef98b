"""What a conversation's child sent before this chat (issue 20): so a "stop" or "I changed my mind" in a new
session is told the truth ("nothing in this chat was sent", and that what they sent before is still sent), and
can take that back.

The latest advocacy referral, visitor request or wishes statement the conversation's child sent and has not taken
back (or, for a conversation nobody signed in to, the latest this conversation sent itself), named as the
conversation remembers what it sent (``withdrawals.sent_ref``). Takes a session, reads only; taking it back is
``withdrawals.withdraw_own``, which checks again whose it is.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services import audit, withdrawals
from bot.services.children import child_for_conversation

LOOK_BACK = 5  # rows per kind of record: the latest that is not taken back is among them


def _latest_of(s: Session, model: Any, child_id: str | None, conversation_id: str) -> Any | None:
    if child_id is not None:
        where = model.child_id == child_id
    else:
        where = (model.child_id.is_(None)) & (model.conversation_ref == audit.conversation_ref(conversation_id))
    rows = s.execute(select(model).where(where).order_by(model.created_at.desc(), model.id.desc())
                     .limit(LOOK_BACK)).scalars()
    return next((row for row in rows if not withdrawals.is_withdrawn(row)), None)


def latest_sent(s: Session, conversation_id: str, record_type: str | None = None) -> str | None:
    """``"<record type>:<id>"`` of the latest record the conversation's child sent and has not taken back (of
    ``record_type`` only, when given: "take back my review answers" means a wishes statement), or None when there
    is none."""
    if record_type is not None and record_type not in withdrawals.RECORDS:
        raise ValueError(f"unknown record type {record_type!r}")
    child = child_for_conversation(s, conversation_id)
    child_id = child.id if child is not None else None
    found: list[tuple[datetime, str]] = []
    for kind, model in withdrawals.RECORDS.items():
        if record_type is not None and kind != record_type:
            continue
        row = _latest_of(s, model, child_id, conversation_id)
        if row is not None:
            found.append((row.created_at, withdrawals.sent_ref(kind, row.id)))
    return max(found)[1] if found else None
