"""Security alerts for admins, told through the notification outbox (``bot.services.notification_outbox``).

One kind so far: ``signin_burst``, many wrong web sign-in codes across the deployment (``BURST_THRESHOLD`` in
``BURST_WINDOW``): someone may be guessing codes. Admins are told once a burst: a burst goes on while wrong
codes keep the count at the threshold, and only a burst that starts after ``BURST_WINDOW`` of quiet is told
again. The decision is a conditional UPDATE on the kind's one row, so two servers cannot both tell it.

A notification says only what happened, when, and where to look. Never a code, an address, a child.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import NotificationOutbox, SecurityAlert, SignInFailure
from bot.services import audit, review_links
from bot.services.alerts import notification_targets

SIGNIN_BURST = "signin_burst"
BURST_THRESHOLD = 20
BURST_WINDOW = timedelta(minutes=10)
SUBJECTS = {SIGNIN_BURST: "many wrong sign-in codes"}


def _row(s: Session, kind: str) -> SecurityAlert:
    row = s.execute(select(SecurityAlert).where(SecurityAlert.kind == kind)).scalar_one_or_none()
    if row is not None:
        return row
    try:
        with s.begin_nested():
            s.add(SecurityAlert(kind=kind, times_raised=0))
    except IntegrityError:
        pass  # another server made it a moment ago
    return s.execute(select(SecurityAlert).where(SecurityAlert.kind == kind)).scalar_one()


def raise_once(s: Session, kind: str, now: datetime, quiet: timedelta) -> bool:
    """Tell admins about ``kind`` unless a burst of it is already going on (then it goes on ``quiet``
    longer). True when this call queued the notifications."""
    row = _row(s, kind)
    started = s.execute(
        update(SecurityAlert)
        .where(SecurityAlert.id == row.id, or_(SecurityAlert.active_until.is_(None), SecurityAlert.active_until <= now))
        .values(raised_at=now, active_until=now + quiet, times_raised=SecurityAlert.times_raised + 1)
        .execution_options(synchronize_session=False)
    )
    if started.rowcount != 1:
        s.execute(
            update(SecurityAlert)
            .where(SecurityAlert.id == row.id)
            .values(active_until=now + quiet)
            .execution_options(synchronize_session=False)
        )
        return False
    for target in notification_targets():
        s.add(NotificationOutbox(security_alert_id=row.id, target=target, kind="security", attempts=0,
                                 next_attempt_at=now, created_at=now))
    audit.record(s, "system:security", "create", "security_alert", row.id, {"kind": kind})
    s.flush()
    return True


def note_signin_failure(s: Session, now: datetime) -> bool:
    """After a wrong sign-in code: tell admins if this makes (or continues) a burst. True when told now."""
    recent = s.execute(
        select(func.count(SignInFailure.id)).where(SignInFailure.at > now - BURST_WINDOW)
    ).scalar_one()
    if recent < BURST_THRESHOLD:
        return False
    return raise_once(s, SIGNIN_BURST, now, BURST_WINDOW)


def payload(alert: SecurityAlert) -> dict[str, Any]:
    """What leaves the database about a security alert: what, when and where to look; nothing else."""
    return {
        "security_alert": alert.id,
        "subject": SUBJECTS.get(alert.kind, alert.kind),
        "time": alert.raised_at.isoformat() if alert.raised_at else None,
        "link": review_links.security(),
    }
