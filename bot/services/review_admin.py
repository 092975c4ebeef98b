"""Writes behind the review app's admin pages: council settings, staff activation, API tokens, and the
staff login throttle (failed logins counted in the database so the limit holds across servers).

Every change adds an audit event; the caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import SignInAttempt, StaffUser, utcnow
from bot.db.review_models import NOTIFIERS, AuthoritySettings, StaffApiToken
from bot.services import audit
from bot.services.errors import InvalidChoice, NotFound, ServiceError

LOGIN_MAX_FAILURES = 5  # per username and address
LOGIN_MAX_ACCOUNT_FAILURES = 20  # per username from all addresses together (guessing spread over many)
LOGIN_WINDOW = timedelta(minutes=15)
TOKEN_PREFIX = "hrd_"  # noqa: S105 (a marker, not a secret)


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
    return user


def _token_hash(token: str) -> str:
    return audit.keyed_hash("api-token", token)


def create_api_token(
    s: Session, staff_id: int, label: str, actor: str, *, local_authority_id: int | None = None
) -> tuple[StaffApiToken, str]:
    """A new API token for a staff member (of council ``local_authority_id`` when given): the row and the
    token (shown once; only its HMAC is kept)."""
    user = s.get(StaffUser, staff_id)
    if user is None or (local_authority_id is not None and user.local_authority_id != local_authority_id):
        raise NotFound("no such staff user")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = StaffApiToken(
        staff_id=user.id,
        label=(label or "API token").strip()[:200] or "API token",
        token_hash=_token_hash(token),
        prefix=token[:10],
        created_by=actor,
        created_at=utcnow(),
    )
    s.add(row)
    s.flush()
    audit.record(s, actor, "create", "staff_api_token", row.id, {"staff": user.username})
    return row, token


def revoke_api_token(s: Session, token_id: int, actor: str, local_authority_id: int) -> StaffApiToken:
    row = s.get(StaffApiToken, token_id)
    if row is None:
        raise NotFound("no such token")
    owner = s.get(StaffUser, row.staff_id)
    if owner is None or owner.local_authority_id != local_authority_id:
        raise NotFound("no such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        s.flush()
        audit.record(s, actor, "update", "staff_api_token", row.id, {"revoked": True})
    return row


def staff_for_token(s: Session, token: str) -> StaffUser | None:
    """The active staff member a bearer token belongs to, or None (unknown, revoked, deactivated)."""
    if not token or not token.startswith(TOKEN_PREFIX):
        return None
    row = s.execute(
        select(StaffApiToken).where(StaffApiToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    user = s.get(StaffUser, row.staff_id)
    if user is None or not user.active:
        return None
    row.last_used_at = utcnow()
    return user


def tokens_for(s: Session, local_authority_id: int) -> list[StaffApiToken]:
    return (
        s.execute(
            select(StaffApiToken)
            .join(StaffUser, StaffUser.id == StaffApiToken.staff_id)
            .where(StaffUser.local_authority_id == local_authority_id)
            .order_by(StaffApiToken.id.desc())
        )
        .scalars()
        .all()
    )


def _login_key(username: str, ip: str) -> str:
    return audit.keyed_hash("rate", f"staff-login:{username.strip().lower()}:{ip}")


def _failures(s: Session, key: str, since: datetime) -> int:
    return s.execute(
        select(func.count(SignInAttempt.id)).where(SignInAttempt.rate_key == key, SignInAttempt.at > since)
    ).scalar_one()


def login_blocked(s: Session, username: str, ip: str, now: datetime | None = None) -> bool:
    """True after ``LOGIN_MAX_FAILURES`` failed logins for this username and IP, or
    ``LOGIN_MAX_ACCOUNT_FAILURES`` for this username from any address, within ``LOGIN_WINDOW``."""
    since = (now or utcnow()) - LOGIN_WINDOW
    return (
        _failures(s, _login_key(username, ip), since) >= LOGIN_MAX_FAILURES
        or _failures(s, _login_key(username, "*any*"), since) >= LOGIN_MAX_ACCOUNT_FAILURES
    )


def record_login_failure(s: Session, username: str, ip: str) -> None:
    """Count a failed login (the username is kept only inside a keyed hash)."""
    now = utcnow()
    s.add(SignInAttempt(rate_key=_login_key(username, ip), at=now))
    s.add(SignInAttempt(rate_key=_login_key(username, "*any*"), at=now))
    audit.record(s, "system:review-login", "signin_failed", "staff_user", None)
