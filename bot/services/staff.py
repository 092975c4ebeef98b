"""Staff users: argon2id password hashes (never plain passwords), lookup by username, password changes and
the session version (a review-app session cookie is only good for the version it was made under)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import STAFF_ROLES, StaffUser
from bot.services import audit
from bot.services.errors import InvalidChoice, ServiceError
from bot.services.password_policy import password_problem

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(staff: StaffUser | None, password: str) -> bool:
    """True when ``staff`` is active and ``password`` matches its argon2 hash."""
    if staff is None or not staff.active or not staff.password_hash:
        return False
    try:
        return _hasher.verify(staff.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def get_staff(s: Session, username: str) -> StaffUser | None:
    return s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()


def create_staff(
    s: Session,
    *,
    username: str,
    display_name: str,
    role: str,
    local_authority_id: int,
    password: str | None,
    actor: str,
    must_change_password: bool = True,
) -> StaffUser:
    """A new account. Someone else chose its first ``password``, so it must be changed at first sign-in
    (``must_change_password``) unless the caller says otherwise (the demo seed)."""
    if role not in STAFF_ROLES:
        raise InvalidChoice("unknown staff role")
    user = StaffUser(
        username=username,
        display_name=display_name,
        role=role,
        local_authority_id=local_authority_id,
        password_hash=hash_password(password) if password else None,
        active=True,
        session_version=1,
        must_change_password=must_change_password,
    )
    s.add(user)
    s.flush()
    audit.record(s, actor, "create", "staff_user", user.id, {"username": username, "role": role})
    return user


class WrongPassword(ServiceError):
    """The current password given to change it is not right."""


def session_is_current(staff: StaffUser | None, version: object) -> bool:
    """True when ``staff`` is active and ``version`` (from a session cookie) is its current session version."""
    return (
        staff is not None
        and bool(staff.active)
        and isinstance(version, int)
        and not isinstance(version, bool)
        and version == staff.session_version
    )


def end_sessions(s: Session, staff: StaffUser, actor: str, why: str) -> int:
    """Move the session version on, so every session cookie made before stops working; the new version."""
    staff.session_version = (staff.session_version or 0) + 1
    s.flush()
    audit.record(s, actor, "update", "staff_session", staff.id, {"ended": why})
    return staff.session_version


def change_password(s: Session, staff: StaffUser, current: str, new: str) -> int:
    """Change a staff member's own password: ``current`` must be right (``WrongPassword``) and ``new`` must
    pass the password rule (``InvalidChoice``). Ends every other session; returns the new session version."""
    if not verify_password(staff, current):
        raise WrongPassword("the current password is not right")
    problem = password_problem(new, staff.username)
    if problem is None and verify_password(staff, new):
        problem = "Choose a new password, not the one you have now."
    if problem:
        raise InvalidChoice(problem)
    staff.password_hash = hash_password(new)
    staff.must_change_password = False
    actor = audit.staff_actor(staff.username)
    audit.record(s, actor, "update", "staff_user", staff.id, {"password_changed": True})
    return end_sessions(s, staff, actor, "password changed")
