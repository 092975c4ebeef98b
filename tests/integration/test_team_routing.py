"""Issue 15 items 2, 6, 7 (services): each record reaches the named team of its council, notifications never
carry the child's words or name, deadlines escalate once, call-backs and restricted alerts, complaints."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.config import get_settings
from bot.db.models import LocalAuthority, NotificationOutbox, SafeguardingAlert, StaffUser, utcnow
from bot.db.routing_models import AlertCallback
from bot.safeguarding import notifier
from bot.services import (
    alert_visibility,
    alerts,
    call_backs,
    complaints,
    council_hours,
    notification_outbox,
    referrals,
    review_admin,
    team_routing,
    visitors,
    wishes,
)
from bot.services.errors import InvalidChoice
from bot.services.read_models.alert_queue import alert_queue
from bot.services.read_models.child_record import child_record
from bot.services.read_models.team_queues import complaint_queue, visitor_request_queue

SECRET_WORD = "Zephyrine"  # a word only the child wrote
SECRET_NAME = "Quillon"  # a name only the child gave


@pytest.fixture
def teams(session, people) -> dict:
    """Two councils; each team's contact set for the first; an IV co-ordinator in each; a duty lead."""
    other = LocalAuthority(name="Northshire County Council")
    session.add(other)
    session.flush()
    staff = {}
    for name, role, la in (("iv.a", "iv_coordinator", people["la"]), ("iv.b", "iv_coordinator", other),
                           ("cm.a", "complaints", people["la"]), ("duty.a", "duty", people["la"]),
                           ("duty.a2", "duty", people["la"])):
        staff[name] = StaffUser(username=name, display_name=name, role=role, local_authority_id=la.id)
        session.add(staff[name])
    people["social_worker"].notify_email = "sw@council.example"
    people["iro"].notify_email = "iro@council.example"
    review_admin.update_council_settings(
        session, people["la"].id, "staff:admin", advocacy_contact="advocacy@council.example",
        iv_contact="https://hooks.council.example/iv", complaints_contact="complaints@council.example",
        duty_contact="duty@council.example",
    )
    session.commit()
    return {"other": other, **staff}


def _rows(session, record_type: str, record_id: int, kind: str = "record") -> list[NotificationOutbox]:
    return list(session.execute(select(NotificationOutbox).where(
        NotificationOutbox.record_type == record_type, NotificationOutbox.record_id == record_id,
        NotificationOutbox.kind == kind).order_by(NotificationOutbox.id)).scalars())


def _referral(session, child_id, key="r1", local_authority=None, words="help please"):
    return referrals.submit_referral(
        session, idempotency_key=key, conversation_id=f"conv-{key}", child_id=child_id, reason="review",
        words=words, contact_how=None, contact_when=None, tell_social_worker=False, anon_name=None,
        local_authority=local_authority)


def test_each_kind_reaches_its_team(session, people, teams, make_child):
    child = make_child("Sam")
    referral = _referral(session, child.id)
    team_routing.notify_new(session, "advocacy_referral", referral)
    assert [(r.team, r.target, r.destination) for r in _rows(session, "advocacy_referral", referral.id)] == [
        ("advocacy", "email", "advocacy@council.example")]
    request = visitors.request_visitor(session, idempotency_key="v1", conversation_id="cv", child_id=child.id,
                                       kind="mentor", wishes="likes drawing")
    team_routing.notify_new(session, "visitor_request", request)
    team_routing.notify_new(session, "visitor_request", request)  # a retry tells nobody twice
    assert [(r.team, r.target, r.destination) for r in _rows(session, "visitor_request", request.id)] == [
        ("iv", "webhook", "https://hooks.council.example/iv")]
    statement = wishes.submit_statement(
        session, idempotency_key="w1", conversation_id="cw", child_id=child.id, review_date=None,
        review_label=None, answers=[("happy", "What makes you happy?", "football")], share_with=["social_worker"],
        drafted_at=None)
    team_routing.notify_new(session, "wishes_statement", statement)
    assert sorted((r.team, r.destination) for r in _rows(session, "wishes_statement", statement.id)) == [
        ("iro", "iro@council.example"), ("social_worker", "sw@council.example")]
    complaint = complaints.submit_complaint(
        session, idempotency_key="c1", conversation_id="cc", child_id=child.id, channel="web",
        about="my placement", wants="to move", wants_advocate=True)
    assert [(r.team, r.destination) for r in _rows(session, "complaint", complaint.id)] == [
        ("complaints", "complaints@council.example")]
    assert complaint.referral_id is not None  # the child wants an advocate's help: a referral, told too
    assert [r.team for r in _rows(session, "advocacy_referral", complaint.referral_id)] == ["advocacy"]
    assert referrals.get_referral(session, complaint.referral_id).reason == "complaint"


