"""Safeguarding alerts: a possible disclosure is stored verbatim and queued for a person to be told.

``raise_alert`` never refuses a text for being long (nothing a child discloses may be lost). Notification
rows go to the outbox in the same transaction; ``bot.safeguarding.notifier`` delivers them (without the
child's words) and retries until delivered.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.config import Settings, get_settings
from bot.db.models import NotificationOutbox, SafeguardingAlert, utcnow
from bot.services import audit
from bot.services.children import known_child_id
from bot.services.errors import NotFound
from bot.services.text import check_text


def notification_targets(settings: Settings | None = None) -> list[str]:
    """``webhook`` if ``HEARD_NOTIFY_WEBHOOK`` is set, ``email`` if ``HEARD_SMTP_HOST`` is set, else ``log``."""
    settings = settings or get_settings()
    targets = []
    if settings.notify_webhook:
        targets.append("webhook")
    if settings.smtp_host:
        targets.append("email")
    return targets or ["log"]


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
    alert = SafeguardingAlert(
        child_id=child_id,
        conversation_ref=audit.conversation_ref(conversation_id),
        channel=channel,
        text=(text or "").replace("\x00", "\ufffd"),
        category=category or "unspecified",
        cue=cue,
        created_at=now,
    )
    alert.outbox = [
        NotificationOutbox(target=t, attempts=0, next_attempt_at=now, created_at=now)
        for t in notification_targets()
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
