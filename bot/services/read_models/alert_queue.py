"""The duty team's safeguarding alert queue: open alerts (escalated first, oldest first), then the latest
acknowledged ones."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SafeguardingAlert, StaffUser, utcnow
from bot.services.read_models.access import council_condition
from bot.services.review_admin import council_settings


def alert_view(a: SafeguardingAlert, escalate_after: timedelta | None) -> dict[str, Any]:
    """One alert; open alerts older than ``escalate_after`` are ``escalated`` (never when it is None)."""
    now = utcnow()
    open_ = a.acknowledged_at is None
    return {
        "id": a.id,
        "child_id": a.child_id,
        "child_name": a.child.chosen_name if a.child else None,
        "unrouted": a.child_id is None and a.routed_council_id is None,  # seen by the triage council
        "channel": a.channel,
        "text": a.text,
        "category": a.category,
        "created_at": a.created_at,
        "age_minutes": int((now - a.created_at).total_seconds() // 60),
        "open": open_,
        "escalated": bool(open_ and escalate_after is not None and now - a.created_at >= escalate_after),
        "acknowledged_by": a.acknowledged_by,
        "acknowledged_at": a.acknowledged_at,
        "ack_note": a.ack_note,
    }


def alert_queue(
    s: Session, staff: StaffUser, *, escalate_after: timedelta, acknowledged_limit: int = 50
) -> list[dict[str, Any]]:
    """Open alerts (escalated first, oldest first), then the latest acknowledged ones."""
    condition = council_condition(s, SafeguardingAlert, staff)
    open_alerts = (
        s.execute(
            select(SafeguardingAlert)
            .where(condition, SafeguardingAlert.acknowledged_at.is_(None))
            .order_by(SafeguardingAlert.created_at, SafeguardingAlert.id)
        )
        .scalars()
        .all()
    )
    done = (
        s.execute(
            select(SafeguardingAlert)
            .where(condition, SafeguardingAlert.acknowledged_at.is_not(None))
            .order_by(SafeguardingAlert.acknowledged_at.desc())
            .limit(acknowledged_limit)
        )
        .scalars()
        .all()
    )
    rows = [alert_view(a, escalate_after) for a in open_alerts]
    rows.sort(key=lambda r: (not r["escalated"], r["created_at"], r["id"]))
    return rows + [alert_view(a, escalate_after) for a in done]


def duty_queue(s: Session, staff: StaffUser) -> dict[str, Any]:
    """The duty team's page: the queue, escalated after the council's escalation time."""
    settings = council_settings(s, staff.local_authority_id)
    rows = alert_queue(s, staff, escalate_after=settings.escalate_after)
    return {"rows": rows, "escalation_minutes": settings.alert_escalation_minutes}