def test_without_a_team_contact_the_server_default_is_used(session, people, teams):
    review_admin.update_council_settings(session, people["la"].id, "staff:admin", advocacy_contact="")
    referral = _referral(session, None, key="anon-1", local_authority="Test Borough")
    team_routing.notify_new(session, "advocacy_referral", referral)
    assert [(r.target, r.destination) for r in _rows(session, "advocacy_referral", referral.id)] == [("log", None)]


def test_anonymous_visitor_request_is_in_the_named_councils_queue_only(session, people, teams):
    request = visitors.request_visitor(
        session, idempotency_key="va", conversation_id="cva", child_id=None, kind="independent_visitor",
        wishes="someone kind", anon_name="Jo", local_authority="Northshire", contact="text my school")
    session.commit()
    theirs = visitor_request_queue(session, teams["iv.b"])["rows"]
    assert [(r["id"], r["anonymous"], r["anon_name"]) for r in theirs] == [(request.id, True, "Jo")]
    assert visitor_request_queue(session, teams["iv.a"])["rows"] == []
    complaint = complaints.submit_complaint(
        session, idempotency_key="ca", conversation_id="cca", child_id=None, channel="sms", about="x",
        wants=None, local_authority="Northshire")
    assert complaint.routed_council_id == teams["other"].id
    assert complaint_queue(session, teams["cm.a"]) == []


def test_notifications_never_carry_the_childs_words_or_name(session, people, teams, make_child):
    child = make_child(SECRET_NAME)
    words = f"my carer {SECRET_WORD} shouts"
    referral = _referral(session, child.id, words=words)
    team_routing.notify_new(session, "advocacy_referral", referral)
    complaint = complaints.submit_complaint(
        session, idempotency_key="cn", conversation_id="ccn", child_id=None, channel="web", about=words,
        wants=f"{SECRET_WORD} to stop", anon_name=SECRET_NAME, local_authority="Test Borough",
        contact=f"ask for {SECRET_NAME}")
    alert = alerts.raise_alert(session, conversation_id="cca", child_id=child.id, channel="web", text=words,
                               category="physical", cue=None)
    call_backs.request_call_back(session, conversation_id="cca", child_id=child.id,
                                 turns=[("child", words), ("bot", "I'm glad you told me.")])
    session.commit()
    claimed = notification_outbox.claim_due(session, utcnow() + timedelta(seconds=1), 100)
    kinds = {p.get("record") for _i, _t, p in claimed}
    assert {"advocacy_referral", "complaint", "alert_callback"} <= kinds and alert.id
    settings = get_settings()
    for _id, _target, payload in claimed:
        texts = [json.dumps(payload, default=str), str(notifier._email_message(settings, payload))]
        if payload.get("record"):
            texts.append(team_routing.record_text(payload))
        for text in texts:
            assert SECRET_WORD not in text and SECRET_NAME not in text and child.id not in text
    assert complaint.id in {p.get("record_id") for _i, _t, p in claimed}


