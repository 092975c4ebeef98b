"""The visitor and mentor lifecycle (issue 16): considered → searching → proposed → the child's answer → checks →
appointed → visits → reviewed → ended; every step audited, every refusal changes nothing."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.db.models import AuditEvent, LocalAuthority, StaffUser, VisitorRequest
from bot.db.visitor_models import CHECK_KINDS
from bot.services import visitor_lifecycle as lifecycle
from bot.services import visitors
from bot.services.errors import InvalidChoice, InvalidTransition, MatchObjected
from bot.services.visitor_checks import missing_checks, record_check, record_checks

TODAY = date(2026, 11, 30)
DONE = {kind: date(2026, 11, 2) for kind in CHECK_KINDS}


def _accepted(session, child):
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", "likes art")
    visitors.answer_match(session, match_id=match.id, idempotency_key=f"yes-{match.id}", accept=True)
    return match


def _events(session, entity_type):
    return session.execute(
        select(AuditEvent.action, AuditEvent.actor).where(AuditEvent.entity_type == entity_type)
    ).all()


def test_appoint_refuses_until_every_check_is_recorded_and_names_what_is_missing(session, make_child):
    match = _accepted(session, make_child())
    record_check(session, match_id=match.id, kind="dbs", completed_on=date(2026, 11, 1), actor="staff:sw.test",
                 reference="001234567890")
    with pytest.raises(InvalidTransition, match="References, Children's services check, Probation check"):
        visitors.appoint(session, match.id, "staff:sw.test")
    assert match.status == "accepted"
    record_checks(session, match_id=match.id, completed=DONE, actor="staff:sw.test")
    assert missing_checks(session, match.id) == []
    assert lifecycle.stage(session, match).key == "ready"
    visitors.appoint(session, match.id, "staff:sw.test")
    assert match.status == "appointed" and lifecycle.stage(session, match).key == "active"
    assert len(_events(session, "visitor_check")) == 5  # dbs once, then all four again (corrections audited)


def test_an_objection_stays_final_even_with_every_check_done(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    record_checks(session, match_id=match.id, completed=DONE, actor="staff:sw.test")
    visitors.answer_match(session, match_id=match.id, idempotency_key="no", accept=False, reason="scared of dogs")
    with pytest.raises(MatchObjected):
        visitors.appoint(session, match.id, "staff:sw.test")
    with pytest.raises(InvalidTransition):
        record_check(session, match_id=match.id, kind="dbs", completed_on=TODAY, actor="staff:sw.test")
    assert lifecycle.stage(session, match).key == "objected"


def test_checks_refuse_unknown_kinds_and_future_dates(session, make_child):
    match = _accepted(session, make_child())
    with pytest.raises(InvalidChoice):
        record_check(session, match_id=match.id, kind="vibes", completed_on=TODAY, actor="staff:sw.test")
    with pytest.raises(InvalidChoice):
        record_check(session, match_id=match.id, kind="dbs", completed_on=TODAY + timedelta(days=1),
                     actor="staff:sw.test", today=TODAY)
    assert missing_checks(session, match.id) == list(CHECK_KINDS)


def _appointed(session, child):
    match = _accepted(session, child)
    record_checks(session, match_id=match.id, completed=DONE, actor="staff:sw.test")
    visitors.appoint(session, match.id, "staff:sw.test")
    return match


def test_visits_are_logged_and_a_gap_over_eight_weeks_shows(session, make_child):
    match = _appointed(session, make_child())
    lifecycle.log_contact(session, match_id=match.id, contact_on=date(2026, 9, 1), kind="visit",
                          actor="staff:iv.co", today=TODAY)
    assert lifecycle.last_contact(session, match.id) == date(2026, 9, 1)
    gap = lifecycle.contact_gap(session, match, TODAY)
    assert gap == 90 and gap > lifecycle.GAP_DAYS
    lifecycle.log_contact(session, match_id=match.id, contact_on=date(2026, 11, 20), kind="phone",
                          actor="staff:iv.co", today=TODAY)
    assert lifecycle.contact_gap(session, match, TODAY) == 10
    with pytest.raises(InvalidChoice):
        lifecycle.log_contact(session, match_id=match.id, contact_on=TODAY + timedelta(days=3), kind="visit",
                              actor="staff:iv.co", today=TODAY)
    with pytest.raises(InvalidChoice):
        lifecycle.log_contact(session, match_id=match.id, contact_on=TODAY, kind="letterbox", actor="x",
                              today=TODAY)


def test_a_visit_cannot_be_logged_on_an_ended_or_unappointed_match(session, make_child):
    child = make_child()
    waiting = _accepted(session, child)
    with pytest.raises(InvalidTransition):
        lifecycle.log_contact(session, match_id=waiting.id, contact_on=TODAY, kind="visit", actor="x", today=TODAY)
    match = _appointed(session, make_child("Leo"))
    lifecycle.record_review(session, match.id, "staff:iro.test")
    assert match.reviewed_at is not None
    with pytest.raises(InvalidChoice):
        lifecycle.end_match(session, match_id=match.id, ended_by="child", reason="  ", actor="staff:iv.co")
    lifecycle.end_match(session, match_id=match.id, ended_by="child", reason="Leo asked to stop",
                        actor="staff:iv.co")
    assert lifecycle.stage(session, match).key == "ended"
    with pytest.raises(InvalidTransition):
        lifecycle.log_contact(session, match_id=match.id, contact_on=TODAY, kind="visit", actor="x", today=TODAY)
    with pytest.raises(InvalidTransition):
        lifecycle.end_match(session, match_id=match.id, ended_by="council", reason="again", actor="x")
    # An ended visitor is no longer "my visitor" in the chat.
    assert visitors.current_match(session, match.child_id) is None
    assert ("update", "staff:iv.co") in _events(session, "visitor_match")


def test_meeting_first_keeps_the_match_waiting_for_the_childs_answer(session, make_child):
    child = make_child()
    match = visitors.propose_match(session, child.id, "sw.test", "Priya", None)
    lifecycle.child_wants_to_meet_first(session, match, "child:" + child.id)
    assert (match.status, lifecycle.stage(session, match).key) == ("proposed", "meet_first")
    assert visitors.pending_match(session, child.id).id == match.id
    lifecycle.set_may_be_told(session, match, "that I like football", "child:" + child.id)
    lifecycle.set_may_be_told(session, match, "not about my mum", "child:" + child.id)
    assert match.may_be_told == "that I like football\n---\nnot about my mum"
    visitors.answer_match(session, match_id=match.id, idempotency_key="n", accept=False, reason="no")
    with pytest.raises(InvalidTransition):
        lifecycle.child_wants_to_meet_first(session, match, "child:" + child.id)


def test_only_the_childs_social_worker_or_iro_decides_and_the_search_waits_for_a_yes(session, make_child, people):
    child = make_child()
    request = visitors.request_visitor(session, idempotency_key="r1", conversation_id="conv-sam", child_id=child.id,
                                       kind="independent_visitor", wishes="someone who likes art")
    with pytest.raises(InvalidTransition, match="not decided"):
        lifecycle.start_search(session, request.id, "staff:iv.co")
    with pytest.raises(InvalidChoice):  # the advocacy worker does not make this decision
        lifecycle.record_consideration(session, child_id=child.id, should_have=True, reason="r", decided_by="adv.test")
    other = LocalAuthority(name="Elsewhere")
    session.add(other)
    session.flush()
    session.add(StaffUser(username="sw.far", display_name="x", role="social_worker", local_authority_id=other.id))
    session.flush()
    with pytest.raises(InvalidChoice):  # nor a social worker of another council
        lifecycle.record_consideration(session, child_id=child.id, should_have=True, reason="r", decided_by="sw.far")
    with pytest.raises(InvalidChoice):
        lifecycle.record_consideration(session, child_id=child.id, should_have=True, reason=" ", decided_by="iro.test")
    lifecycle.record_consideration(session, child_id=child.id, should_have=False, reason="sees her nan weekly",
                                   decided_by="sw.test", request_id=request.id)
    with pytest.raises(InvalidTransition):
        lifecycle.start_search(session, request.id, "staff:iv.co")
    decision = lifecycle.record_consideration(session, child_id=child.id, should_have=True,
                                              reason="Sam asked, and nan moved away", decided_by="iro.test",
                                              review_date=date(2026, 12, 10))
    assert decision.decided_role == "iro"
    lifecycle.start_search(session, request.id, "staff:iv.co")
    assert session.get(VisitorRequest, request.id).status == "in_progress"
    with pytest.raises(InvalidTransition):
        lifecycle.start_search(session, request.id, "staff:iv.co")
    details = session.execute(select(AuditEvent.detail).where(AuditEvent.entity_type == "visitor_consideration"))
    assert all("nan" not in (d or "") for (d,) in details)  # the reason is not copied into the audit trail


def test_children_the_procedures_name_are_flagged_with_the_reason_until_a_decision(session, make_child, people):
    sam, leo, ava, kai = (make_child(n) for n in ("Sam", "Leo", "Ava", "Kai"))
    sam.parental_contact_last_12m = False
    leo.placement_type = "secure"
    ava.communication_needs = "uses Makaton"
    kai.placement_type = "foster"
    kai.parental_contact_last_12m = True
    session.flush()
    council = people["la"].id
    flagged = {child.chosen_name: reasons for child, reasons in lifecycle.children_to_consider(session, council)}
    assert flagged == {
        "Sam": ["No contact with a parent in the last 12 months"],
        "Leo": ["Lives in secure accommodation"],
        "Ava": ["Has communication needs"],
    }
    lifecycle.record_consideration(session, child_id=sam.id, should_have=False, reason="sees dad monthly now",
                                   decided_by="sw.test")
    _appointed(session, leo)
    later = datetime(2027, 1, 1, tzinfo=timezone.utc)
    flagged = {child.chosen_name for child, _ in lifecycle.children_to_consider(session, people["la"].id, later)}
    assert flagged == {"Ava"}
    a_year_on = datetime.now(timezone.utc) + timedelta(days=370)
    flagged = {child.chosen_name for child, _ in lifecycle.children_to_consider(session, people["la"].id, a_year_on)}
    assert flagged == {"Ava", "Sam"}  # decisions are made again every year
