"""Advocacy referrals: verbatim words, idempotent retries, text limit, status workflow, audit."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AdvocacyReferral, AuditEvent, ReferralStatusChange
from bot.services import referrals
from bot.services.errors import IdempotencyConflict, InvalidChoice, InvalidTransition, TextTooLong

VERBATIM = [
    "I want someone to help me 😢🙏🏽 at my review",
    "أريد أن أتحدث مع شخص ما عن مراجعتي",
    "Chcę porozmawiać z kimś. Żółć, gęślą jaźń!",
    "<script>alert('x')</script> & <b>bold</b> \"quotes\" 'single' ; DROP TABLE children; --",
    "line one\nline two\r\n\ttabbed   spaced  ",
    "x" * 2000,
]


def _submit(session, key="k1", words="help me please", conversation="conv-1", child_id=None, **extra):
    args = {
        "idempotency_key": key,
        "conversation_id": conversation,
        "child_id": child_id,
        "reason": "review",
        "words": words,
        "contact_how": "text me",
        "contact_when": "after school",
        "tell_social_worker": False,
    }
    args.update(extra)
    return referrals.submit_referral(session, **args)


def _count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar_one()


@pytest.mark.parametrize("words", VERBATIM, ids=["emoji", "arabic", "polish", "html", "whitespace", "2000"])
def test_words_are_stored_verbatim(engine, words):
    with session_scope(engine) as s:
        referral_id = _submit(s, words=words, contact_how=words[:50]).id
    with session_scope(engine) as s:
        stored = s.get(AdvocacyReferral, referral_id)
        assert stored.words == words
        assert stored.contact_how == words[:50]


def test_2001_characters_raise_and_store_nothing(engine):
    with pytest.raises(TextTooLong) as info, session_scope(engine) as s:
        _submit(s, words="x" * 2001)
    assert info.value.length == 2001 and info.value.limit == 2000
    with session_scope(engine) as s:
        assert _count(s, AdvocacyReferral) == 0


def test_max_text_comes_from_settings(engine, monkeypatch):
    monkeypatch.setenv("HEARD_MAX_TEXT", "10")
    with pytest.raises(TextTooLong), session_scope(engine) as s:
        _submit(s, words="eleven char")


def test_same_key_twice_makes_one_referral(engine):
    with session_scope(engine) as s:
        first = _submit(s, key="same")
    with session_scope(engine) as s:
        again = _submit(s, key="same", words="a retry with other words")
        assert again.id == first.id
        assert again.words == "help me please"
    with session_scope(engine) as s:
        assert _count(s, AdvocacyReferral) == 1
        assert _count(s, ReferralStatusChange) == 1
        creates = s.execute(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.entity_type == "advocacy_referral")
        ).scalar_one()
        assert creates == 1


def test_same_key_from_another_conversation_is_refused(engine):
    with session_scope(engine) as s:
        _submit(s, key="shared")
    with pytest.raises(IdempotencyConflict), session_scope(engine) as s:
        _submit(s, key="shared", conversation="someone-else")


def test_unknown_reason_refused(session):
    with pytest.raises(InvalidChoice):
        _submit(session, reason="lunch")


def test_new_referral_fields(session, make_child):
    child = make_child()
    referral = _submit(session, child_id=child.id, tell_social_worker=True)
    session.commit()
    assert referral.status == "new"
    assert referral.tell_social_worker is True
    assert referral.response_due > date.today()
    assert referral.response_due.weekday() < 5
    assert [(h.from_status, h.to_status) for h in referral.history] == [(None, "new")]
    assert referral.conversation_ref != "conv-1" and len(referral.conversation_ref) == 64
    event = session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "advocacy_referral")
    ).scalar_one()
    assert (event.actor, event.action, event.entity_id) == (f"child:{child.id}", "create", str(referral.id))
    assert "help me" not in (event.detail or "")


def test_anonymous_referral_keeps_name_and_council(session):
    referral = _submit(session, anon_name="Jay", local_authority="Lancashire")
    assert (referral.child_id, referral.anon_name, referral.anon_local_authority) == (
        None,
        "Jay",
        "Lancashire",
    )
    event = session.execute(select(AuditEvent)).scalar_one()
    assert event.actor.startswith("conversation:") and "conv-1" not in event.actor


def test_working_days():
    friday = date(2026, 11, 27)
    assert referrals.add_working_days(friday, 1) == date(2026, 11, 30)
    assert referrals.add_working_days(friday, 5) == date(2026, 12, 4)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # Christmas 2026: Fri 25 Dec Christmas Day, Mon 28 Dec Boxing Day (substitute), Fri 1 Jan 2027.
        (date(2026, 12, 23), 5, date(2027, 1, 4)),
        (date(2026, 12, 24), 1, date(2026, 12, 29)),
        # Easter 2027: Good Friday 26 March, Easter Monday 29 March.
        (date(2027, 3, 24), 5, date(2027, 4, 2)),
        (date(2027, 3, 25), 1, date(2027, 3, 30)),
    ],
)
def test_working_days_skip_bank_holidays(start, days, due):
    assert referrals.add_working_days(start, days) == due


def test_bank_holidays_are_not_working_days():
    for holiday in (date(2026, 12, 25), date(2026, 12, 28), date(2027, 3, 26), date(2027, 3, 29)):
        assert not referrals.is_working_day(holiday)
    assert referrals.is_working_day(date(2026, 12, 29)) and not referrals.is_working_day(date(2026, 12, 26))


def test_referral_response_deadline_skips_christmas(session, monkeypatch):
    from datetime import datetime, timezone

    # Submitted on Wednesday 23 December 2026 with the default 5 working days: 24, 29, 30, 31 Dec and 4 Jan.
    monkeypatch.delenv("HEARD_REFERRAL_RESPONSE_DAYS", raising=False)
    monkeypatch.setattr(referrals, "utcnow", lambda: datetime(2026, 12, 23, 15, 0, tzinfo=timezone.utc))
    referral = _submit(session)
    session.commit()
    assert referral.response_due == date(2027, 1, 4)


def test_status_workflow(session):
    referral = _submit(session)
    referrals.change_status(session, referral.id, "acknowledged", "staff:adv.test")
    referrals.change_status(session, referral.id, "allocated", "staff:adv.test", note="Allocated to Dev")
    referrals.change_status(session, referral.id, "closed", "staff:adv.test")
    session.commit()
    assert [(h.from_status, h.to_status) for h in referral.history] == [
        (None, "new"),
        ("new", "acknowledged"),
        ("acknowledged", "allocated"),
        ("allocated", "closed"),
    ]
    assert referral.history[2].note == "Allocated to Dev"
    updates = session.execute(
        select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "update")
    ).scalar_one()
    assert updates == 3


@pytest.mark.parametrize(
    ("path", "bad"),
    [
        ([], "allocated"),
        ([], "new"),
        (["acknowledged"], "new"),
        (["closed"], "acknowledged"),
        (["closed"], "closed"),
    ],
)
def test_bad_transitions_refused(session, path, bad):
    referral = _submit(session)
    for status in path:
        referrals.change_status(session, referral.id, status, "staff:adv.test")
    with pytest.raises(InvalidTransition):
        referrals.change_status(session, referral.id, bad, "staff:adv.test")


def test_close_from_new(session):
    referral = _submit(session)
    assert referrals.change_status(session, referral.id, "closed", "staff:adv.test").status == "closed"


def test_stale_child_id_still_stores_the_referral(session):
    referral = _submit(session, child_id="c_gone000000")
    session.commit()
    assert referral.child_id is None and referral.words == "help me please"
