"""The staff second factor: TOTP (RFC 6238, ``pyotp``) and ten single-use recovery codes.

* The TOTP secret is stored encrypted (Fernet) with the ``bot.keys`` key of purpose ``totp-secret``, never
  plain; it is shown once, at enrolment, as text and as an ``otpauth://`` URI (no QR service is called).
* A code is good for its 30-second step and one step either side (clock drift), and only once: the last
  step used is kept and moved on by one conditional UPDATE, so a replayed code fails even on another server.
* Recovery codes are kept as keyed hashes (HMAC-SHA256, purpose ``staff-recovery-code``) in one JSON
  column; using one swaps the list by a conditional UPDATE (compare-and-set), so a code cannot be used
  twice, even by two requests at once.

Every change adds an audit event without the secret or any code; the caller commits.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from datetime import datetime, timezone

import pyotp
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import or_, update
from sqlalchemy.orm import Session

from bot import keys
from bot.db.models import StaffUser
from bot.services import audit
from bot.services.errors import ServiceError
from bot.services.staff import end_sessions

ISSUER = "Heard review"
RECOVERY_CODES = 10
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: easy to copy by hand
_DRIFT = (0, -1, 1)  # steps either side of now that are accepted


class AlreadyEnrolled(ServiceError):
    """The staff member already has a second factor; a new one needs the old one reset first."""


def _fernet() -> Fernet:
    """The key TOTP secrets are sealed with: ``bot.keys`` purpose ``totp-secret``, used for nothing else."""
    return keys.fernet_for("totp-secret")


def new_secret() -> str:
    """A fresh TOTP secret (160 random bits, base32)."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str) -> str:
    """The ``otpauth://totp/...`` URI an authenticator app reads (typed or pasted; no QR service)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def is_enrolled(staff: StaffUser) -> bool:
    return bool(staff.totp_secret)


def _open(staff: StaffUser) -> str | None:
    """The staff member's TOTP secret, or None (not enrolled, or sealed under another key)."""
    if not staff.totp_secret:
        return None
    try:
        return _fernet().decrypt(staff.totp_secret.encode()).decode()
    except (InvalidToken, ValueError):
        return None


