"""A concurrent duplicate (same key inserted between our check and our insert) returns the first record."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, LocalAuthority
from bot.services import idempotency, referrals


def _submit(s, words):
    return referrals.submit_referral(
        s,
        idempotency_key="race",
        conversation_id="c",
        child_id=None,
        reason="other",
        words=words,
        contact_how=None,
        contact_when=None,
        tell_social_worker=False,
    )


def test_lost_race_returns_first_and_keeps_callers_work(engine, monkeypatch):
    with session_scope(engine) as s:
        first = _submit(s, "first")
    real = idempotency.find_by_key
    calls = []

    def miss_once(s, model, key):
        calls.append(key)
        return None if len(calls) == 1 else real(s, model, key)

    monkeypatch.setattr(idempotency, "find_by_key", miss_once)
    with session_scope(engine) as s:
        s.add(LocalAuthority(name="work done earlier in the same transaction"))
        s.flush()
        again = _submit(s, "second")
        assert again.id == first.id and again.words == "first"
    assert len(calls) == 2
    with session_scope(engine) as s:
        assert s.execute(select(func.count(AdvocacyReferral.id))).scalar_one() == 1
        assert s.execute(select(func.count(LocalAuthority.id))).scalar_one() == 1
