"""Staff sign in to the review app (username and password, or an API bearer token), and every request finds
the signed-in staff member again (so a deactivated account stops at once).

Failed logins are limited to 5 per 15 minutes per username and address, counted in the database
(``bot.services.review_admin``) so the limit holds across servers.
"""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit, staff as staff_service
from bot.services.review_admin import login_blocked, record_login_failure, staff_for_token

_DUMMY_HASH = staff_service.hash_password("not-a-real-password")


def staff_login(username: str, password: str, ip: str) -> dict[str, Any]:
    """``{"result": "blocked" | "failed"}``, or ``{"result": "ok", "id", "username", "role"}`` (audited as a
    new staff session). A failure is counted even though the login fails."""
    with session_scope() as s:
        if login_blocked(s, username, ip):
            return {"result": "blocked"}
        user = staff_service.get_staff(s, username)
        if user is None:
            # the same work as a wrong password, so usernames cannot be told apart by timing
            staff_service.verify_password(StaffUser(active=True, password_hash=_DUMMY_HASH), password)
        if not staff_service.verify_password(user, password):
            record_login_failure(s, username, ip)
            return {"result": "failed"}
        audit.record(s, audit.staff_actor(user.username), "create", "staff_session", user.id)
        return {"result": "ok", "id": user.id, "username": user.username, "role": user.role}


def signed_in_staff(staff_id: int) -> StaffUser | None:
    """The staff member of a session, or None when the account is gone or deactivated."""
    with session_scope() as s:
        user = s.get(StaffUser, staff_id)
        return user if user is not None and user.active else None


def staff_for_api_token(token: str) -> StaffUser | None:
    """The active staff member a bearer token belongs to (its last use is recorded), or None."""
    with session_scope() as s:
        return staff_for_token(s, token)