def demo_secret_matches(staff: StaffUser, secret: str) -> bool:
    """True when ``staff`` is enrolled with exactly ``secret`` (the demo seed uses it to stay idempotent)."""
    current = _open(staff)
    return current is not None and hmac.compare_digest(current, secret)


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The 30-second step ``code`` belongs to (now, or one either side), or None."""
    code = code.strip().replace(" ", "")
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    current = totp.timecode(_datetime(now))
    found = None
    for offset in _DRIFT:  # every step is compared, in constant time, whichever matches
        if hmac.compare_digest(totp.generate_otp(current + offset), code) and found is None:
            found = current + offset
    return found


def _datetime(now: float | None) -> datetime:
    return datetime.fromtimestamp(time.time() if now is None else now, tz=timezone.utc)


def _claim_step(s: Session, staff: StaffUser, step: int) -> bool:
    """Record ``step`` as used, only if no later or equal step was used before (one UPDATE, so two servers
    cannot both accept the same code)."""
    result = s.execute(
        update(StaffUser)
        .where(
            StaffUser.id == staff.id,
            or_(StaffUser.totp_last_step.is_(None), StaffUser.totp_last_step < step),
        )
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    )
    s.expire(staff, ["totp_last_step"])
    return result.rowcount == 1


def _normal_recovery(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _recovery_hash(staff_id: int, code: str) -> str:
    return keys.keyed_hash("staff-recovery-code", f"{staff_id}:{_normal_recovery(code)}")


def _new_recovery_codes(staff: StaffUser) -> tuple[list[str], str]:
    """Ten fresh codes (``xxxxx-xxxxx``, about 50 bits each) and the JSON of their hashes."""
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes, json.dumps([_recovery_hash(staff.id, code) for code in codes])


def recovery_codes_left(staff: StaffUser) -> int:
    return len(json.loads(staff.recovery_codes)) if staff.recovery_codes else 0


def _use_recovery_code(s: Session, staff: StaffUser, code: str) -> bool:
    normal = _normal_recovery(code)
    if len(normal) != 10 or not staff.recovery_codes:
        return False
    stored = staff.recovery_codes
    hashes_left = json.loads(stored)
    wanted = _recovery_hash(staff.id, normal)
    match = next((h for h in hashes_left if hmac.compare_digest(h, wanted)), None)
    if match is None:
        return False
    hashes_left.remove(match)
    result = s.execute(
        update(StaffUser)
        .where(StaffUser.id == staff.id, StaffUser.recovery_codes == stored)
        .values(recovery_codes=json.dumps(hashes_left))
        .execution_options(synchronize_session=False)
    )
    s.expire(staff, ["recovery_codes"])
    return result.rowcount == 1


def verify(s: Session, staff: StaffUser, code: str, now: float | None = None) -> str | None:
    """Check a sign-in code: ``"totp"`` (a current code, not used before), ``"recovery_code"`` (an unused
    recovery code, now used up) or None. A used recovery code is audited with how many are left."""
    secret = _open(staff)
    if secret is None:
        return None
    step = _matching_step(secret, code, now)
    if step is not None:
        return "totp" if _claim_step(s, staff, step) else None
    if _use_recovery_code(s, staff, code):
        audit.record(
            s,
            audit.staff_actor(staff.username),
            "update",
            "staff_user",
            staff.id,
            {"recovery_code_used": True, "recovery_codes_left": recovery_codes_left(staff)},
        )
        return "recovery_code"
    return None


def enrol(s: Session, staff: StaffUser, secret: str, code: str, now: float | None = None) -> list[str] | None:
    """Turn on the second factor with ``secret`` once ``code`` shows the staff member's app has it. Returns
    the ten recovery codes (shown once), or None for a wrong code; ``AlreadyEnrolled`` if someone (perhaps an
    attacker who knows the password) enrolled first."""
    if is_enrolled(staff):
        raise AlreadyEnrolled("a second factor is already set up")
    step = _matching_step(secret, code, now)
    if step is None:
        return None
    codes, stored = _new_recovery_codes(staff)
    result = s.execute(
        update(StaffUser)
        .where(StaffUser.id == staff.id, StaffUser.totp_secret.is_(None))
        .values(
            totp_secret=_fernet().encrypt(secret.encode()).decode(),
            totp_last_step=step,
            recovery_codes=stored,
        )
        .execution_options(synchronize_session=False)
    )
    s.expire(staff, ["totp_secret", "totp_last_step", "recovery_codes"])
    if result.rowcount != 1:
        raise AlreadyEnrolled("a second factor is already set up")
    audit.record(
        s, audit.staff_actor(staff.username), "update", "staff_user", staff.id, {"second_factor": "enrolled"}
    )
    return codes


def renew_recovery_codes(s: Session, staff: StaffUser) -> list[str]:
    """Ten new recovery codes for an enrolled staff member; the old ones stop working."""
    if not is_enrolled(staff):
        raise ServiceError("no second factor is set up")
    codes, stored = _new_recovery_codes(staff)
    staff.recovery_codes = stored
    s.flush()
    audit.record(
        s, audit.staff_actor(staff.username), "update", "staff_user", staff.id, {"recovery_codes": "renewed"}
    )
    return codes


def set_secret(s: Session, staff: StaffUser, secret: str, actor: str) -> None:
    """Enrol ``staff`` with a known ``secret`` without a code (the demo seed and test fixtures only)."""
    staff.totp_secret = _fernet().encrypt(secret.encode()).decode()
    staff.totp_last_step = None
    s.flush()
    audit.record(s, actor, "update", "staff_user", staff.id, {"second_factor": "enrolled"})


def reset(s: Session, staff: StaffUser, actor: str) -> None:
    """Turn the second factor off (a lost phone and recovery codes): the staff member enrols again at their
    next sign-in. Every session of theirs ends."""
    staff.totp_secret = None
    staff.totp_last_step = None
    staff.recovery_codes = None
    s.flush()
    audit.record(s, actor, "update", "staff_user", staff.id, {"second_factor": "reset"})
    end_sessions(s, staff, actor, "second factor reset")
