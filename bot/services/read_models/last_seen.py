"""When a member of staff last opened a child's record (from the audit trail's ``read`` events), and so
which of the child's statements are new to them."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEvent, StaffUser
from bot.services import audit


def last_views(s: Session, staff: StaffUser, child_ids: list[str]) -> dict[str, datetime]:
    """When ``staff`` last opened each child's record (from the audit trail)."""
    if not child_ids:
        return {}
    rows = s.execute(
        select(AuditEvent.entity_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.actor == audit.staff_actor(staff.username),
            AuditEvent.action == "read",
            AuditEvent.entity_type == "child",
            AuditEvent.entity_id.in_(child_ids),
        )
        .group_by(AuditEvent.entity_id)
    )
    result = {}
    for child_id, at in rows:
        if at is not None and at.tzinfo is None:  # in case a driver hands back a naive UTC value
            at = at.replace(tzinfo=timezone.utc)
        result[child_id] = at
    return result


def mark_new_statements(s: Session, staff: StaffUser, record: dict[str, Any]) -> dict[str, Any]:
    """Mark each visible statement of a child record ``new`` when sent after ``staff`` last opened it.
    Call it before the read is audited (else every statement is old)."""
    child_id = record["child"]["id"]
    seen = last_views(s, staff, [child_id]).get(child_id)
    for statement in record["statements"]:
        statement["new"] = statement["visible"] and (seen is None or statement["sent_at"] > seen)
    return record
