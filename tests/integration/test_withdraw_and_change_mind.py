"""Issue 20: changing your mind after sending. A "stop" after "Done!" is told the truth and can take the record
back; a visitor the child said yes to can still get a no; an appointed visitor the child no longer wants is
recorded; a match proposed after the conversation began is offered at the next greeting.

Services and use cases on the case database, and the actions run with rasa-sdk trackers (as the action server
runs them). Marked ``db``: ./heard test runs them on SQLite and again on PostgreSQL.
"""

from __future__ import annotations

from datetime import date

from bot.db.visitor_models import CHECK_KINDS
from bot.services.visitor_checks import record_checks
import os
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from actions import conversation, sent, submit
from bot.db.engine import get_engine, session_scope
from bot.db.models import AdvocacyReferral, AuditEvent, VisitorMatch, VisitorRequest, WishesStatement
from bot.dialogue.messages import catalogue
from bot.services import referrals, visitors, withdrawals
from bot.services.audit import child_actor
from bot.services.errors import MatchObjected, NotYours
from bot.usecases import child_requests
from tests.integration.test_actions import DEAD_DB, link, make_tracker, run, said, slot_events

TAKEN_BACK = "I took it back. ✅ Staff will see you changed your mind."
REFERRAL = {"adv_reason": "review", "adv_words": "I want to stay at my school", "contact_how": "carer",
            "contact_when": "evening", "adv_tell_sw": "no", "adv_confirm": "send", "submission_id": "sub-w1"}


def referral_of(conversation_id: str, child_id: str | None = None, key: str = "k1") -> child_requests.Stored:
    return child_requests.submit_referral(
        idempotency_key=key, conversation_id=conversation_id, claimed_child_id=child_id, reason="review",
        words="my words", contact_how=None, contact_when=None, tell_social_worker=True,
        anon_name=None if child_id else "Jo", local_authority=None if child_id else "Lancashire",
    )


def record(model: Any, ref: str) -> Any:
    _type, record_id = withdrawals.parse_sent_ref(ref)
    with session_scope() as s:
        row = s.get(model, record_id)
        if isinstance(row, AdvocacyReferral):
            row.history  # noqa: B018 (load it before the session ends)
        if isinstance(row, WishesStatement):
            row.answers  # noqa: B018
        s.expunge_all()
        return row


def buttons(messages: list[dict]) -> list[str]:
    return [b["payload"] for m in messages for b in m.get("buttons") or []]


def proposed_for(child_id: str, name: str = "Sam") -> int:
    with session_scope() as s:
        return visitors.propose_match(s, child_id, "sw.amara", name, "likes football").id


def leos_match(demo: dict) -> tuple[str, int]:
    with session_scope() as s:
        return s.get(VisitorMatch, demo["match_id"]).child_id, demo["match_id"]


# ---------------------------------------------------------------- services and use cases: taking it back


def test_a_signed_in_child_takes_back_their_referral_once_audited_and_staff_can_close_it(demo: dict) -> None:
    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    stored = referral_of("conv-jade", jade)
    assert stored.ref.startswith("advocacy_referral:") and stored.response_due
    assert child_requests.withdraw_sent("conv-jade", stored.ref) == withdrawals.WITHDRAWN
    row = record(AdvocacyReferral, stored.ref)
    assert row.status == "withdrawn" and row.withdrawn_at is not None and row.words == "my words"
    assert [(h.from_status, h.to_status, h.actor) for h in row.history][-1] == ("new", "withdrawn", child_actor(jade))
    with session_scope() as s:
        events = s.execute(select(AuditEvent).where(AuditEvent.entity_type == "advocacy_referral",
                                                    AuditEvent.entity_id == str(row.id),
                                                    AuditEvent.action == "update")).scalars().all()
        assert [(e.actor, e.detail) for e in events] == [(child_actor(jade), '{"status": ["new", "withdrawn"]}')]
    assert child_requests.withdraw_sent("conv-jade", stored.ref) == withdrawals.ALREADY  # a second tap: nothing
    with session_scope() as s:
        referrals.change_status(s, row.id, "closed", "staff:adv.dev")  # staff close it once they have seen it
    assert child_requests.withdraw_sent("conv-jade", stored.ref) == withdrawals.ALREADY


def test_a_closed_referral_is_too_late_to_take_back(demo: dict) -> None:
    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    stored = referral_of("conv-jade", jade)
    with session_scope() as s:
        referrals.change_status(s, withdrawals.parse_sent_ref(stored.ref)[1], "closed", "staff:adv.dev")
    assert child_requests.withdraw_sent("conv-jade", stored.ref) == withdrawals.TOO_LATE
    assert record(AdvocacyReferral, stored.ref).status == "closed"


