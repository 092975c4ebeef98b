"""Visitors and mentors: requests, proposals, the child's answer, appointment; an objection is final."""

from __future__ import annotations

from datetime import date

from bot.db.visitor_models import CHECK_KINDS
from bot.services.visitor_checks import record_checks
import pytest
from sqlalchemy import func, select

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, VisitorMatch, VisitorRequest
from bot.services import visitors
from bot.services.errors import InvalidTransition, MatchClosed, MatchObjected, TextTooLong


def test_request_is_idempotent_and_verbatim(engine):
    wish = "Someone kind who likes drawing 🎨 and speaks Polish — mówi po polsku"
    for _ in range(2):
        with session_scope(engine) as s:
            visitors.request_visitor(
                s,
                idempotency_key="iv-1",
                conversation_id="c",
                child_id=None,
                kind="mentor",
                wishes=wish,
                anon_name="Kai",
                local_authority="Cambridgeshire",
                contact="call my carer",
            )
    with session_scope(engine) as s:
        request = s.execute(select(VisitorRequest)).scalar_one()
        assert (request.wishes, request.kind, request.status) == (wish, "mentor", "new")
        assert (request.anon_name, request.contact) == ("Kai", "call my carer")
        assert s.execute(select(func.count(AuditEvent.id))).scalar_one() == 1


def test_propose_and_pending(session, make_child):
    child = make_child()
    assert visitors.pending_match(session, child.id) is None
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", "likes animals, plays guitar")
    session.commit()
    assert visitors.pending_match(session, child.id).id == match.id
    assert match.proposed_by.username == "sw.test"


def test_accept_then_appoint(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    visitors.answer_match(session, match_id=str(match.id), idempotency_key="a1", accept=True)
    assert visitors.pending_match(session, child.id) is None
    record_checks(session, match_id=match.id,
                  completed={k: date(2026, 1, 5) for k in CHECK_KINDS}, actor="staff:sw.test")
    visitors.appoint(session, match.id, "staff:sw.test")
    session.commit()
    assert match.status == "appointed"


def test_objection_cannot_be_appointed_by_the_service(engine, make_child):
    child = make_child()
    with session_scope(engine) as s:
        match_id = visitors.propose_match(s, child.id, "sw.test", "Priya", None).id
    with session_scope(engine) as s:
        visitors.answer_match(
            s,
            match_id=match_id,
            idempotency_key="o1",
            accept=False,
            reason="I don't want a man 🙅",
            preferences="a woman who likes art",
        )
    with pytest.raises(MatchObjected), session_scope(engine) as s:
        visitors.appoint(s, match_id, "staff:sw.test")
    with pytest.raises(MatchClosed), session_scope(engine) as s:
        visitors.answer_match(s, match_id=match_id, idempotency_key="o2", accept=True)
    with session_scope(engine) as s:
        match = s.get(VisitorMatch, match_id)
        assert (match.status, match.reason, match.preferences) == (
            "objected",
            "I don't want a man 🙅",
            "a woman who likes art",
        )


def test_orm_update_to_appointed_is_refused_by_the_database(engine, make_child):
    from sqlalchemy.exc import IntegrityError

    child = make_child()
    with session_scope(engine) as s:
        match_id = visitors.propose_match(s, child.id, None, "Priya", None).id
        visitors.answer_match(s, match_id=match_id, idempotency_key="o1", accept=False)
    with pytest.raises(IntegrityError), session_scope(engine) as s:
        s.get(VisitorMatch, match_id).status = "appointed"  # bypassing the service
    with session_scope(engine) as s:
        assert s.get(VisitorMatch, match_id).status == "objected"


def test_answer_retry_is_idempotent(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    visitors.answer_match(session, match_id=match.id, idempotency_key="same", accept=True)
    visitors.answer_match(session, match_id=match.id, idempotency_key="same", accept=True)
    session.commit()
    updates = session.execute(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.entity_type == "visitor_match", AuditEvent.action == "update"
        )
    ).scalar_one()
    assert updates == 1


def test_child_may_object_after_accepting(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    visitors.answer_match(session, match_id=match.id, idempotency_key="a", accept=True)
    visitors.answer_match(
        session, match_id=match.id, idempotency_key="b", accept=False, reason="changed my mind"
    )
    session.commit()
    assert match.status == "objected"
    with pytest.raises(MatchObjected):
        visitors.appoint(session, match.id, "staff:sw.test")


def test_appoint_needs_acceptance(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    with pytest.raises(InvalidTransition):
        visitors.appoint(session, match.id, "staff:sw.test")


def test_long_reason_refused(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    with pytest.raises(TextTooLong):
        visitors.answer_match(
            session, match_id=match.id, idempotency_key="x", accept=False, reason="n" * 2001
        )
    assert match.status == "proposed"


def test_repeated_answers_never_error_and_keep_the_words(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    visitors.answer_match(
        session, match_id=match.id, idempotency_key="y1", accept=True, reason="she seems nice"
    )
    visitors.answer_match(session, match_id=match.id, idempotency_key="y2", accept=True)  # yes again: no-op
    assert match.status == "accepted"
    visitors.answer_match(
        session, match_id=match.id, idempotency_key="n1", accept=False, reason="actually no"
    )
    visitors.answer_match(session, match_id=match.id, idempotency_key="n2", accept=False, reason="still no")
    session.commit()
    assert match.status == "objected"
    assert match.reason == "she seems nice\n---\nactually no\n---\nstill no"


def test_withdrawn_match_cannot_be_answered(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    visitors.withdraw(session, match.id, "staff:sw.test")
    with pytest.raises(MatchClosed):
        visitors.answer_match(session, match_id=match.id, idempotency_key="z", accept=False)


def test_a_request_may_be_not_sure_but_a_match_is_one_or_the_other(engine, session, make_child):
    """Issue 20: "Not sure" between a visitor and a mentor is a kind of request of its own (migration 0019); the
    database still refuses any other kind, and a proposed match is always a visitor or a mentor."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from bot.services.errors import InvalidChoice
    from bot.services.read_models.visitor_queue import _request_row

    with session_scope(engine) as s:
        visitors.request_visitor(s, idempotency_key="iv-unsure", conversation_id="c", child_id=None,
                                 kind="not_sure", wishes="someone who likes gaming")
    with session_scope(engine) as s:
        request = s.execute(select(VisitorRequest)).scalar_one()
        row = _request_row(request, None)
        assert (row["kind"], row["kind_label"]) == ("not_sure", "Not sure yet (talk about it with the child)")
    with pytest.raises(InvalidChoice), session_scope(engine) as s:
        visitors.request_visitor(s, idempotency_key="iv-x", conversation_id="c", child_id=None,
                                 kind="friend", wishes=None)
    with pytest.raises(IntegrityError), engine.begin() as conn:
        conn.execute(text("UPDATE visitor_requests SET kind = 'friend'"))
    child = make_child()
    with pytest.raises(InvalidChoice):
        visitors.propose_match(session, child.id, None, "Sam", None, kind="not_sure")
