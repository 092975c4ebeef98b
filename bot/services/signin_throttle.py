"""Staff sign-in throttling by client address, with growing delays instead of locking a named account.

After ``FREE_FAILURES`` failed attempts (a wrong password, code or current password) from one address within
``WINDOW``, that address must wait 2, 4, 8, ... seconds after each further failure, at most ``MAX_DELAY``.
No account is ever locked: someone typing wrong passwords for the duty lead slows only their own address, so
they cannot keep the duty lead out. The same rule, keyed by staff member, slows guessing of one account's
second-factor codes (only someone who already has the password reaches that step).

Failures are rows of ``sign_in_attempts`` (an HMAC of the key, never the address), so every server sees the
same count; the retention purge deletes old rows. A refused attempt is not counted and not audited, so a
flood of them costs the database nothing.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot import keys
from bot.db.models import SignInAttempt, utcnow

FREE_FAILURES = 5
WINDOW = timedelta(minutes=15)
MAX_DELAY = 15 * 60  # seconds


def address_key(address: str) -> str:
    """The throttle key of a client address (an HMAC; the address itself is not stored)."""
    return keys.keyed_hash("rate", f"staff-signin:address:{address}")


def second_factor_key(staff_id: int) -> str:
    """The throttle key of one staff member's second-factor step."""
    return keys.keyed_hash("rate", f"staff-signin:second-factor:{staff_id}")


def address_ref(address: str) -> str:
    """A short keyed reference to an address for audit details: tells attempts from one address apart
    without storing it."""
    return keys.keyed_hash("address", f"staff-signin:{address}")[:12]


def delay_after(failures: int) -> int:
    """Seconds to wait after ``failures`` failures in the window: 0 up to ``FREE_FAILURES``, then doubling."""
    if failures < FREE_FAILURES:
        return 0
    return min(2 ** min(failures - FREE_FAILURES + 1, 20), MAX_DELAY)


def _now() -> datetime:
    return utcnow()


def wait_seconds(s: Session, key: str) -> int:
    """How long this key must still wait before its next attempt is even checked (0: go ahead)."""
    now = _now()
    count, last = s.execute(
        select(func.count(SignInAttempt.id), func.max(SignInAttempt.at)).where(
            SignInAttempt.rate_key == key, SignInAttempt.at > now - WINDOW
        )
    ).one()
    if not count or last is None:
        return 0
    if last.tzinfo is None:  # an aggregate skips the column type's conversion on SQLite
        last = last.replace(tzinfo=now.tzinfo)
    remaining = (last + timedelta(seconds=delay_after(count)) - now).total_seconds()
    return max(0, math.ceil(remaining))


def record_failure(s: Session, key: str) -> int:
    """Count one failure for ``key``; returns the delay it now has to wait (0 while under the free count)."""
    now = _now()
    s.add(SignInAttempt(rate_key=key, at=now))
    s.flush()
    count = s.execute(
        select(func.count(SignInAttempt.id)).where(SignInAttempt.rate_key == key, SignInAttempt.at > now - WINDOW)
    ).scalar_one()
    return delay_after(count)
