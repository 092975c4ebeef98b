"""Demo seed (idempotent, argon2 passwords) and the audit trail of every write."""

from __future__ import annotations

from bot.db.visitor_models import CHECK_KINDS
from bot.services.visitor_checks import record_checks
from datetime import date

import pytest
from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Child, LocalAuthority, StaffUser, VisitorMatch, utcnow
from bot.services import alerts, audit, children, referrals, signin, staff, visitors, wishes
from bot.services.seed import DEMO_PASSWORD, seed_demo


def _counts(s) -> tuple[int, ...]:
    return tuple(
        s.execute(select(func.count()).select_from(m)).scalar_one()
        for m in (LocalAuthority, StaffUser, Child, VisitorMatch)
    )


def test_seed_is_idempotent(engine):
    with session_scope(engine) as s:
        first = seed_demo(s)
    with session_scope(engine) as s:
        second = seed_demo(s)
        assert _counts(s) == (1, 6, 4, 1)
    assert first["children"] == second["children"] and second["created"] == 0
    assert "+44" not in repr(second) and "argon2" not in repr(second)


def test_seed_content(engine):
    with session_scope(engine) as s:
        summary = seed_demo(s)
        users = {u.username: u for u in s.execute(select(StaffUser)).scalars()}
        assert {u: users[u].role for u in users} == {
            "sw.amara": "social_worker",
            "sw.ben": "social_worker",
            "iro.claire": "iro",
            "adv.dev": "advocacy",
            "duty.erin": "duty",
            "admin.fay": "admin",
        }
        assert users["sw.ben"].password_hash.startswith("$argon2")
        assert staff.verify_password(users["sw.ben"], DEMO_PASSWORD)
        assert not staff.verify_password(users["sw.ben"], "wrong")
        kids = s.execute(select(Child)).scalars().all()
        today = utcnow().date()
        assert all(today < k.next_review_date <= date.fromordinal(today.toordinal() + 42) for k in kids)
        assert sum(1 for k in kids if k.phone_hash) == 2
        assert children.match_phone(s, "+447700900002").id in summary["children"].values()
        pending = visitors.pending_match(s, summary["children"]["Leo"])
        assert pending is not None and pending.id == summary["match_id"]


def test_every_write_is_audited(engine, make_child):
    child = make_child()
    with session_scope(engine) as s:
        before = s.execute(select(func.count(AuditEvent.id))).scalar_one()
        children.link_conversation(s, "c1", child.id, "web")
        children.set_preferences(s, child.id, audio_on=True)
        referrals.submit_referral(
            s,
            idempotency_key="a",
            conversation_id="c1",
            child_id=child.id,
            reason="review",
            words="SECRET WORDS",
            contact_how=None,
            contact_when=None,
            tell_social_worker=False,
        )
        wishes.submit_statement(
            s,
            idempotency_key="b",
            conversation_id="c1",
            child_id=child.id,
            review_date=None,
            review_label=None,
            answers=[("q", "Q", "SECRET WORDS")],
            share_with=["iro"],
            drafted_at=None,
        )
        visitors.request_visitor(
            s,
            idempotency_key="c",
            conversation_id="c1",
            child_id=child.id,
            kind="mentor",
            wishes="SECRET WORDS",
        )
        match = visitors.propose_match(s, child.id, "sw.test", "Priya", None)
        visitors.answer_match(s, match_id=match.id, idempotency_key="d", accept=True, reason="SECRET WORDS")
        record_checks(s, match_id=match.id,
                  completed={k: date(2026, 1, 5) for k in CHECK_KINDS}, actor="staff:sw.test")
        visitors.appoint(s, match.id, "staff:sw.test")
        alert = alerts.raise_alert(
            s,
            conversation_id="c1",
            child_id=child.id,
            channel="web",
            text="SECRET WORDS",
            category="x",
            cue="SECRET",
        )
        alerts.acknowledge(s, alert.id, "staff:sw.test", "SECRET WORDS")
        signin.issue_code(s, child.id, None)
    with session_scope(engine) as s:
        events = s.execute(select(AuditEvent).order_by(AuditEvent.id)).scalars().all()[before:]
    assert [(e.action, e.entity_type) for e in events] == [
        ("create", "conversation_link"),
        ("update", "child"),
        ("create", "advocacy_referral"),
        ("create", "wishes_statement"),
        ("create", "visitor_request"),
        ("create", "visitor_match"),
        ("update", "visitor_match"),
        ("update", "visitor_check"),
        ("update", "visitor_check"),
        ("update", "visitor_check"),
        ("update", "visitor_check"),
        ("update", "visitor_match"),
        ("create", "safeguarding_alert"),
        ("update", "safeguarding_alert"),
        ("create", "sign_in_code"),
    ]
    assert all("SECRET" not in (e.detail or "") for e in events)
    assert all(e.at is not None and e.actor for e in events)


def test_audit_actor_helpers(engine):
    assert audit.actor_for("c_abc", "conv") == "child:c_abc"
    anon = audit.actor_for(None, "+447700900001")
    assert anon.startswith("conversation:") and "7700" not in anon
    assert audit.staff_actor("sw.ben") == audit.staff_actor("staff:sw.ben") == "staff:sw.ben"
    with pytest.raises(ValueError):
        audit.record(None, "system", "delete", "x", 1)  # type: ignore[arg-type]
