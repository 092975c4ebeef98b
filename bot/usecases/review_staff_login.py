"""Staff sign in to the review app, in steps: the password, then the second factor (a TOTP code or a recovery
code; or enrolment when the staff member has none yet). Every request finds the signed-in staff member again
and checks the session version the cookie was made under (so sign-out, a password change or deactivation
ends every copy of a cookie at once). API bearer tokens are looked up here too.

Failed attempts slow the client address (and, for codes, the account) with growing delays
(``bot.services.signin_throttle``); no account is ever locked. Every sign-in, failure, throttle, enrolment,
recovery-code use and sign-out is audited, never with a password or code.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit, second_factor, signin_throttle as throttle, staff as staff_service

_DUMMY_HASH = staff_service.hash_password("not-a-real-password")


@dataclass(frozen=True)
class SignInStep:
    """Where a sign-in attempt got to.

    ``result``: ``"ok"`` (signed in: start a session with ``version``), ``"code"`` (ask for the second
    factor), ``"enrol"`` (set one up first), ``"failed"``, ``"throttled"`` (wait ``wait`` seconds) or
    ``"restart"`` (the half-finished sign-in is no longer good: enter the password again)."""

    result: str
    staff_id: int | None = None
    version: int | None = None
    role: str | None = None
    username: str = ""
    must_change_password: bool = False
    wait: int = 0
    recovery_codes: tuple[str, ...] = ()
    recovery_codes_left: int | None = None  # after signing in with a recovery code: how many are left


def _failed(s: Session, address: str, user: StaffUser | None, step: str) -> SignInStep:
    """Count a failure against the address (and the account, for codes) and audit it."""
    delay = throttle.record_failure(s, throttle.address_key(address))
    if step != "password" and user is not None:
        delay = max(delay, throttle.record_failure(s, throttle.second_factor_key(user.id)))
    detail = {"step": step, "address": throttle.address_ref(address), "throttled_for_seconds": delay}
    audit.record(s, "system:review-login", "signin_failed", "staff_user", user.id if user else None, detail)
    return SignInStep("failed")


def _throttled(s: Session, *keys: str) -> SignInStep | None:
    wait = max(throttle.wait_seconds(s, key) for key in keys)
    return SignInStep("throttled", wait=wait) if wait else None


def _signed_in(s: Session, user: StaffUser, how: str, codes: list[str] | None = None) -> SignInStep:
    audit.record(
        s, audit.staff_actor(user.username), "create", "staff_session", user.id, {"second_factor": how}
    )
    return SignInStep(
        "ok",
        user.id,
        user.session_version,
        user.role,
        user.username,
        bool(user.must_change_password),
        recovery_codes=tuple(codes or ()),
        recovery_codes_left=second_factor.recovery_codes_left(user) if how == "recovery_code" else None,
    )


def check_password(username: str, password: str, address: str) -> SignInStep:
    """The first step: ``"code"``/``"enrol"`` with the staff member's id and session version, ``"ok"`` when
    no second factor is asked for (``HEARD_REVIEW_REQUIRE_2FA=0`` and none set up), or a refusal."""
    with session_scope() as s:
        refused = _throttled(s, throttle.address_key(address))
        if refused:
            return refused
        user = staff_service.get_staff(s, username)
        if user is None:
            # the same work as a wrong password, so usernames cannot be told apart by timing
            staff_service.verify_password(StaffUser(active=True, password_hash=_DUMMY_HASH), password)
        if not staff_service.verify_password(user, password):
            return _failed(s, address, user, "password")
        if second_factor.is_enrolled(user):
            return SignInStep("code", user.id, user.session_version, user.role, user.username)
        if get_settings().review.require_2fa:
            return SignInStep("enrol", user.id, user.session_version, user.role, user.username)
        return _signed_in(s, user, "none")


def new_enrolment_secret() -> str:
    """A new TOTP secret for a staff member to set up (nothing is stored until ``enrol_second_factor`` sees
    a code made with it)."""
    return second_factor.new_secret()


def enrolment_uri(secret: str, username: str) -> str:
    """The ``otpauth://`` URI of ``secret`` for an authenticator app."""
    return second_factor.provisioning_uri(secret, username)


def _pending_user(s: Session, staff_id: int, version: int) -> StaffUser | None:
    user = s.get(StaffUser, staff_id)
    return user if staff_service.session_is_current(user, version) else None


def check_second_factor(staff_id: int, version: int, code: str, address: str) -> SignInStep:
    """The second step: a TOTP code (once only) or an unused recovery code for the staff member who passed
    the password step."""
    with session_scope() as s:
        refused = _throttled(s, throttle.address_key(address), throttle.second_factor_key(staff_id))
        if refused:
            return refused
        user = _pending_user(s, staff_id, version)
        if user is None or not second_factor.is_enrolled(user):
            return SignInStep("restart")
        how = second_factor.verify(s, user, code)
        if how is None:
            return _failed(s, address, user, "second_factor")
        return _signed_in(s, user, how)


def enrol_second_factor(staff_id: int, version: int, secret: str, code: str, address: str) -> SignInStep:
    """The second step for a staff member with no second factor: ``code`` from their app proves it holds
    ``secret``; then they are signed in and get their ten recovery codes (shown once)."""
    with session_scope() as s:
        refused = _throttled(s, throttle.address_key(address), throttle.second_factor_key(staff_id))
        if refused:
            return refused
        user = _pending_user(s, staff_id, version)
        if user is None or second_factor.is_enrolled(user):
            return SignInStep("restart")
        codes = second_factor.enrol(s, user, secret, code)
        if codes is None:
            return _failed(s, address, user, "enrolment")
        return _signed_in(s, user, "totp", codes)


def signed_in_staff(staff_id: int, version: object) -> StaffUser | None:
    """The staff member of a session, or None when the account is gone or deactivated, or the session was
    made under an older session version (signed out, password changed, deactivated since)."""
    with session_scope() as s:
        user = s.get(StaffUser, staff_id)
        return user if staff_service.session_is_current(user, version) else None


def sign_out(staff_id: int, version: object) -> None:
    """End the session: the staff member's session version moves on, so no copy of this cookie (or of any
    other cookie of theirs) works again."""
    with session_scope() as s:
        user = s.get(StaffUser, staff_id)
        if staff_service.session_is_current(user, version):
            staff_service.end_sessions(s, user, audit.staff_actor(user.username), "signed out")
