"""Sign-in codes: shown once, stored hashed, expire after 30 minutes, single use, rate-limited per address.

(The attacks on them, and the deployment-wide limit, are in tests/security/test_child_signin.py.)"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, SignInCode, SignInFailure, utcnow
from bot.services import children, signin
from bot.services.errors import InvalidCode, RateLimited
from bot.usecases.signin import redeem_sign_in_code


def _issue(engine, child_id, **kw) -> str:
    with session_scope(engine) as s:
        return signin.issue_code(s, child_id, "sw.test", **kw)


def test_code_is_eight_letters_and_numbers_and_stored_hashed(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id)
    assert len(code) == 9 and code[4] == "-" and set(code.replace("-", "")) <= set(signin.ALPHABET)
    with session_scope(engine) as s:
        row = s.execute(select(SignInCode)).scalar_one()
        assert code not in row.code_hash and code.replace("-", "") not in row.code_hash
        assert row.expires_at - row.created_at == timedelta(minutes=30)
        assert row.issued_by.username == "sw.test"


def test_redeem_links_conversation_once(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id)
    with session_scope(engine) as s:
        assert signin.redeem_code(s, code, "web-conv", "ip:1").id == child.id
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, "web-conv").id == child.id
    with pytest.raises(InvalidCode), session_scope(engine) as s:
        signin.redeem_code(s, code, "web-conv-2", "ip:2")
    with session_scope(engine) as s:
        assert children.child_for_conversation(s, "web-conv-2") is None


def test_code_with_spaces_works(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id)
    with session_scope(engine) as s:
        assert signin.redeem_code(s, f" {code[:3]} {code[3:].lower()} ", "c", "k").id == child.id


def test_expired_code_refused(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id, now=utcnow() - timedelta(minutes=31))
    with pytest.raises(InvalidCode), session_scope(engine) as s:
        signin.redeem_code(s, code, "conv", "key")
    fresh = _issue(engine, child.id, now=utcnow() - timedelta(minutes=29))
    with session_scope(engine) as s:
        assert signin.redeem_code(s, fresh, "conv", "key").id == child.id


def _wrong(code: str) -> str:
    return "KKKK-KKKK" if code != "KKKK-KKKK" else "MMMM-MMMM"


def test_rate_limit_survives_the_failed_sign_in_and_is_per_address(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id)
    for _ in range(signin.ADDRESS_LIMIT):
        with pytest.raises(InvalidCode):
            redeem_sign_in_code(_wrong(code), "conv", "198.51.100.9")  # the use case commits the failure
    with pytest.raises(RateLimited):
        redeem_sign_in_code(code, "conv", "198.51.100.9")  # even the right code, while limited
    with session_scope(engine) as s:
        assert signin.redeem_code(s, code, "conv", "198.51.100.10").id == child.id
        assert s.execute(select(func.count(SignInFailure.id))).scalar_one() == signin.ADDRESS_LIMIT
        failed = s.execute(
            select(func.count(AuditEvent.id)).where(AuditEvent.action == "signin_failed")
        ).scalar_one()
        assert failed == signin.ADDRESS_LIMIT
        assert "198.51.100.9" not in s.execute(select(SignInFailure.address_key)).scalars().first()


def test_rate_limit_window_passes(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id)
    past = utcnow() - timedelta(minutes=16)
    for _ in range(signin.ADDRESS_LIMIT):
        with pytest.raises(InvalidCode):
            redeem_sign_in_code(_wrong(code), "conv", "k", now=past)
    assert redeem_sign_in_code(code, "conv", "k").child_id == child.id


def test_issue_audited_without_the_code(engine, make_child):
    child = make_child()
    code = _issue(engine, child.id)
    with session_scope(engine) as s:
        event = s.execute(select(AuditEvent).where(AuditEvent.entity_type == "sign_in_code")).scalar_one()
        assert event.actor == "staff:sw.test" and event.action == "create"
        assert code not in (event.detail or "") and code.replace("-", "") not in (event.detail or "")


def test_the_service_leaves_committing_a_failed_attempt_to_its_caller(engine, make_child):
    make_child()
    with pytest.raises(InvalidCode), session_scope(engine) as s:
        signin.redeem_code(s, "KKKK-KKKK", "conv", "ip:1")  # rolled back by the caller: not counted
    with session_scope(engine) as s:
        assert s.execute(select(func.count(SignInFailure.id))).scalar_one() == 0
