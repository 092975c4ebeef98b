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
from bot.services.errors import InvalidChoice, NotFound, ServiceError



@dataclass(frozen=True)
class CouncilSettings:
    retention_days: int
    notifier: str
    first_review_working_days: int
    second_review_months: int
    later_review_months: int
    alert_escalation_minutes: int
    updated_by: str | None = None
    updated_at: datetime | None = None

    @property
    def escalate_after(self) -> timedelta:
        return timedelta(minutes=self.alert_escalation_minutes)


# name -> (minimum, maximum) for the whole-number settings
SETTING_LIMITS = {
    "retention_days": (30, 36500),
    "first_review_working_days": (1, 60),
    "second_review_months": (1, 12),
    "later_review_months": (1, 12),
    "alert_escalation_minutes": (1, 1440),
}


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
    )


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

