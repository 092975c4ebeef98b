# ruff: noqa: F811  (pytest fixtures imported from test_conversations are parameters of the tests)
"""Issues 15 and 16 over REST and SMS with the trained model: a request reaches a named team and the answer comes
back to the child ("Sam is your advocate"); a visitor request names someone the child knows; a child ends an
appointed visitor; a proposed match that Heard texted first is answered by SMS."""

from __future__ import annotations

import time
import uuid
from datetime import date

import requests
from sqlalchemy import select, update
from twilio.request_validator import RequestValidator

from tests.e2e.test_conversations import (  # noqa: F401 (fixtures)
    SMS_PUBLIC_URL,
    TWILIO_ACCOUNT,
    TWILIO_TOKEN,
    FakeTwilio,
    case_db,
    child_id,
    db,
    pytestmark,
    referrals_for,
    sender,
    sign_in,
    stack,
    texts,
    twilio,
)
from tests.stack import Stack

JADE = "+447700900001"  # the demo SMS child (bot.services.seed)


def _advocacy_staff():
    from bot.db.models import StaffUser

    with db() as s:
        staff = s.execute(select(StaffUser).where(StaffUser.role == "advocacy")).scalars().first()
        s.expunge_all()
        return staff


def _refer(stack: Stack, me: str) -> str:
    """A signed-in child asks for an advocate, answering each question once; the replies."""
    said = texts(stack.say(me, "i want an advocate"))
    for message in ('/inform{"choice":"review"}', "nobody asks me about moving school",
                    '/inform{"choice":"carer"}', '/inform{"choice":"evening"}', "yes"):
        reply = texts(stack.say(me, message))
        if "hurting you" in reply:  # an everyday complaint may bring a gentle check-in (issue 14)
            reply = texts(stack.say(me, '/check_in_answer{"choice":"no"}'))
        said += "\n" + reply
    return said + "\n" + texts(stack.say(me, "send"))


def test_the_advocacy_team_is_told_sam_is_allocated_and_the_child_hears_sam(stack: Stack) -> None:
    from bot.db.models import NotificationOutbox
    from bot.usecases.review_queues import change_referral_status

    me = sender()
    sign_in(me, "Leo")
    assert "Done!" in _refer(stack, me)
    [referral] = referrals_for(me)
    with db() as s:
        notes = s.execute(select(NotificationOutbox).where(NotificationOutbox.record_type == "advocacy_referral",
                                                           NotificationOutbox.record_id == referral.id)).scalars()
        notes = list(notes)
    assert notes and all(n.team == "advocacy" for n in notes)  # the advocacy service is told it is waiting
    staff = _advocacy_staff()
    change_referral_status(staff, referral.id, "acknowledged", None)
    change_referral_status(staff, referral.id, "allocated", "note only for staff", "Sam Smith")
    reply = texts(stack.say(me, "whats happening with my advocate"))
    assert "Sam is your advocate" in reply and "Smith" not in reply and "note only" not in reply
    # Leo uses the widget: the news waits for him there too (shown once).
    from bot.db.engine import session_scope
    from bot.services import child_messages

    with session_scope() as s:
        waiting = child_messages.take_waiting_for_web(s, child_id("Leo"))
    assert any("Sam is your advocate" in w for w in waiting)


def test_a_visitor_request_names_someone_the_child_knows(stack: Stack) -> None:
    from bot.db.models import VisitorRequest

    me = sender()
    sign_in(me, "Leo")
    assert "kind of person" in texts(stack.say(me, "can i have a mentor")).lower()
    assert "already know" in texts(stack.say(me, "someone who likes gaming"))
    assert "know about you" in texts(stack.say(me, "my football coach dan"))
    check = texts(stack.say(me, "that i like fifa and my dog"))
    assert "Is it OK to send?" in check and "my football coach dan" in check
    assert "Done!" in texts(stack.say(me, "send"))
    with db() as s:
        request = s.execute(select(VisitorRequest).where(VisitorRequest.child_id == child_id("Leo"))
                            .order_by(VisitorRequest.id.desc())).scalars().first()
        assert (request.wishes, request.known_person, request.may_be_told) == (
            "someone who likes gaming", "my football coach dan", "that i like fifa and my dog")