def test_deadlines_escalate_once_with_frozen_time(session, people, teams, make_child):
    child = make_child("Sam")
    referral = _referral(session, child.id)
    request = visitors.request_visitor(session, idempotency_key="ve", conversation_id="cve", child_id=child.id,
                                       kind="mentor", wishes=None)
    complaint = complaints.submit_complaint(session, idempotency_key="ce", conversation_id="cce",
                                            child_id=child.id, channel="web", about="x", wants=None)
    session.commit()
    created = utcnow()
    assert team_routing.escalate_overdue_records(session, created) == []  # nothing is late yet
    later = created + timedelta(days=5)  # past the 5-working-day response? not yet past 10 for the complaint
    before_due = [t for t in team_routing.escalate_overdue_records(session, later) if t[0] == "complaint"]
    assert before_due == []
    much_later = created + timedelta(days=30)
    escalated = team_routing.escalate_overdue_records(session, much_later)
    assert set(escalated) >= {("advocacy_referral", referral.id), ("visitor_request", request.id),
                              ("complaint", complaint.id)}
    assert sorted(r.team for r in _rows(session, "complaint", complaint.id, "record_late")) == [
        "complaints", "duty"]
    assert [r.destination for r in _rows(session, "visitor_request", request.id, "record_late")] == [
        "https://hooks.council.example/iv", "duty@council.example"]
    assert team_routing.escalate_overdue_records(session, much_later) == []  # once each
    complaints.change_status(session, complaint.id, "acknowledged", "staff:cm.a", None)


def test_an_acted_on_record_does_not_escalate(session, people, teams, make_child):
    child = make_child("Sam")
    complaint = complaints.submit_complaint(session, idempotency_key="ck", conversation_id="cck",
                                            child_id=child.id, channel="web", about="x", wants=None)
    complaints.change_status(session, complaint.id, "acknowledged", "staff:cm.a", "rang them")
    assert team_routing.escalate_overdue_records(session, utcnow() + timedelta(days=60)) == []
    assert complaint.acknowledge_due == referrals.add_working_days(utcnow().date(), 10)


def test_call_back_is_recorded_on_the_conversations_alert_and_listed_first(session, people, teams, make_child):
    child = make_child("Sam")
    first = alerts.raise_alert(session, conversation_id="conv-1", child_id=child.id, channel="web",
                               text="older alert", category="c", cue=None)
    mine = alerts.raise_alert(session, conversation_id="conv-2", child_id=child.id, channel="web",
                              text="he comes into my room", category="sexual", cue=None)
    turns = [{"who": "child", "text": "he comes into my room"}, {"who": "bot", "text": "Thank you for telling me."},
             {"who": "child", "text": "yes please"}]
    callback = call_backs.request_call_back(
        session, conversation_id="conv-2", child_id=child.id, turns=turns, alert_id=first.id,  # not its own
        reach_how="my mobile, text first", reach_when="after school")
    assert callback.alert_id == mine.id  # the alert id from outside is ignored when not this conversation's
    assert json.loads(callback.turns) == turns and callback.wants_today
    session.commit()
    rows = alert_queue(session, teams["duty.a"], escalate_after=timedelta(minutes=15))
    assert [r["id"] for r in rows][:1] == [mine.id] and rows[0]["callback"]["reach_when"] == "after school"
    assert rows[1]["callback"] is None


def test_call_back_without_an_alert_raises_one_and_anonymous_contact_is_kept(session, people, teams):
    callback = call_backs.request_call_back(
        session, conversation_id="anon-conv", child_id=None, turns=[("child", "x" * 5000)],
        anon_name="Jay", anon_contact="call the school office")
    alert = session.get(SafeguardingAlert, callback.alert_id)
    assert alert.text == "x" * 5000 and callback.anon_name == "Jay"  # never cut short
    assert session.execute(select(AlertCallback)).scalars().all() == [callback]


