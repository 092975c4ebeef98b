"""SMS opt-outs of numbers that belong to no child (`bot.services.sms_opt_outs`, table ``sms_opt_outs``)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, SmsOptOut, utcnow
from bot.services import audit, children, retention, sms_opt_outs

STRANGER = "+447700900555"


def test_stop_and_start(session):
    phone_hash = children.any_phone_hash(STRANGER)
    assert not sms_opt_outs.is_opted_out(session, phone_hash)
    sms_opt_outs.set_opted_out(session, phone_hash, True)
    session.commit()
    assert sms_opt_outs.is_opted_out(session, children.any_phone_hash("07700 900555"))  # any format
    assert not sms_opt_outs.is_opted_out(session, children.any_phone_hash("+447700900556"))
    sms_opt_outs.set_opted_out(session, phone_hash, False)
    session.commit()
    assert not sms_opt_outs.is_opted_out(session, phone_hash)
    assert session.execute(select(SmsOptOut)).scalars().all() == []
    sms_opt_outs.set_opted_out(session, phone_hash, False)  # START when not opted out: nothing to do


def test_each_change_is_audited_by_the_sms_conversation_without_the_hash_or_number(session):
    phone_hash = children.any_phone_hash(STRANGER)
    for opted_out in (True, True, False, False):  # repeats change nothing and add no event
        sms_opt_outs.set_opted_out(session, phone_hash, opted_out)
    session.commit()
    events = session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "sms_opt_out").order_by(AuditEvent.id)
    ).scalars().all()
    assert [e.detail for e in events] == ['{"sms_opted_out": true}', '{"sms_opted_out": false}']
    actor = audit.conversation_actor(children.sms_sender_id(STRANGER))
    assert all(e.actor == actor and e.entity_id is None and e.action == "update" for e in events)
    assert not any(phone_hash in e.actor or "7700900555" in e.actor for e in events)


def test_a_second_stop_keeps_the_first_and_one_row(session):
    phone_hash = children.any_phone_hash(STRANGER)
    sms_opt_outs.set_opted_out(session, phone_hash, True)
    session.commit()
    first = session.get(SmsOptOut, phone_hash).opted_out_at
    assert first.tzinfo is not None
    sms_opt_outs.set_opted_out(session, phone_hash, True)
    session.commit()
    rows = session.execute(select(SmsOptOut)).scalars().all()
    assert [(r.phone_hash, r.opted_out_at) for r in rows] == [(phone_hash, first)]


def test_only_keyed_hashes_are_stored_never_a_number(session):
    for not_a_hash in (STRANGER, "07700900555", "", "A" * 64, children.any_phone_hash(STRANGER)[:-1]):
        with pytest.raises(ValueError) as info:
            sms_opt_outs.set_opted_out(session, not_a_hash, True)
        assert "7700" not in str(info.value)
        with pytest.raises(ValueError):
            sms_opt_outs.is_opted_out(session, not_a_hash)
    assert session.execute(select(SmsOptOut)).scalars().all() == []


def test_the_same_stop_stored_by_two_servers_at_once(engine, monkeypatch):
    phone_hash = children.any_phone_hash(STRANGER)
    with Session(bind=engine, future=True) as late:
        real_get = late.get
        calls = []

        def get_before_the_other_commits(model, key):
            calls.append(key)
            if len(calls) == 1:  # the other server's row is committed just after this server looked
                with session_scope(engine) as other:
                    sms_opt_outs.set_opted_out(other, phone_hash, True)
                return None
            return real_get(model, key)

        monkeypatch.setattr(late, "get", get_before_the_other_commits)
        sms_opt_outs.set_opted_out(late, phone_hash, True)  # hits the primary key, keeps the other's row
        late.commit()
    with session_scope(engine) as s:
        assert s.execute(select(SmsOptOut.phone_hash)).scalars().all() == [phone_hash]


def test_add_many_counts_only_new_opt_outs(session):
    hashes = [children.any_phone_hash(p) for p in ("+447700900555", "+447700900556")]
    sms_opt_outs.set_opted_out(session, hashes[0], True)
    assert sms_opt_outs.add_many(session, [*hashes, hashes[1]]) == 1
    session.commit()
    assert all(sms_opt_outs.is_opted_out(session, h) for h in hashes)


def test_retention_keeps_opt_outs_however_old(engine, people):
    phone_hash = children.any_phone_hash(STRANGER)
    with session_scope(engine) as s:
        sms_opt_outs.set_opted_out(s, phone_hash, True)
    with session_scope(engine) as s:
        s.execute(update(SmsOptOut).values(opted_out_at=utcnow() - timedelta(days=3650)))
    with session_scope(engine) as s:
        counts = retention.purge_expired(s, 0, "system")
        assert "sms_opt_outs" not in counts
        retention.purge(s, "system:retention")
    with session_scope(engine) as s:
        assert sms_opt_outs.is_opted_out(s, phone_hash), "an opt-out holds until the number says START"