def test_an_anonymous_conversation_takes_back_only_what_it_sent_itself(engine) -> None:
    stored = referral_of("conv-anon-1")
    with pytest.raises(NotYours):
        child_requests.withdraw_sent("conv-anon-2", stored.ref)
    assert record(AdvocacyReferral, stored.ref).status == "new"
    assert child_requests.withdraw_sent("conv-anon-1", stored.ref) == withdrawals.WITHDRAWN


def test_a_visitor_request_and_a_statement_are_taken_back_the_statement_keeping_its_words(demo: dict) -> None:
    leo = demo["children"]["Leo"]
    link("conv-leo", leo)
    request = child_requests.request_visitor(idempotency_key="v1", conversation_id="conv-leo", claimed_child_id=leo,
                                             kind="mentor", wishes="likes art")
    statement = child_requests.submit_wishes(
        idempotency_key="w1", conversation_id="conv-leo", claimed_child_id=leo, review_date=None,
        review_label=None, answers=[("change", "What do you want to change?", "see mum more")],
        share_with=["iro"], drafted_at=None)
    assert request.ref.startswith("visitor_request:") and statement.ref.startswith("wishes_statement:")
    for ref in (request.ref, statement.ref):
        assert child_requests.withdraw_sent("conv-leo", ref) == withdrawals.WITHDRAWN
        assert child_requests.withdraw_sent("conv-leo", ref) == withdrawals.ALREADY
    assert record(VisitorRequest, request.ref).status == "withdrawn"
    kept = record(WishesStatement, statement.ref)
    assert kept.withdrawn_at is not None and [a.answer for a in kept.answers] == ["see mum more"]


# ---------------------------------------------------------------- the actions: stop after "Done!", then take it back


def test_stop_after_done_says_it_was_sent_and_offers_to_take_it_back(demo: dict) -> None:
    """Before issue 20 this said "OK, I stopped. Nothing was sent." although the referral was sent."""
    messages, events = run(submit.SUBMIT_ACTIONS["advocate_form"](),
                           make_tracker("send", "inform", slots={**REFERRAL, "anon_name": "Jo"}, sender="conv-a"))
    assert "Done!" in said(messages)
    last_sent = slot_events(events)["last_sent"]
    assert last_sent.startswith("advocacy_referral:")
    stop = make_tracker("wait cancel that i changed my mind", "stop", slots={"last_sent": last_sent}, sender="conv-a")
    messages, _ = run(conversation.StopForm(), stop)
    assert "Your request was already sent." in said(messages) and "Nothing was sent" not in said(messages)
    assert buttons(messages) == ["/withdraw_sent", "/keep_sent"]
    assert record(AdvocacyReferral, last_sent).status == "new"  # asking changes nothing


def test_stop_inside_a_form_still_stops_it_even_after_an_earlier_send() -> None:
    ended = [{"event": "action", "name": "action_deactivate_loop"}, {"event": "active_loop", "name": None}]
    tracker = make_tracker("stop", "stop", slots={"last_sent": "advocacy_referral:1", "w_change": "x"})
    tracker.events.extend(ended)  # this turn's rule ended the open form before action_stop_form
    messages, events = run(conversation.StopForm(), tracker)
    # The open form was not sent; the earlier request still is, and can be taken back (issue 20, item 3).
    assert "This one was not sent" in said(messages) and "Nothing was sent" not in said(messages)
    assert "still sent" in said(messages) and "/withdraw_sent" in buttons(messages)
    assert slot_events(events)["w_change"] is None and slot_events(events)["last_sent"] == "advocacy_referral:1"


def test_take_it_back_button_withdraws_and_only_then_says_so(demo: dict) -> None:
    stored = referral_of("conv-b")
    messages, events = run(sent.WithdrawSent(), make_tracker("/withdraw_sent", "withdraw_sent",
                                                             slots={"last_sent": stored.ref}, sender="conv-b"))
    assert TAKEN_BACK in said(messages)
    assert record(AdvocacyReferral, stored.ref).status == "withdrawn"
    assert slot_events(events)["last_sent"] is None
    wishes = child_requests.submit_wishes(
        idempotency_key="w2", conversation_id="conv-b", claimed_child_id=None, review_date=None, review_label=None,
        answers=[("change", "What?", "x")], share_with=["iro"], drafted_at=None)
    messages, _ = run(sent.WithdrawSent(), make_tracker("/withdraw_sent", "withdraw_sent",
                                                        slots={"last_sent": wishes.ref}, sender="conv-b"))
    assert catalogue()["withdrawn_wishes"]["text"] in said(messages)


