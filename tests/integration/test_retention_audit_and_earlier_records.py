"""Issue 17, the last gaps, with frozen time (``now`` passed in): audit events go with the records they describe
(a checkpoint keeps the chain verifiable), anonymous complaints have a retention period, and records sent
before sign-in are the child's (held, exported)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text, update
from sqlalchemy.exc import IntegrityError

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, AuditEvent
from bot.db.retention_models import AuditCheckpoint
from bot.db.routing_models import Complaint
from bot.services import audit, children, complaints, export, legal_holds, referrals, retention
from bot.services.audit_chain import checkpoint_seal
from bot.usecases.audit_verify import verify_audit_chain

WORDS = "nobody listens to me about moving school"
AUDIT_PERIOD = timedelta(days=365.25 * retention.AUDIT_YEARS)


def _purge(engine, now: datetime, *, dry_run: bool = False) -> dict:
    with session_scope(engine) as s:
        return retention.purge(s, "system:test", now=now, dry_run=dry_run)


def _about(engine, entity_type: str, entity_id: str) -> int:
    with session_scope(engine) as s:
        query = select(func.count(AuditEvent.id)).where(
            AuditEvent.entity_type == entity_type, AuditEvent.entity_id == entity_id)
        return s.execute(query).scalar_one()


def _newest_event_at(engine) -> datetime:
    with session_scope(engine) as s:
        return s.execute(select(func.max(AuditEvent.at))).scalar_one()


def test_audit_events_of_gone_records_go_after_the_audit_period_and_the_chain_still_verifies(engine, make_child):
    erased, kept, held = make_child("Ana"), make_child("Bo"), make_child("Cy")
    with session_scope(engine) as s:
        legal_holds.place_hold(s, held.id, "court case", "staff:admin")
        # about a record that is gone, but naming a child under a legal hold: never removed
        audit.record(s, "staff:sw.test", "update", "advocacy_referral", 999999, {"child": held.id})
        audit.record(s, "system:test", "purge", "transcripts", None, {"conversations": 3})  # counts only
        legal_holds.erase_child(s, erased.id, "the child asked", "staff:admin")
    written = _newest_event_at(engine)
    assert _about(engine, "child", erased.id) == 2  # created, erased

    not_yet = written + AUDIT_PERIOD - timedelta(days=1)
    assert _purge(engine, not_yet, dry_run=True)["(audit)"] == {"audit_events": 0}
    assert _purge(engine, not_yet)["(audit)"] == {"audit_events": 0}
    assert _about(engine, "child", erased.id) == 2

    day_after = written + AUDIT_PERIOD + timedelta(days=1)
    counted = _purge(engine, day_after, dry_run=True)["(audit)"]["audit_events"]
    assert counted >= 3  # Ana's two events and the count-only one
    assert _purge(engine, day_after)["(audit)"]["audit_events"] == counted
    assert _about(engine, "child", erased.id) == 0
    assert _about(engine, "child", kept.id) == 1 and _about(engine, "child", held.id) >= 2
    assert _about(engine, "advocacy_referral", "999999") == 1
    with session_scope(engine) as s:
        checkpoints = s.execute(select(AuditCheckpoint)).scalars().all()
        event = s.execute(select(AuditEvent).where(AuditEvent.action == "purge", AuditEvent.entity_id.is_(None))
                          .order_by(AuditEvent.id.desc()).limit(1)).scalars().one()
    assert checkpoints and sum(c.removed for c in checkpoints) == counted
    detail = json.loads(event.detail)
    assert (detail["audit_events"], detail["audit_checkpoints"]) == (counted, len(checkpoints))
    walk = verify_audit_chain()
    assert walk.intact, walk.reason
    assert walk.checkpoints_used == len(checkpoints)

    # Later, the first purge's own count events go too; the new gaps join the old ones and still verify.
    later = day_after + AUDIT_PERIOD + timedelta(days=2)
    assert _purge(engine, later)["(audit)"]["audit_events"] > 0
    walk = verify_audit_chain()
    assert walk.intact, walk.reason
    assert _about(engine, "child", kept.id) == 1  # Bo's record still exists: its event stays


def test_a_council_may_keep_audit_events_longer(engine, make_child, people):
    child = make_child("Ana")
    with session_scope(engine) as s:
        legal_holds.erase_child(s, child.id, "the child asked", "staff:admin")
        retention.set_policy(s, people["la"].id, "staff:admin", audit_years=10)
    day_after_default = _newest_event_at(engine) + AUDIT_PERIOD + timedelta(days=1)
    assert _purge(engine, day_after_default)["(audit)"] == {"audit_events": 0}
    assert _about(engine, "child", child.id) == 2
    with pytest.raises(Exception, match="from 6 to 100"), session_scope(engine) as s:
        retention.set_policy(s, people["la"].id, "staff:admin", audit_years=2)


def test_the_trigger_still_refuses_any_other_delete_and_a_forged_checkpoint_does_not_verify(engine, make_child):
    make_child("Ana"), make_child("Bo")
    with engine.connect() as conn:
        first = conn.execute(text("SELECT min(id) FROM audit_events")).scalar_one()
        conn.rollback()
        with pytest.raises(IntegrityError, match="append-only"), conn.begin():
            conn.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": first})
    with session_scope(engine) as s:
        row = s.get(AuditEvent, first)
        fields = {"first_removed_id": first, "last_removed_id": first, "prev_hash": row.prev_hash,
                  "last_hash": row.row_hash, "removed": 1, "made_at": datetime.now(timezone.utc)}
        s.add(AuditCheckpoint(**fields, seal=checkpoint_seal(fields)[::-1]))  # made without the key
        s.flush()
        s.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": first})  # the trigger lets it go...
    walk = verify_audit_chain()
    assert not walk.intact and walk.broken_at == first + 1  # ...but the chain does not verify across it


def _anonymous_complaint(s, key: str, conversation: str = "anon-1") -> Complaint:
    return complaints.submit_complaint(
        s, idempotency_key=key, conversation_id=conversation, child_id=None, channel="web", about=WORDS,
        wants=None, anon_name="Jo", local_authority="Test Borough Council",
    )


def _complaints_purged(result: dict) -> int:
    return sum(counts.get("complaints (no child)", 0) for counts in result.values())


def test_an_anonymous_complaint_goes_the_day_after_its_period_and_not_before(engine, people):
    changed = datetime(2026, 3, 2, 12, tzinfo=timezone.utc)
    with session_scope(engine) as s:
        resolved = _anonymous_complaint(s, "k1")
        complaints.change_status(s, resolved.id, "resolved", "staff:sw.test", None)
        still_open = _anonymous_complaint(s, "k2", "anon-2")
        ids = (resolved.id, still_open.id)
        s.execute(update(Complaint).where(Complaint.id.in_(ids)).values(updated_at=changed, created_at=changed))
    last_day = changed + timedelta(days=retention.MIN_FALLBACK_DAYS)
    assert _complaints_purged(_purge(engine, last_day, dry_run=True)) == 0
    assert _complaints_purged(_purge(engine, last_day)) == 0
    day_after = last_day + timedelta(days=1)
    assert _complaints_purged(_purge(engine, day_after, dry_run=True)) == 1
    assert _complaints_purged(_purge(engine, day_after)) == 1
    with session_scope(engine) as s:
        left = s.execute(select(Complaint.id)).scalars().all()
    assert left == [still_open.id]  # an open complaint waits for a person


def test_records_sent_before_sign_in_become_the_childs_held_and_exported(engine, make_child, people):
    child, other = make_child("Ana"), make_child("Bo")
    conversation = "sms-conversation-1"
    with session_scope(engine) as s:
        before = referrals.submit_referral(
            s, idempotency_key="r1", conversation_id=conversation, child_id=None, reason="other", words=WORDS,
            contact_how=None, contact_when=None, tell_social_worker=False, local_authority="Test Borough Council",
        )
        complaint = _anonymous_complaint(s, "k1", conversation)
        others = referrals.submit_referral(
            s, idempotency_key="r2", conversation_id=conversation, child_id=other.id, reason="other",
            words=WORDS, contact_how=None, contact_when=None, tell_social_worker=False,
        )
        ids = (before.id, complaint.id, others.id)
    with session_scope(engine) as s:
        link = children.link_conversation(s, conversation, child.id, "sms")
        legal_holds.place_hold(s, child.id, "court case", "staff:admin")
        link_id = link.id
    with session_scope(engine) as s:
        assert s.get(AdvocacyReferral, ids[0]).child_id == child.id
        assert s.get(Complaint, ids[1]).child_id == child.id
        assert s.get(AdvocacyReferral, ids[2]).child_id == other.id  # another child's: never moved
        adopted = s.execute(select(AuditEvent).where(
            AuditEvent.entity_type == "conversation_link", AuditEvent.entity_id == str(link_id),
            AuditEvent.detail.contains("earlier_records"))).scalars().one()
        assert json.loads(adopted.detail) == {"earlier_records": {"advocacy_referrals": 1, "complaints": 1}}
        assert adopted.actor == f"child:{child.id}" and WORDS not in adopted.detail
        s.execute(text("DELETE FROM conversation_links WHERE id = :i"), {"i": link_id})  # sign-in ended
        s.execute(update(AdvocacyReferral).where(AdvocacyReferral.id == ids[0]).values(
            status="closed", updated_at=datetime(2020, 1, 1, tzinfo=timezone.utc)))
        s.execute(update(Complaint).where(Complaint.id == ids[1]).values(
            status="resolved", updated_at=datetime(2020, 1, 1, tzinfo=timezone.utc)))
    long_after = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(days=retention.MIN_FALLBACK_DAYS + 400)
    _purge(engine, max(long_after, datetime.now(timezone.utc)))
    with session_scope(engine) as s:
        assert s.get(AdvocacyReferral, ids[0]) is not None  # held with the child's records
        assert s.get(Complaint, ids[1]) is not None
        data = export.export_child(s, child.id, "staff:admin")
    assert ids[0] in {r["id"] for r in data["advocacy_referrals"]}
    assert WORDS in json.dumps(data, default=str)


def test_migration_0020_gives_records_sent_before_an_earlier_sign_in_their_child(db_url, engine, make_child):
    from bot.db.migrate import downgrade, upgrade

    child = make_child("Ana")
    with session_scope(engine) as s:
        children.link_conversation(s, "sms-conversation-2", child.id, "sms")
        referral = referrals.submit_referral(
            s, idempotency_key="r1", conversation_id="sms-conversation-2", child_id=None, reason="other",
            words=WORDS, contact_how=None, contact_when=None, tell_social_worker=False,
        )
        referral_id = referral.id
    engine.dispose()
    downgrade(db_url, "0018")
    with engine.begin() as conn:  # as it was before 0020: sent before sign-in, still of no child
        conn.execute(text("UPDATE advocacy_referrals SET child_id = NULL WHERE id = :i"), {"i": referral_id})
    upgrade(db_url)
    with engine.connect() as conn:
        owner = conn.execute(text("SELECT child_id FROM advocacy_referrals WHERE id = :i"), {"i": referral_id})
        assert owner.scalar_one() == child.id
