"""The duty lead's daily list of possible concerns: one day's check-ins and messages in another language, in
the staff member's council, newest first, with how many from earlier days are still not reviewed."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.concern_models import SafeguardingConcern
from bot.db.models import StaffUser
from bot.services.errors import NotFound
from bot.services.read_models.access import council_condition

ANSWER_LABELS = {
    None: "no answer yet",
    "yes": "said yes: someone is hurting them (alert raised)",
    "not_sure": "not sure (alert raised)",
    "no": "said no",
    "unclear": "answered something else",
    "disclosed": "told more (alert raised)",
}
LANGUAGE_NAMES = {
    "ar": "Arabic", "ckb": "Kurdish (Sorani)", "ps": "Pashto", "fa": "Dari/Farsi", "ti": "Tigrinya",
    "vi": "Vietnamese", "sq": "Albanian", "other": "another language",
}


def concern_view(c: SafeguardingConcern) -> dict[str, Any]:
    """One concern as the list shows it."""
    return {
        "id": c.id,
        "child_id": c.child_id,
        "child_name": c.child.chosen_name if c.child else None,
        "channel": c.channel,
        "text": c.text,
        "tier": c.tier,
        "source": c.source,
        "category": c.category,
        "cue": c.cue,
        "language": LANGUAGE_NAMES.get(c.language or "", None),
        "answer": ANSWER_LABELS.get(c.answer, c.answer),
        "alert_id": c.alert_id,
        "created_at": c.created_at,
        "reviewed_by": c.reviewed_by,
        "reviewed_at": c.reviewed_at,
    }


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return start, start + timedelta(days=1)


def concern_list(s: Session, staff: StaffUser, day: date) -> dict[str, Any]:
    """The concerns of ``day`` (UTC) in ``staff``'s council, newest first; the count still not reviewed from
    before that day."""
    condition = council_condition(s, SafeguardingConcern, staff)
    start, end = _day_bounds(day)
    rows = (
        s.execute(
            select(SafeguardingConcern)
            .where(condition, SafeguardingConcern.created_at >= start, SafeguardingConcern.created_at < end)
            .order_by(SafeguardingConcern.created_at.desc(), SafeguardingConcern.id.desc())
        )
        .scalars()
        .all()
    )
    earlier = s.execute(
        select(func.count(SafeguardingConcern.id)).where(
            condition, SafeguardingConcern.created_at < start, SafeguardingConcern.reviewed_at.is_(None)
        )
    ).scalar_one()
    return {
        "day": day,
        "previous_day": day - timedelta(days=1),
        "next_day": day + timedelta(days=1),
        "rows": [concern_view(c) for c in rows],
        "unreviewed_earlier": int(earlier),
    }


def concern_for_staff(s: Session, staff: StaffUser, concern_id: int) -> SafeguardingConcern:
    """A concern the duty team may mark reviewed (``NotFound`` otherwise)."""
    if staff.role != "duty":
        raise NotFound("no such concern")
    concern = s.execute(
        select(SafeguardingConcern).where(
            SafeguardingConcern.id == concern_id, council_condition(s, SafeguardingConcern, staff)
        )
    ).scalar_one_or_none()
    if concern is None:
        raise NotFound("no such concern")
    return concern