def test_take_it_back_typed_out_of_the_blue_asks_first_and_typed_after_the_question_withdraws(demo: dict) -> None:
    stored = referral_of("conv-c")
    slots = {"last_sent": stored.ref}
    messages, _ = run(sent.WithdrawSent(), make_tracker("cancel my request", "withdraw_sent", slots=slots,
                                                        sender="conv-c"))
    assert "Your request was already sent." in said(messages) and TAKEN_BACK not in said(messages)
    assert record(AdvocacyReferral, stored.ref).status == "new"
    asked = [{"event": "bot", "text": "Your request was already sent.",
              "data": {"buttons": [{"title": "Take it back", "payload": "/withdraw_sent"},
                                   {"title": "Keep it", "payload": "/keep_sent"}]}}]
    messages, _ = run(sent.WithdrawSent(), make_tracker("take it back", "withdraw_sent", slots=slots, sender="conv-c",
                                                        events=asked))
    assert TAKEN_BACK in said(messages) and record(AdvocacyReferral, stored.ref).status == "withdrawn"


def test_keep_it_keeps_it(demo: dict) -> None:
    stored = referral_of("conv-d")
    messages, _ = run(sent.KeepSent(), make_tracker("/keep_sent", "keep_sent", slots={"last_sent": stored.ref},
                                                    sender="conv-d"))
    assert "stays sent" in said(messages) and record(AdvocacyReferral, stored.ref).status == "new"


def test_nothing_sent_here_means_nothing_to_take_back() -> None:
    messages, _ = run(sent.WithdrawSent(), make_tracker("/withdraw_sent", "withdraw_sent"))
    assert "only take back what you sent in this chat" in said(messages)


def test_database_down_never_says_it_was_taken_back(demo: dict, monkeypatch) -> None:
    stored = referral_of("conv-e")
    good_url = os.environ["HEARD_DATABASE_URL"]
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    from bot.db.engine import dispose_engines

    dispose_engines()
    messages, events = run(sent.WithdrawSent(), make_tracker("/withdraw_sent", "withdraw_sent",
                                                             slots={"last_sent": stored.ref}, sender="conv-e"))
    monkeypatch.setenv("HEARD_DATABASE_URL", good_url)
    dispose_engines()
    assert "It is still sent" in said(messages) and TAKEN_BACK not in said(messages)
    assert buttons(messages) == ["/withdraw_sent"] and "last_sent" not in slot_events(events)
    assert record(AdvocacyReferral, stored.ref).status == "new"


# ---------------------------------------------------------------- a visitor the child said yes to, or has


def test_a_child_can_say_no_after_saying_yes_and_the_no_stops_the_appointment(demo: dict) -> None:
    """Before issue 20 "changed my mind i dont want him" got "Nobody has been picked for you yet"."""
    leo, match_id = leos_match(demo)
    link("conv-leo", leo)
    child_requests.answer_match(conversation_id="conv-leo", match_id=match_id, idempotency_key="yes-1", accept=True)
    messages, events = run(conversation.CheckMatch(), make_tracker("changed my mind i dont want him",
                                                                   "object_visitor", sender="conv-leo"))
    slots = slot_events(events)
    assert "Nobody has been picked" not in said(messages)
    assert slots["has_pending_match"] is True and slots["match_decision"] == "object"
    assert slots["match_id"] == str(match_id)
    answer = {**{k: v for k, v in slots.items() if k.startswith("match_") or k == "submission_id"},
              "match_reason": "he was rude", "match_preferences": "a lady"}
    messages, _ = run(submit.SUBMIT_ACTIONS["match_form"](), make_tracker("a lady", "inform", slots=answer,
                                                                          sender="conv-leo"))
    assert "will not be your visitor" in said(messages)
    with session_scope() as s:
        match = s.get(VisitorMatch, match_id)
        assert (match.status, match.reason, match.preferences) == ("objected", "he was rude", "a lady")
        events = s.execute(select(AuditEvent).where(AuditEvent.entity_type == "visitor_match",
                                                    AuditEvent.detail.contains("objected"))).scalars().all()
        assert [e.actor for e in events] == [child_actor(leo)]
    with pytest.raises(MatchObjected), session_scope() as s:
        visitors.appoint(s, match_id, "staff:sw.amara")
    with pytest.raises(IntegrityError, match="objected"), get_engine().begin() as conn:  # the trigger still holds
        conn.execute(text("UPDATE visitor_matches SET status = 'appointed' WHERE id = :i"), {"i": match_id})


