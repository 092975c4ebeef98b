"""Statutory Looked After Review timescales, using each council's settings.

The Care Planning Regulations set the defaults (a council can change them in the admin settings): the first
review within 20 working days of the child coming into care, the second within 3 months of the first, and
each later one within 6 months of the one before. Working days are Monday to Friday, leaving out England's
bank holidays and their substitute days (from the ``holidays`` package; see ``referrals.add_working_days``).

``record_review_held`` is what an IRO or social worker does after a review: it moves the count on and sets
the next review date (the latest allowed date unless they give an earlier one).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.db.models import Child, utcnow
from bot.services import audit
from bot.services.errors import InvalidChoice, NotFound
from bot.services.referrals import add_working_days
from bot.services.review_admin import CouncilSettings, council_settings


def add_months(start: date, months: int) -> date:
    """The same day ``months`` later, or the month's last day when it is shorter (31 Jan + 1 = 28/29 Feb)."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def review_due_by(child: Child, settings: CouncilSettings) -> date | None:
    """The latest date the child's next review may be held on, or None when Heard lacks the dates."""
    held = child.reviews_held or 0
    if held == 0:
        if child.entered_care_on is None:
            return None
        return add_working_days(child.entered_care_on, settings.first_review_working_days)
    if child.last_review_on is None:
        return None
    months = settings.second_review_months if held == 1 else settings.later_review_months
    return add_months(child.last_review_on, months)


@dataclass(frozen=True)
class ReviewTiming:
    due_by: date | None
    status: str  # "ok", "no_date", "later_than_allowed" or "overdue"


STATUS_TEXT = {
    "ok": "",
    "no_date": "No review date set",
    "later_than_allowed": "Review date is later than the timescale allows",
    "overdue": "Review is overdue",
}


def review_timing(child: Child, settings: CouncilSettings, today: date | None = None) -> ReviewTiming:
    """Whether the child's next review date keeps to the council's timescales."""
    today = today or utcnow().date()
    due_by = review_due_by(child, settings)
    planned = child.next_review_date
    if due_by is not None and due_by < today and (planned is None or planned > due_by or planned < today):
        status = "overdue"  # the latest allowed date has passed with no review recorded
    elif planned is None:
        status = "no_date"
    elif planned < today:
        status = "overdue"  # the date passed and no review was recorded as held
    elif due_by is not None and planned > due_by:
        status = "later_than_allowed"
    else:
        status = "ok"
    return ReviewTiming(due_by, status)


def record_review_held(
    s: Session, child_id: str, held_on: date, actor: str, next_review_date: date | None = None
) -> Child:
    """Record a review held on ``held_on`` and set the next review date (by default the latest allowed)."""
    child = s.get(Child, child_id)
    if child is None:
        raise NotFound("no such child")
    today = utcnow().date()
    if held_on > today:
        raise InvalidChoice("A review cannot be recorded before it is held.")
    if child.last_review_on is not None and held_on < child.last_review_on:
        raise InvalidChoice("That date is before the last review recorded.")
    child.reviews_held = (child.reviews_held or 0) + 1
    child.last_review_on = held_on
    due_by = review_due_by(child, council_settings(s, child.local_authority_id))
    if next_review_date is not None and next_review_date <= held_on:
        raise InvalidChoice("The next review must be after this one.")
    child.next_review_date = next_review_date or due_by
    s.flush()
    audit.record(
        s,
        actor,
        "update",
        "child",
        child_id,
        {"review_held_on": held_on.isoformat(), "reviews_held": child.reviews_held,
         "next_review_date": child.next_review_date.isoformat() if child.next_review_date else None},
    )
    return child


def set_entered_care(s: Session, child_id: str, entered_on: date, actor: str) -> Child:
    """Record when the child came into care (the first review is due within the council's working days)."""
    child = s.get(Child, child_id)
    if child is None:
        raise NotFound("no such child")
    if entered_on > utcnow().date():
        raise InvalidChoice("The date the child came into care cannot be in the future.")
    child.entered_care_on = entered_on
    s.flush()
    audit.record(s, actor, "update", "child", child_id, {"entered_care_on": entered_on.isoformat()})
    return child