def _appointed_match(name: str, visitor: str) -> int:
    from bot.db.engine import session_scope
    from bot.db.visitor_models import CHECK_KINDS
    from bot.services import visitors
    from bot.services.visitor_checks import record_checks

    with session_scope() as s:
        match = visitors.propose_match(s, child_id(name), None, visitor, "likes art")
        visitors.answer_match(s, match_id=match.id, idempotency_key=f"yes-{match.id}", accept=True)
        record_checks(s, match_id=match.id, completed={k: date(2026, 11, 2) for k in CHECK_KINDS}, actor="system")
        visitors.appoint(s, match.id, "system")
        return match.id


def test_a_child_ends_an_appointed_visitor_and_the_coordinator_sees_it(stack: Stack) -> None:
    from bot.db.models import VisitorMatch

    match_id = _appointed_match("Mo", "Priya")
    me = sender()
    sign_in(me, "Mo")
    reply = texts(stack.say(me, "i dont want my visitor any more"))
    if "Do you want to say why" in reply or "why" in reply.lower():
        reply = texts(stack.say(me, "she is always late"))
    assert "wrote it down" in reply
    with db() as s:
        match = s.get(VisitorMatch, match_id)
        assert match.end_requested_at is not None and match.status == "appointed"  # a person talks it over


def _text_in(stack: Stack, body: str) -> None:
    params = {"MessageSid": "SM" + uuid.uuid4().hex, "AccountSid": TWILIO_ACCOUNT, "From": JADE,
              "To": "+447700900999", "Body": body}
    signature = RequestValidator(TWILIO_TOKEN).compute_signature(SMS_PUBLIC_URL, params)
    reply = requests.post(f"{stack.url}/webhooks/sms/webhook", data=params,
                          headers={"X-Twilio-Signature": signature}, timeout=60)
    assert reply.status_code == 200


def _texts_to_jade(twilio: FakeTwilio, since: int, wanted: str, timeout: float = 30) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        bodies = " ".join(m.get("Body", "") for m in twilio.sent[since:] if m.get("To") == JADE)
        if wanted in bodies:
            return bodies
        time.sleep(0.2)
    return " ".join(m.get("Body", "") for m in twilio.sent[since:] if m.get("To") == JADE)


def _until_sent(dedupe_like: str, timeout: float = 30) -> None:
    from bot.db.outbound_models import OutboundMessage

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with db() as s:
            statuses = s.scalars(select(OutboundMessage.status)
                                 .where(OutboundMessage.dedupe_key.like(dedupe_like))).all()
        if statuses and all(status == "sent" for status in statuses):
            return
        time.sleep(0.1)
    raise AssertionError(f"not sent: {statuses}")


def test_heard_texts_a_proposed_match_first_and_the_child_answers_by_sms(stack: Stack, twilio: FakeTwilio) -> None:
    from bot.db.engine import session_scope
    from bot.db.models import VisitorMatch
    from bot.db.outbound_models import OutboundMessage
    from bot.services import visitors
    from bot.usecases.outreach import run_outreach

    with session_scope() as s:
        match_id = visitors.propose_match(s, child_id("Jade"), None, "Aisha", "likes music").id
    before = len(twilio.sent)
    counts = run_outreach()
    assert counts.get("sms", 0) + counts.get("sms_held", 0) >= 1
    with session_scope() as s:  # if it is night now, the text waits for 08:00: let 08:00 come
        s.execute(update(OutboundMessage).where(OutboundMessage.dedupe_key.like(f"outreach:match:{match_id}%"))
                  .values(next_attempt_at=OutboundMessage.created_at)
                  .execution_options(synchronize_session=False))
    first = _texts_to_jade(twilio, before, "Someone might be your visitor")
    assert first.startswith("Heard: You have a new message.")  # safe on a lock screen
    _until_sent(f"outreach:match:{match_id}%")  # a child answers a text they have: its options are known by then
    assert "Someone might be your visitor" in first and "Aisha" not in first.split("visitor")[0]
    before = len(twilio.sent)
    _text_in(stack, "1")  # "Yes, tell me"
    told = _texts_to_jade(twilio, before, "Aisha")
    assert "Aisha" in told, [m.get("Body") for m in twilio.sent[-6:]] + [p.tail(30) for p in stack.processes]
    before = len(twilio.sent)
    _text_in(stack, "yes")
    _texts_to_jade(twilio, before, "yes")
    with db() as s:
        assert s.get(VisitorMatch, match_id).status == "accepted"
