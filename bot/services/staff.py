"""Staff users: argon2 password hashes (never plain passwords), lookup by username."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import STAFF_ROLES, StaffUser
from bot.services import audit
from bot.services.errors import InvalidChoice

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
) -> StaffUser:
    if role not in STAFF_ROLES:
        raise InvalidChoice("unknown staff role")
    user = StaffUser(
        username=username,
        display_name=display_name,
        role=role,
        local_authority_id=local_authority_id,
        password_hash=hash_password(password) if password else None,
        active=True,
    )
    s.add(user)
    s.flush()
    audit.record(s, actor, "create", "staff_user", user.id, {"username": username, "role": role})
    return user
