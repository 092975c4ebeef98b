"""The sign-in panel of a child's page: each web sign-in code made for the child, who made it, and what
became of it (not used yet, expired, cancelled, signed in on a date, sign-in ended). Never the code."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import SignInCode, utcnow

SHOWN = 10  # the latest codes; older ones are in the audit trail


def _status(code: SignInCode, now: datetime) -> tuple[str, str]:
    """(status key, words for staff)."""
    if code.used_at is None and code.ended_at is not None:
        return "cancelled", "Cancelled"
    if code.used_at is None:
        return ("live", "Not used yet") if code.expires_at > now else ("expired", "Expired, not used")
    if code.ended_at is not None:
        return "ended", "Signed in, then the sign-in was ended"
    return "signed_in", "Signed in"


def sign_in_codes(s: Session, child_id: str, *, can_end: bool, now: datetime | None = None) -> list[dict[str, Any]]:
    """The child's latest codes, newest first. ``can_end``: whether this member of staff may cancel a code
    or end a signed-in conversation's link (social workers)."""
    now = now or utcnow()
    rows = s.execute(
        select(SignInCode).where(SignInCode.child_id == child_id).order_by(SignInCode.id.desc()).limit(SHOWN)
    ).scalars().all()
    codes = []
    for code in rows:
        status, words = _status(code, now)
        codes.append({
            "id": code.id,
            "made_at": code.created_at,
            "made_by": code.issued_by.display_name if code.issued_by else "System",
            "expires_at": code.expires_at,
            "used_at": code.used_at,
            "ended_at": code.ended_at,
            "status": status,
            "status_text": words,
            "can_cancel": can_end and status == "live",
            "can_end": can_end and status == "signed_in",
        })
    return codes