def test_yes_twice_or_a_yes_after_yes_is_refused_but_asking_says_what_was_said(demo: dict) -> None:
    leo, match_id = leos_match(demo)
    link("conv-leo", leo)
    child_requests.answer_match(conversation_id="conv-leo", match_id=match_id, idempotency_key="yes-1", accept=True)
    with pytest.raises(NotYours):  # only a no may follow a yes
        child_requests.answer_match(conversation_id="conv-leo", match_id=match_id, idempotency_key="yes-2",
                                    accept=True)
    messages, events = run(conversation.CheckMatch(), make_tracker("/check_match", "check_match", sender="conv-leo"))
    assert "You said yes to Sam" in said(messages) and slot_events(events)["has_pending_match"] is False


def test_an_appointed_visitor_the_child_no_longer_wants_is_recorded_for_their_social_worker(demo: dict) -> None:
    leo, match_id = leos_match(demo)
    link("conv-leo", leo)
    child_requests.answer_match(conversation_id="conv-leo", match_id=match_id, idempotency_key="yes-1", accept=True)
    with session_scope() as s:
        record_checks(s, match_id=match_id,
                  completed={k: date(2026, 1, 5) for k in CHECK_KINDS}, actor="staff:sw.test")
        visitors.appoint(s, match_id, "staff:sw.amara")
    words = "i dont want my visitor any more he is always on his phone"
    messages, events = run(conversation.CheckMatch(), make_tracker(words, "object_visitor", sender="conv-leo"))
    # Issue 15: only what is true ("They will talk to you" was a promise no code kept).
    assert "I wrote it down for your social worker. They can see it now." in said(messages)
    assert slot_events(events)["has_pending_match"] is False
    with session_scope() as s:
        match = s.get(VisitorMatch, match_id)
        assert match.status == "appointed" and match.end_requested_at is not None
        assert match.end_request_words == words
        assert s.execute(select(AuditEvent).where(AuditEvent.entity_type == "visitor_match",
                                                  AuditEvent.detail == '{"end_requested": true}')).scalar_one()
        from bot.db.models import StaffUser
        from bot.services.read_models.child_record import child_record

        amara = s.execute(select(StaffUser).where(StaffUser.username == "sw.amara")).scalar_one()
        [view] = child_record(s, amara, leo)["matches"]
        assert view["end_requested_at"] is not None and view["end_request_words"] == words


def test_another_childs_conversation_gets_no_visitor_and_nothing_is_recorded(demo: dict) -> None:
    _leo, match_id = leos_match(demo)
    link("conv-jade", demo["children"]["Jade"])
    messages, _ = run(conversation.CheckMatch(), make_tracker("i dont want him", "object_visitor",
                                                              sender="conv-jade"))
    assert "Nobody has been picked" in said(messages)
    with session_scope() as s:
        assert s.get(VisitorMatch, match_id).status == "proposed"


# ---------------------------------------------------------------- the greeting looks the match up every time


def test_a_match_proposed_after_the_conversation_began_is_offered_at_the_next_greeting(demo: dict) -> None:
    """Before issue 20 the greeting trusted the slots set at session start (has_pending_match false)."""
    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    started = {"child_id": jade, "child_name": "Jade", "has_pending_match": False}
    messages, _ = run(conversation.Greet(), make_tracker(slots=started, sender="conv-jade"))
    assert "/check_match" not in buttons(messages)
    match_id = proposed_for(jade, "Priya")
    messages, events = run(conversation.Greet(), make_tracker(slots=started, sender="conv-jade"))
    assert "/check_match" in buttons(messages) and said(messages).startswith("Hi Jade")
    slots = slot_events(events)
    assert slots["has_pending_match"] is True and slots["match_id"] == str(match_id)


def test_the_greeting_keeps_what_it_knew_when_the_database_is_down(demo: dict, monkeypatch) -> None:
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    from bot.db.engine import dispose_engines

    dispose_engines()
    started = {"child_id": "c_x", "child_name": "Jade", "has_pending_match": True}
    messages, events = run(conversation.Greet(), make_tracker(slots=started, sender="conv-down"))
    dispose_engines()
    assert said(messages).startswith("Hi Jade") and "/check_match" in buttons(messages) and events == []
    assert "A person reads what you send on working days, 9am to 5pm" in said(messages)  # the server's hours


def test_a_taken_back_record_is_in_the_childs_export_and_is_purged_like_a_closed_one(demo: dict) -> None:
    from bot.services import export, retention

    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    stored = referral_of("conv-jade", jade)
    child_requests.withdraw_sent("conv-jade", stored.ref)
    with session_scope() as s:
        [exported] = export.export_child(s, jade, "staff:admin.fay")["advocacy_referrals"]
        assert exported["status"] == "withdrawn" and exported["withdrawn_at"]
    with session_scope() as s:
        assert retention.purge_expired(s, 0, "system:test")["advocacy_referrals"] == 1
