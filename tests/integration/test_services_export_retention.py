"""Subject access export and retention purge (both audited; audit rows are never deleted)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.db.engine import session_scope
from bot.db.models import (
    AdvocacyReferral,
    AuditEvent,
    SafeguardingAlert,
    SignInCode,
    VisitorMatch,
    WishesAnswer,
    WishesStatement,
    utcnow,
)
from bot.services import alerts, children, referrals, retention, signin, visitors, wishes
from bot.services.export import export_child


def _fill(s, child_id):
    children.link_conversation(s, "conv-x", child_id, "web")
    referrals.submit_referral(
        s,
        idempotency_key="r1",
        conversation_id="conv-x",
        child_id=child_id,
        reason="complaint",
        words="Nobody listens to me 😠",
        contact_how="phone",
        contact_when="evening",
        tell_social_worker=False,
    )
    # sent before signing in, from the same (later linked) conversation
    referrals.submit_referral(
        s,
        idempotency_key="r2",
        conversation_id="conv-x",
        child_id=None,
        reason="other",
        words="anonymous first",
        contact_how=None,
        contact_when=None,
        tell_social_worker=False,
    )
    wishes.submit_statement(
        s,
        idempotency_key="w1",
        conversation_id="conv-x",
        child_id=child_id,
        review_date=date(2026, 12, 1),
        review_label=None,
        answers=[("q", "How are you?", "Dobrze 🙂")],
        share_with=["iro"],
        drafted_at=None,
    )
    visitors.request_visitor(
        s,
        idempotency_key="v1",
        conversation_id="conv-x",
        child_id=child_id,
        kind="mentor",
        wishes="someone funny",
    )
    alerts.raise_alert(
        s,
        conversation_id="conv-x",
        child_id=child_id,
        channel="web",
        text="I feel unsafe",
        category="risk",
        cue="unsafe",
    )
    signin.issue_code(s, child_id, "sw.test")


def test_export_has_everything_and_is_audited(engine, make_child):
    child = make_child(phone="+447700900001")
    other = make_child(name="Other")
    with session_scope(engine) as s:
        _fill(s, child.id)
        referrals.submit_referral(
            s,
            idempotency_key="other",
            conversation_id="conv-other",
            child_id=other.id,
            reason="review",
            words="not yours",
            contact_how=None,
            contact_when=None,
            tell_social_worker=False,
        )
    with session_scope(engine) as s:
        data = export_child(s, child.id, "staff:sw.test")
    text = json.dumps(data, ensure_ascii=False)
    assert data["child"]["chosen_name"] == "Sam" and data["child"]["phone"] == "•••• 001"
    assert sorted(r["words"] for r in data["advocacy_referrals"]) == [
        "Nobody listens to me 😠",
        "anonymous first",
    ]
    assert data["wishes_statements"][0]["answers"][0]["answer"] == "Dobrze 🙂"
    assert data["wishes_statements"][0]["share_with"] == ["iro"]
    assert data["visitor_requests"][0]["wishes"] == "someone funny"
    assert data["safeguarding_alerts"][0]["text"] == "I feel unsafe"
    assert len(data["sign_in_codes"]) == 1 and data["conversations"] == [
        {"channel": "web", "created_at": data["conversations"][0]["created_at"]}
    ]
    assert data["audit_events"]
    assert "not yours" not in text
    assert "7700900001" not in text and "conv-x" not in text
    with session_scope(engine) as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "export")).scalar_one()
        assert (event.actor, event.entity_id) == ("staff:sw.test", child.id)


def _age(s, model, column, days):
    s.execute(
        update(model)
        .values({column: utcnow() - timedelta(days=days)})
        .execution_options(synchronize_session=False)
    )


def test_purge_removes_old_closed_records_keeps_open_ones_and_audit(engine, make_child):
    child = make_child()
    with session_scope(engine) as s:
        _fill(s, child.id)
        match = visitors.propose_match(s, child.id, "sw.test", "Priya", None)
        visitors.answer_match(s, match_id=match.id, idempotency_key="m", accept=False)
        first = s.execute(
            select(AdvocacyReferral).where(AdvocacyReferral.idempotency_key == "r1")
        ).scalar_one()
        referrals.change_status(s, first.id, "closed", "staff:adv.test")
        audit_before = s.execute(select(func.count(AuditEvent.id))).scalar_one()
    with session_scope(engine) as s:
        for model, column in (
            (AdvocacyReferral, "updated_at"),
            (WishesStatement, "created_at"),
            (VisitorMatch, "updated_at"),
            (SafeguardingAlert, "created_at"),
            (SignInCode, "expires_at"),
        ):
            _age(s, model, column, 400)
    with session_scope(engine) as s:
        assert retention.purge_expired(s, 365, "staff:admin.test") == {
            "advocacy_referrals": 1,  # the closed one; the open one stays
            "wishes_statements": 1,
            "visitor_requests": 0,  # recent
            "visitor_matches": 1,
            "safeguarding_alerts": 0,  # never acknowledged: kept
            "conversation_links": 0,
            "sign_in_codes": 1,
            "sign_in_attempts": 0,
        }
    with session_scope(engine) as s:
        assert s.execute(select(AdvocacyReferral.idempotency_key)).scalars().all() == ["r2"]
        assert s.execute(select(func.count(WishesAnswer.id))).scalar_one() == 0  # cascaded
        assert s.execute(select(func.count(SafeguardingAlert.id))).scalar_one() == 1
        assert s.execute(select(func.count(AuditEvent.id))).scalar_one() == audit_before + 1
        purge = s.execute(select(AuditEvent).where(AuditEvent.action == "purge")).scalar_one()
        assert purge.actor == "staff:admin.test" and '"advocacy_referrals": 1' in purge.detail
    with session_scope(engine) as s:
        alert = s.execute(select(SafeguardingAlert)).scalar_one()
        alerts.acknowledge(s, alert.id, "staff:duty.test", None)
    with session_scope(engine) as s:
        assert retention.purge_expired(s, 365, "system")["safeguarding_alerts"] == 1


def test_purge_refuses_negative_days(session):
    with pytest.raises(ValueError):
        retention.purge_expired(session, -1, "system")


def test_daily_retention_task_purges_and_survives_a_dead_database(engine, monkeypatch):
    import asyncio

    from bot.db.engine import dispose_engines
    from bot.usecases.retention import run_daily

    async def one_pass() -> None:
        task = asyncio.create_task(run_daily(24))
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    asyncio.run(one_pass())
    with session_scope(engine) as s:
        assert s.execute(select(func.count(AuditEvent.id)).where(AuditEvent.action == "purge")).scalar_one() >= 1
    monkeypatch.setenv("HEARD_DATABASE_URL", "postgresql+psycopg2://postgres@127.0.0.1:1/nowhere")
    dispose_engines()
    asyncio.run(one_pass())  # logs the failure, does not raise
    dispose_engines()
