"""The duty team's safeguarding alert queue: open alerts (escalated first, oldest first), then the latest
acknowledged ones; and one alert's own page (``alert_detail``), the only place a call-back's phone number is
opened, for the duty lead."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import object_session
from sqlalchemy.orm import Session

from bot.db.models import SafeguardingAlert, StaffUser, utcnow
from bot.db.routing_models import AlertCallback, AlertViewer
from bot.services.alert_visibility import visible
from bot.services.call_backs import callback_view
from bot.services.phone_vault import contact_phone
from bot.services.read_models.access import alert_for_staff, council_condition
from bot.services.read_models.alert_viewers import duty_colleagues, viewer_choices
from bot.services.read_models.late_records import late_records
from bot.services.review_admin import council_settings


def a_callback(a: SafeguardingAlert) -> AlertCallback | None:
    session = object_session(a)
    return session.execute(select(AlertCallback).where(AlertCallback.alert_id == a.id)).scalar_one_or_none()


def a_viewers(a: SafeguardingAlert) -> list[AlertViewer]:
    session = object_session(a)
    return list(session.execute(select(AlertViewer).where(AlertViewer.alert_id == a.id)).scalars())


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
        # Issue 15: a call-back the child asked for (shown first), the child's own social worker never sees it,
        # and the staff a duty lead restricted it to (empty: not restricted).
        "callback": callback_view(a_callback(a)),
        "about_social_worker": a.about_social_worker,
        "withheld_from_social_worker": a.withheld_from_social_worker,
        "restricted_to": [v.staff_id for v in a_viewers(a)],
    }


def alert_queue(
    s: Session, staff: StaffUser, *, escalate_after: timedelta, acknowledged_limit: int = 50
) -> list[dict[str, Any]]:
    """Open alerts (with a call-back first, then escalated, oldest first), then the latest acknowledged ones;
    only those ``staff`` may see (``alert_visibility``)."""
    condition = and_(council_condition(s, SafeguardingAlert, staff), visible(staff))
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
    rows.sort(key=lambda r: (r["callback"] is None, not r["escalated"], r["created_at"], r["id"]))
    return rows + [alert_view(a, escalate_after) for a in done]


def duty_queue(s: Session, staff: StaffUser) -> dict[str, Any]:
    """The duty team's page: the queue, escalated after the council's escalation time, each alert with the
    people it may be restricted to (``alert_viewers``); and the records past their deadline (``late_records``)."""
    settings = council_settings(s, staff.local_authority_id)
    rows = alert_queue(s, staff, escalate_after=settings.escalate_after)
    colleagues = duty_colleagues(s, staff)
    for row in rows:
        row["viewer_choices"] = viewer_choices(s, s.get(SafeguardingAlert, row["id"]), staff, colleagues)
    return {"rows": rows, "escalation_minutes": settings.alert_escalation_minutes, "late": late_records(s, staff)}


def alert_detail(s: Session, staff: StaffUser, alert_id: int) -> dict[str, Any]:
    """One alert for the duty lead of its council who may see it (``access.alert_for_staff``: ``NotFound``
    otherwise, also for every other role, whether or not it exists), as on the queue, with the phone number the
    child gave for the call-back opened (``callback_phone``; ``bot.usecases.review_queues.open_alert`` audits it
    as ``alert_callback_phone``)."""
    alert = alert_for_staff(s, staff, alert_id)
    settings = council_settings(s, staff.local_authority_id)
    view = alert_view(alert, settings.escalate_after)
    callback = a_callback(alert)
    view["callback_phone"] = contact_phone(callback.contact_phone_encrypted) if callback is not None else None
    view["viewer_choices"] = viewer_choices(s, alert, staff, duty_colleagues(s, staff))
    return view