def test_about_social_worker_and_restriction_are_enforced_in_reads(session, people, teams, make_child):
    child = make_child("Sam")
    alert = alerts.raise_alert(session, conversation_id="cs", child_id=child.id, channel="web", text="it's my sw",
                               category="c", cue=None)
    session.commit()
    assert [a["id"] for a in child_record(session, people["social_worker"], child.id)["alerts"]] == [alert.id]
    call_backs.mark_about_social_worker(session, conversation_id="cs")
    session.commit()
    assert child_record(session, people["social_worker"], child.id)["alerts"] == []
    duty, other = teams["duty.a"], teams["duty.a2"]
    assert [r["id"] for r in alert_queue(session, other, escalate_after=timedelta(minutes=15))] == [alert.id]
    alert_visibility.restrict(session, alert, duty, [])
    session.commit()
    assert alert_queue(session, other, escalate_after=timedelta(minutes=15)) == []
    assert [r["id"] for r in alert_queue(session, duty, escalate_after=timedelta(minutes=15))] == [alert.id]
    with pytest.raises(InvalidChoice):
        alert_visibility.restrict(session, alert, duty, [people["la"].id + 999])


def test_council_hours_say_when_someone_reads(session, people, teams):
    review_admin.update_council_settings(session, people["la"].id, "staff:admin", reading_hours="10:00-16:00")
    london_noon = datetime(2026, 12, 2, 12, 0, tzinfo=timezone.utc)  # a Wednesday
    assert council_hours.when_someone_reads(session, people["la"].id, london_noon) == "today, before 4pm"
    friday_evening = datetime(2026, 12, 4, 18, 0, tzinfo=timezone.utc)
    assert council_hours.when_someone_reads(session, people["la"].id, friday_evening) == "on Monday, after 10am"
    assert council_hours.hours_phrase(session, people["la"].id) == "on working days, 10am to 4pm"
    with pytest.raises(InvalidChoice):
        review_admin.update_council_settings(session, people["la"].id, "staff:admin", reading_hours="5pm")
    with pytest.raises(InvalidChoice):
        review_admin.update_council_settings(session, people["la"].id, "staff:admin",
                                             complaints_contact="http://insecure.example")


def test_words_kept_in_answers_not_shared_with_the_social_worker_withhold_their_alert(session, people, teams,
                                                                                      make_child):
    """Found by a tester: Jade kept "my carer shouts at me ... i dont want amara to know yet" in her IRO-only
    answers, and her social worker read it on her record through the alert. Now the alert is withheld from the
    social worker as the statement is; the duty lead still sees it, told why."""
    child = make_child("Jade")
    words = "my carer shouts at me when shes stressed but i dont want amara to know yet"
    other = alerts.raise_alert(session, conversation_id="cj", child_id=child.id, channel="web",
                               text="i feel sick", category="c", cue=None)
    alert = alerts.raise_alert(session, conversation_id="cj", child_id=child.id, channel="web", text=words,
                               category="emotional", cue=None)
    session.commit()
    social_worker = people["social_worker"]
    assert {a["id"] for a in child_record(session, social_worker, child.id)["alerts"]} == {alert.id, other.id}
    wishes.submit_statement(session, idempotency_key="k-jade", conversation_id="cj", child_id=child.id,
                            review_date=None, review_label=None, share_with=["iro"], drafted_at=None,
                            answers=[("for_iro", "Anything just for the IRO?", words)])
    session.commit()
    assert [a["id"] for a in child_record(session, social_worker, child.id)["alerts"]] == [other.id]
    duty = alert_queue(session, teams["duty.a"], escalate_after=timedelta(minutes=15))
    assert {r["id"]: r["withheld_from_social_worker"] for r in duty} == {alert.id: True, other.id: False}


def test_words_shared_with_the_social_worker_leave_the_alert_as_it_was(session, people, teams, make_child):
    child = make_child("Kai")
    alert = alerts.raise_alert(session, conversation_id="ck", child_id=child.id, channel="web",
                               text="he hits me", category="physical", cue=None)
    session.commit()
    wishes.submit_statement(session, idempotency_key="k-kai", conversation_id="ck", child_id=child.id,
                            review_date=None, review_label=None, share_with=["social_worker", "iro"],
                            drafted_at=None, answers=[("going_well", "What is going well?", "he hits me")])
    session.commit()
    assert [a["id"] for a in child_record(session, people["social_worker"], child.id)["alerts"]] == [alert.id]
