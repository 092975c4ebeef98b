"""A signed-in staff member's own account: change the password (the current one is required; ends every
other session) and get new recovery codes. Wrong current passwords slow the client address like wrong
sign-in passwords (``bot.services.signin_throttle``). And an admin's reset of someone's second factor (a lost
phone and recovery codes)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit, second_factor, signin_throttle as throttle, staff as staff_service
from bot.services.errors import InvalidChoice, NotFound
from bot.services.team_contacts import EMAIL, MAX_CONTACT


@dataclass(frozen=True)
class AccountChange:
    """``result``: ``"ok"``, ``"wrong_password"``, ``"refused"`` (``message`` says why), ``"throttled"``
    (wait ``wait`` seconds) or ``"signed_out"``. ``version``: the new session version after a password
    change; ``recovery_codes``: new codes (shown once)."""

    result: str
    message: str = ""
    wait: int = 0
    version: int | None = None
    recovery_codes: tuple[str, ...] = ()


def _wrong_password(s: Session, user: StaffUser, address: str, step: str) -> AccountChange:
    delay = throttle.record_failure(s, throttle.address_key(address))
    detail = {"step": step, "address": throttle.address_ref(address), "throttled_for_seconds": delay}
    audit.record(s, audit.staff_actor(user.username), "signin_failed", "staff_user", user.id, detail)
    return AccountChange("wrong_password")


def recovery_codes_left(staff: StaffUser) -> int:
    """How many unused recovery codes the (signed-in) staff member has."""
    return second_factor.recovery_codes_left(staff)


def change_password(staff_id: int, version: object, current: str, new: str, address: str) -> AccountChange:
    """Change the signed-in staff member's password."""
    with session_scope() as s:
        wait = throttle.wait_seconds(s, throttle.address_key(address))
        if wait:
            return AccountChange("throttled", wait=wait)
        user = s.get(StaffUser, staff_id)
        if not staff_service.session_is_current(user, version):
            return AccountChange("signed_out")
        try:
            new_version = staff_service.change_password(s, user, current, new)
        except staff_service.WrongPassword:
            return _wrong_password(s, user, address, "password_change")
        except InvalidChoice as problem:
            return AccountChange("refused", str(problem))
        return AccountChange("ok", version=new_version)


def renew_recovery_codes(staff_id: int, version: object, current: str, address: str) -> AccountChange:
    """Ten new recovery codes (the old ones stop working); the current password is required."""
    with session_scope() as s:
        wait = throttle.wait_seconds(s, throttle.address_key(address))
        if wait:
            return AccountChange("throttled", wait=wait)
        user = s.get(StaffUser, staff_id)
        if not staff_service.session_is_current(user, version):
            return AccountChange("signed_out")
        if not staff_service.verify_password(user, current):
            return _wrong_password(s, user, address, "recovery_codes")
        if not second_factor.is_enrolled(user):
            return AccountChange("refused", "Set up a second factor first.")
        return AccountChange("ok", recovery_codes=tuple(second_factor.renew_recovery_codes(s, user)))


def reset_second_factor(admin: StaffUser, staff_id: int) -> str:
    """An admin turns off the second factor of a staff member of their council (``NotFound`` otherwise), who
    sets up a new one at their next sign-in; every session of theirs ends. Returns the username."""
    with session_scope() as s:
        user = s.get(StaffUser, staff_id)
        if user is None or user.local_authority_id != admin.local_authority_id:
            raise NotFound("no such staff user")
        second_factor.reset(s, user, audit.staff_actor(admin.username))
        return user.username


def set_notify_email(staff_id: int, email: str) -> str | None:
    """A staff member sets (or clears, with "") the e-mail address they are told at when something waits for them
    (a new statement of a child they work with: ``bot.services.team_routing``). Returns a problem to show, or None
    when saved (audited, without the address)."""
    value = email.strip()
    if value and (len(value) > MAX_CONTACT or not EMAIL.match(value)):
        return "Enter an e-mail address, like name@council.gov.uk, or leave it empty."
    with session_scope() as s:
        user = s.get(StaffUser, staff_id)
        user.notify_email = value or None
        audit.record(s, audit.staff_actor(user.username), "update", "staff_user", user.id,
                     {"fields": ["notify_email"]})
    return None
