"""Web sign-in: a staff member issues a short code to a child; the child types it into the chat once.

Codes are 6 digits, shown once, stored only as an HMAC, valid for 30 minutes and single-use. Failed
attempts are counted per rate key (an HMAC of the conversation id or IP address) in the database, so the
limit (5 per 15 minutes) holds across servers.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.models import Child, SignInAttempt, SignInCode, StaffUser, utcnow
from bot.services import audit
from bot.services.children import get_child, link_conversation
from bot.services.errors import InvalidCode, NotFound, RateLimited

__all__ = [
    "CODE_TTL",
    "MAX_FAILURES",
    "RATE_WINDOW",
    "InvalidCode",
    "RateLimited",
    "issue_code",
    "redeem_code",
]

CODE_DIGITS = 6
CODE_TTL = timedelta(minutes=30)
MAX_FAILURES = 5
RATE_WINDOW = timedelta(minutes=15)


def _normalise(code: str) -> str:
    return re.sub(r"[\s\-]", "", code or "")


def _code_hash(code: str) -> str:
    return audit.keyed_hash("signin", _normalise(code))


def _staff(s: Session, username: str) -> StaffUser:
    staff = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if staff is None or not staff.active:
        raise NotFound("no such active staff user")
    return staff


def issue_code(
    s: Session,
    child_id: str,
    issued_by: str | None,
    *,
    ttl: timedelta = CODE_TTL,
    now: datetime | None = None,
) -> str:
    """A new 6-digit sign-in code for ``child_id``. Return it to show once; only its HMAC is stored.

    ``issued_by`` is a staff username (or None for the system/CLI).
    """
    now = now or utcnow()
    child = get_child(s, child_id)
    staff = _staff(s, issued_by) if issued_by else None
    while True:
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        code_hash = _code_hash(code)
        clash = s.execute(
            select(SignInCode.id).where(
                SignInCode.code_hash == code_hash, SignInCode.used_at.is_(None), SignInCode.expires_at > now
            )
        ).first()
        if clash is None:
            break
    row = SignInCode(
        code_hash=code_hash,
        child_id=child.id,
        issued_by_id=staff.id if staff else None,
        created_at=now,
        expires_at=now + ttl,
    )
    s.add(row)
    s.flush()
    actor = audit.staff_actor(staff.username) if staff else "system"
    audit.record(s, actor, "create", "sign_in_code", row.id, {"child": child.id})
    return code


def _failures(s: Session, rate_key: str, now: datetime) -> int:
    return s.execute(
        select(func.count(SignInAttempt.id)).where(
            SignInAttempt.rate_key == rate_key, SignInAttempt.at > now - RATE_WINDOW
        )
    ).scalar_one()


def redeem_code(
    s: Session,
    code: str,
    conversation_id: str,
    rate_key: str,
    *,
    channel: str = "web",
    now: datetime | None = None,
) -> Child:
    """Use a code: link ``conversation_id`` to its child and return the child.

    Raises ``RateLimited`` after 5 failures for ``rate_key`` in 15 minutes, ``InvalidCode`` for a wrong,
    expired or used code. Before ``InvalidCode`` is raised the failed attempt (and its audit event) is added
    to ``s``: the caller must still commit it, or the rate limit does not count it
    (``bot.usecases.signin.redeem_sign_in_code`` does).
    """
    now = now or utcnow()
    key = audit.keyed_hash("rate", rate_key)
    if _failures(s, key, now) >= MAX_FAILURES:
        raise RateLimited("too many tries; wait 15 minutes")
    row = s.execute(
        select(SignInCode)
        .where(
            SignInCode.code_hash == _code_hash(code),
            SignInCode.used_at.is_(None),
            SignInCode.expires_at > now,
        )
        .order_by(SignInCode.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    claimed = False
    if row is not None:
        result = s.execute(
            update(SignInCode)
            .where(SignInCode.id == row.id, SignInCode.used_at.is_(None))
            .values(used_at=now)
            .execution_options(synchronize_session=False)
        )
        claimed = result.rowcount == 1
    if not claimed:
        s.add(SignInAttempt(rate_key=key, at=now))
        audit.record(s, audit.conversation_actor(conversation_id), "signin_failed", "sign_in_code", None)
        s.flush()
        raise InvalidCode("that code did not work")
    s.refresh(row)
    child = row.child
    link_conversation(s, conversation_id, child, channel)
    audit.record(s, audit.child_actor(child.id), "update", "sign_in_code", row.id, {"used": True})
    return child
