"""Safeguarding alerts: a possible disclosure is stored verbatim and queued for a person to be told.

``raise_alert`` never refuses a text for being long (nothing a child discloses may be lost). Notification
rows go to the outbox in the same transaction; ``bot.safeguarding.notifier`` delivers them (without the
child's words) and retries until delivered.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.config import Settings, get_settings
from bot.db.models import Child, NotificationOutbox, SafeguardingAlert, utcnow
from bot.db.review_models import NOTIFIERS
from bot.services import audit
from bot.services.children import known_child_id
from bot.services.council_routing import route_anonymous
from bot.services.errors import NotFound
from bot.services.text import check_text

log = logging.getLogger(__name__)


def notification_targets(settings: Settings | None = None, council_choice: str = "default") -> list[str]:
    """Where to tell a person. ``default``: ``webhook`` if ``HEARD_NOTIFY_WEBHOOK`` is set, ``email`` if
    ``HEARD_SMTP_HOST`` is set, else ``log``. A council's own choice (admin settings) is used as far as
    those targets are configured on the server; a choice that cannot be delivered falls back to the default,
    so an alert is never queued for a target that can never take it."""
    settings = settings or get_settings()
    configured = []
    if settings.notify_webhook:
        configured.append("webhook")
    if settings.smtp_host:
        configured.append("email")
    if council_choice in NOTIFIERS and council_choice != "default":
        wanted = council_choice.split("+")
        usable = [t for t in wanted if t == "log" or t in configured]
        if usable:
            return usable
        log.warning("The council's notifier %r is not configured on this server; using the default", council_choice)
    return configured or ["log"]


def _council_of(s: Session, child_id: str | None) -> int | None:
    child = s.get(Child, child_id) if child_id else None
    return child.local_authority_id if child is not None else None


def targets_for_child(s: Session, child_id: str | None) -> list[str]:
    """Notification targets for an alert about ``child_id`` (their council's choice; default if unknown)."""
    from bot.services.review_admin import council_settings

    return notification_targets(council_choice=council_settings(s, _council_of(s, child_id)).notifier)


def raise_alert(
    s: Session,
    *,
    conversation_id: str,
    child_id: str | None,
    channel: str,
    text: str,
    category: str | None,
    cue: str | None,
) -> SafeguardingAlert:
    """Store the alert (``text`` verbatim, any length) and one outbox row per notification target.

    Never refuses: no length limit, a missing category is stored as ``unspecified``."""
    child_id = known_child_id(s, child_id)
    now = utcnow()
    ref = audit.conversation_ref(conversation_id)
    alert = SafeguardingAlert(
        child_id=child_id,
        conversation_ref=ref,
        routed_council_id=None if child_id else route_anonymous(s, None, ref),  # the council it named
        channel=channel,
        text=(text or "").replace("\x00", "\ufffd"),
        category=category or "unspecified",
        cue=cue,
        created_at=now,
    )
    alert.outbox = [
        NotificationOutbox(target=t, attempts=0, next_attempt_at=now, created_at=now)
        for t in targets_for_child(s, child_id)
    ]
    s.add(alert)
    s.flush()
    audit.record(
        s,
        audit.actor_for(child_id, conversation_id),
        "create",
        "safeguarding_alert",
        alert.id,
        {"category": alert.category},
    )
    return alert


def acknowledge(s: Session, alert_id: int, actor: str, note: str | None) -> SafeguardingAlert:
    """A person confirms they have picked the alert up. The first acknowledgement is kept."""
    check_text(note, "ack_note")
    alert = s.get(SafeguardingAlert, alert_id)
    if alert is None:
        raise NotFound("no such alert")
    if alert.acknowledged_at is not None:
        return alert
    alert.acknowledged_by = actor
    alert.acknowledged_at = utcnow()
    alert.ack_note = note
    s.flush()
    audit.record(s, actor, "update", "safeguarding_alert", alert.id, {"acknowledged": True})
    return alert


def escalate_overdue(s: Session, now: datetime | None = None, limit: int = 100) -> list[int]:
    """Alerts still not picked up after their council's escalation time (admin settings, default 15
    minutes) are marked escalated and queued for a second, louder notification. Each alert escalates
    once; concurrent notifiers cannot both escalate it. Returns the escalated alert ids."""
    from bot.services.review_admin import SETTING_LIMITS, council_settings

    now = now or utcnow()
    # Nothing escalates sooner than the shortest time a council may set; only look at alerts older than that.
    earliest = now - timedelta(minutes=SETTING_LIMITS["alert_escalation_minutes"][0])
    candidates = (
        s.execute(
            select(SafeguardingAlert)
            .where(
                SafeguardingAlert.acknowledged_at.is_(None),
                SafeguardingAlert.escalated_at.is_(None),
                SafeguardingAlert.created_at <= earliest,
            )
            .order_by(SafeguardingAlert.id)
            .limit(limit)
        )
        .scalars()
        .all()
    )
    escalated = []
    for alert in candidates:
        minutes = council_settings(s, _council_of(s, alert.child_id)).alert_escalation_minutes
        if alert.created_at > now - timedelta(minutes=minutes):
            continue
        claimed = s.execute(
            update(SafeguardingAlert)
            .where(SafeguardingAlert.id == alert.id, SafeguardingAlert.escalated_at.is_(None))
            .values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # another server escalated it first
        for target in targets_for_child(s, alert.child_id):
            s.add(NotificationOutbox(alert_id=alert.id, target=target, kind="escalation", attempts=0,
                                     next_attempt_at=now, created_at=now))
        audit.record(s, "system:notifier", "update", "safeguarding_alert", alert.id,
                     {"escalated": True, "after_minutes": minutes})
        escalated.append(alert.id)
    s.flush()
    return escalated
