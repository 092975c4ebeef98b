"""Safeguarding alerts: stored verbatim (never refused), outbox rows per target, acknowledgement, audit."""

from __future__ import annotations

from sqlalchemy import select

from bot.db.models import AuditEvent, NotificationOutbox, SafeguardingAlert
from bot.services import alerts

WORDS = "he hurts me when mum is out 😢 لا أشعر بالأمان"


def _raise(session, text=WORDS, child_id=None):
    return alerts.raise_alert(
        session,
        conversation_id="conv-a",
        child_id=child_id,
        channel="web",
        text=text,
        category="physical_harm",
        cue="hurts me",
    )


def test_alert_stored_verbatim_with_log_target_by_default(session, make_child):
    child = make_child()
    alert = _raise(session, child_id=child.id)
    session.commit()
    session.expire_all()
    stored = session.get(SafeguardingAlert, alert.id)
    assert stored.text == WORDS
    assert [(o.target, o.attempts, o.delivered_at) for o in stored.outbox] == [("log", 0, None)]
    event = session.execute(select(AuditEvent)).scalars().all()[-1]
    assert (event.action, event.entity_type, event.actor) == (
        "create",
        "safeguarding_alert",
        f"child:{child.id}",
    )
    assert "hurts" not in (event.detail or "")


def test_long_disclosure_is_never_refused(session):
    alert = _raise(session, text="please help " * 500)
    session.commit()
    assert len(session.get(SafeguardingAlert, alert.id).text) == 6000


def test_targets_follow_settings(session, monkeypatch):
    monkeypatch.setenv("HEARD_NOTIFY_WEBHOOK", "http://127.0.0.1:9/hook")
    monkeypatch.setenv("HEARD_SMTP_HOST", "127.0.0.1")
    alert = _raise(session)
    session.commit()
    targets = (
        session.execute(select(NotificationOutbox.target).where(NotificationOutbox.alert_id == alert.id))
        .scalars()
        .all()
    )
    assert sorted(targets) == ["email", "webhook"]


def test_acknowledge_keeps_the_first(session):
    alert = _raise(session)
    alerts.acknowledge(session, alert.id, "staff:duty.test", "Called the carer")
    alerts.acknowledge(session, alert.id, "staff:other", "later")
    session.commit()
    assert (alert.acknowledged_by, alert.ack_note) == ("staff:duty.test", "Called the carer")
    assert alert.acknowledged_at is not None


def test_alert_never_refused_for_unknown_child_or_missing_category(session):
    alert = alerts.raise_alert(
        session,
        conversation_id="c",
        child_id="c_purged0000",
        channel="a-long-channel-name-for-some-connector",
        text="help",
        category=None,
        cue="x" * 5000,
    )
    session.commit()
    assert (alert.child_id, alert.category, len(alert.cue)) == (None, "unspecified", 5000)
