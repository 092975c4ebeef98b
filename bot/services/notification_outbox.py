"""The notification outbox: which rows are due, what a notification may say, and retry with backoff.

``bot.services.alerts.raise_alert`` adds one row per target with the alert. A row is claimed before it is
sent (hidden from other notifiers for ``CLAIM_SECONDS``) and then marked delivered, or retried after
5 s, 10 s, 20 s, 40 s, then every 60 s. What leaves the database about an alert is only its id, time,
category, channel and a link (``alert_payload``; every link is ``bot.services.review_links``'s): never the
child's words, the detector's cue, the child's id or name. A row of kind ``security`` is about a security alert
for admins instead (``bot.services.security_alerts.payload``: what happened, when, where to look). A row of
kind ``record`` or ``record_late`` is about another record for one team
(``bot.services.team_routing.record_payload``: what is waiting, for which team, when, a link); its
``destination`` (the team's e-mail address or webhook URL) goes with the payload to the notifier, which sends
there instead of the server's default.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import NotificationOutbox, SafeguardingAlert
from bot.services import audit, review_links, security_alerts, team_routing

BACKOFF_FIRST = 5
BACKOFF_CAP = 60
CLAIM_SECONDS = 60  # a row being sent is hidden from other notifiers this long

Delivery = tuple[int, str, dict[str, Any]]  # outbox row id, target, payload


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after ``attempts`` failed tries: 5, 10, 20, 40, then 60 s."""
    return timedelta(seconds=min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_CAP))


def alert_payload(alert: SafeguardingAlert) -> dict[str, Any]:
    """What leaves the database about an alert: no words, no cue, no child id."""
    return {
        "alert_id": alert.id,
        "time": alert.created_at.isoformat(),
        "category": alert.category,
        "channel": alert.channel,
        "link": review_links.alert(alert.id),
    }


def _about(row: NotificationOutbox) -> dict[str, Any]:
    """What a row may say: about an alert, a security alert, or another record (``team_routing``)."""
    if row.alert is not None:
        return alert_payload(row.alert)
    if row.security_alert is not None:
        return security_alerts.payload(row.security_alert)
    return team_routing.record_payload(row)


def claim_due(s: Session, now: datetime, limit: int) -> list[Delivery]:
    """Pick due rows and hide them from other notifiers for CLAIM_SECONDS (no I/O: commit, then send)."""
    claimed = []
    rows = (
        s.execute(
            select(NotificationOutbox)
            .where(NotificationOutbox.delivered_at.is_(None), NotificationOutbox.next_attempt_at <= now)
            .order_by(NotificationOutbox.next_attempt_at, NotificationOutbox.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    for row in rows:
        result = s.execute(
            update(NotificationOutbox)
            .where(
                NotificationOutbox.id == row.id,
                NotificationOutbox.delivered_at.is_(None),
                NotificationOutbox.next_attempt_at == row.next_attempt_at,
            )
            .values(next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:
            claimed.append((row.id, row.target, {**_about(row), "kind": row.kind, "destination": row.destination}))
    return claimed


def record_attempt(s: Session, outbox_id: int, now: datetime, error: str | None) -> None:
    """One try at a claimed row: delivered (audited) when ``error`` is None, else retried after a backoff."""
    row = s.get(NotificationOutbox, outbox_id)
    if row is None or row.delivered_at is not None:
        return
    row.attempts += 1
    if error is None:
        row.delivered_at = now
        row.last_error = None
        if row.alert_id is not None:
            entity: tuple[str, Any] = ("safeguarding_alert", row.alert_id)
        elif row.security_alert_id is not None:
            entity = ("security_alert", row.security_alert_id)
        else:
            entity = (row.record_type, row.record_id)
        audit.record(s, "system:notifier", "notify", *entity, {"target": row.target})
    else:
        row.last_error = error[:500]
        row.next_attempt_at = now + backoff(row.attempts)
