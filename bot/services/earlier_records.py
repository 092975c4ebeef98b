"""Records sent before sign-in (issue 17): when a conversation is linked to a child, what it sent while the
child was not signed in (anonymous then, ``child_id`` empty) becomes that child's, so a legal hold, the
retention of their case records and their subject access export cover it. Audited with counts only.

Every table with a ``conversation_ref`` and a ``child_id`` that may be empty counts (referrals, statements,
visitor requests, complaints, safeguarding alerts and concerns, SMS picture arrivals...). A record already
another child's is never moved, nor one routed to another council than the child's (the child named that council:
it holds the record, and the child's own council never sees it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from bot.services import audit


def linked_record_tables() -> dict[str, Any]:
    """table name -> model, for every mapped table with a ``conversation_ref`` and a nullable ``child_id``."""
    from bot.db.base import Base

    found: dict[str, Any] = {}
    for mapper in Base.registry.mappers:
        columns = mapper.local_table.columns
        if "conversation_ref" in columns and "child_id" in columns and columns["child_id"].nullable:
            found[mapper.local_table.name] = mapper.class_
    return dict(sorted(found.items()))


def give_to_child(s: Session, conversation_ref: str, child_id: str, link_id: int) -> dict[str, int]:
    """Give the conversation's records of no child to ``child_id``; counts per table (audited when any)."""
    from bot.db.models import Child

    council_id = s.execute(select(Child.local_authority_id).where(Child.id == child_id)).scalar_one_or_none()
    counts: dict[str, int] = {}
    for name, model in linked_record_tables().items():
        where = [model.conversation_ref == conversation_ref, model.child_id.is_(None)]
        if hasattr(model, "routed_council_id"):
            where.append(or_(model.routed_council_id.is_(None), model.routed_council_id == council_id))
        moved = s.execute(update(model).where(*where).values(child_id=child_id))
        if moved.rowcount:
            counts[name] = int(moved.rowcount)
    if counts:
        audit.record(s, audit.child_actor(child_id), "update", "conversation_link", link_id,
                     {"earlier_records": counts})
    return counts
