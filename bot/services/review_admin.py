"""Writes behind the review app's admin pages: council settings and staff activation. (API tokens are
``bot.services.api_tokens``; sign-in throttling is ``bot.services.signin_throttle``.)

Every change adds an audit event; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import StaffUser, utcnow
from bot.db.review_models import NOTIFIERS, AuthoritySettings
from bot.services import audit, staff as staff_service
from bot.services.council_hours import parse_hours
from bot.services.errors import InvalidChoice, NotFound, ServiceError
from bot.services.team_contacts import contact_target



@dataclass(frozen=True)
class CouncilSettings:
    retention_days: int
    notifier: str
    first_review_working_days: int
    second_review_months: int
    later_review_months: int
    alert_escalation_minutes: int
    updated_by: str | None = None
    # Migration 0013: each team's contact (bot.services.team_routing), the hours a person reads
    # (bot.services.council_hours), the complaints procedure's days, the days a visitor request may wait.
    advocacy_contact: str | None = None
    iv_contact: str | None = None
    complaints_contact: str | None = None
    duty_contact: str | None = None
    reading_hours: str | None = None
    complaint_ack_working_days: int = 10
    visitor_action_working_days: int = 5
    updated_at: datetime | None = None

    @property
    def escalate_after(self) -> timedelta:
        return timedelta(minutes=self.alert_escalation_minutes)


# name -> (minimum, maximum) for the whole-number settings
SETTING_LIMITS = {
    "retention_days": (2555, 36500),  # records of no child; never less than the old default (issue 17)
    "first_review_working_days": (1, 60),
    "second_review_months": (1, 12),
    "later_review_months": (1, 12),
    "alert_escalation_minutes": (1, 1440),
    "complaint_ack_working_days": (1, 60),
    "visitor_action_working_days": (1, 60),
}
CONTACTS = ("advocacy_contact", "iv_contact", "complaints_contact", "duty_contact")


def council_settings(s: Session, local_authority_id: int | None) -> CouncilSettings:
    """The council's settings; defaults (and ``HEARD_RETENTION_DAYS``) where none are stored or for no
    council (e.g. an anonymous child's alert)."""
    row = s.get(AuthoritySettings, local_authority_id) if local_authority_id is not None else None
    retention = get_settings().retention_days
    if row is None:
        return CouncilSettings(retention, "default", 20, 3, 6, 15)
    return CouncilSettings(
        retention_days=row.retention_days or retention,
        notifier=row.notifier,
        first_review_working_days=row.first_review_working_days,
        second_review_months=row.second_review_months,
        later_review_months=row.later_review_months,
        alert_escalation_minutes=row.alert_escalation_minutes,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
        **{name: getattr(row, name) for name in CONTACTS},
        reading_hours=row.reading_hours,
        complaint_ack_working_days=row.complaint_ack_working_days,
        visitor_action_working_days=row.visitor_action_working_days,
    )


def _text_setting(name: str, value: object) -> str | None:
    """A team contact (an e-mail address or an https URL) or the reading hours ("HH:MM-HH:MM"); blank: None."""
    text = str(value or "").strip()
    if not text:
        return None
    if name == "reading_hours":
        if parse_hours(text) is None:
            raise InvalidChoice("reading hours must look like 09:00-17:00")
        return text
    if contact_target(text) is None:
        raise InvalidChoice(f"{name.replace('_', ' ')} must be an e-mail address or an https:// web address")
    return text


def update_council_settings(
    s: Session, local_authority_id: int, actor: str, **values: object
) -> CouncilSettings:
    """Change settings (names as in ``CouncilSettings``). Raises ``InvalidChoice`` for out-of-range values."""
    clean: dict[str, object] = {}
    for name, value in values.items():
        if name == "notifier":
            if value not in NOTIFIERS:
                raise InvalidChoice("unknown notifier")
            clean[name] = value
        elif name in SETTING_LIMITS:
            low, high = SETTING_LIMITS[name]
            if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
                raise InvalidChoice(f"{name} must be a whole number from {low} to {high}")
            clean[name] = value
        elif name in CONTACTS or name == "reading_hours":
            clean[name] = _text_setting(name, value)
        else:
            raise InvalidChoice(f"unknown setting {name}")
    row = s.get(AuthoritySettings, local_authority_id)
    if row is None:
        current = council_settings(s, local_authority_id)
        row = AuthoritySettings(
            local_authority_id=local_authority_id,
            retention_days=current.retention_days,
            notifier=current.notifier,
            first_review_working_days=current.first_review_working_days,
            second_review_months=current.second_review_months,
            later_review_months=current.later_review_months,
            alert_escalation_minutes=current.alert_escalation_minutes,
            complaint_ack_working_days=current.complaint_ack_working_days,
            visitor_action_working_days=current.visitor_action_working_days,
        )
        s.add(row)
    changed = {k: v for k, v in clean.items() if getattr(row, k) != v}
    for key, value in changed.items():
        setattr(row, key, value)
    row.updated_by = actor
    row.updated_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "authority_settings", local_authority_id, {"changed": changed})
    return council_settings(s, local_authority_id)


def set_staff_active(
    s: Session,
    staff_id: int,
    active: bool,
    actor: str,
    local_authority_id: int,
    *,
    by_staff_id: int | None = None,
) -> StaffUser:
    """Deactivate (or reactivate) a staff account of the same council. Their API tokens stop working too.
    No one (``by_staff_id``) may deactivate their own account."""
    if staff_id == by_staff_id and not active:
        raise ServiceError("You cannot deactivate your own account.")
    user = s.get(StaffUser, staff_id)
    if user is None or user.local_authority_id != local_authority_id:
        raise NotFound("no such staff user")
    if user.active != active:
        user.active = active
        s.flush()
        audit.record(s, actor, "update", "staff_user", user.id, {"active": active})
        if not active:  # every session ends now, and stays ended if the account is reactivated
            staff_service.end_sessions(s, user, actor, "deactivated")
    return user

