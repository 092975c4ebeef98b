"""Issue 20 item 3: what the bot says about sending is true when it says it.

- "That's OK, they will not be your visitor" is said only once the objection is stored.
- A "stop" or "cancel" in a new session (the conversation remembers nothing) after the child sent something
  never says "Nothing was sent": it says nothing in this chat was sent, that what was sent before is still
  sent, and offers to take it back (which then works, checked by the use case).

Actions run with rasa-sdk trackers against the case database (marked ``db``).
"""

from __future__ import annotations

import os

import pytest

from actions import conversation, forms, sent, submit
from bot.db.engine import dispose_engines, session_scope
from bot.db.models import AdvocacyReferral, VisitorMatch
from bot.dialogue.messages import catalogue
from bot.services import withdrawals
from bot.usecases import child_requests
from tests.integration.test_actions import DEAD_DB, link, make_tracker, run, said, slot_events
from tests.integration.test_withdraw_and_change_mind import buttons, referral_of

NOT_YOUR_VISITOR = "will not be your visitor"


def test_no_question_asked_before_the_objection_is_stored_says_they_will_not_be_your_visitor() -> None:
    for slot in ("match_decision", "match_reason", "match_preferences"):
        entry = catalogue()[f"ask_{slot}"]
        assert NOT_YOUR_VISITOR not in entry["text"].lower() and NOT_YOUR_VISITOR not in entry["simple"].lower()
    messages, _ = run(forms.ASK_ACTIONS["match_reason"](), make_tracker(slots={"match_decision": "object"}))
    assert NOT_YOUR_VISITOR not in said(messages).lower()


def test_they_will_not_be_your_visitor_only_after_the_objection_is_stored(demo: dict, monkeypatch) -> None:
    leo = demo["children"]["Leo"]
    link("conv-leo", leo)
    with session_scope() as s:
        match_id = s.get(VisitorMatch, demo["match_id"]).id
    slots = {"child_id": leo, "match_id": str(match_id), "match_decision": "object",
             "match_reason": "no im scared of dogs", "submission_id": "m-1"}
    # The database is down: nothing is stored, and nothing says they will not be the visitor.
    url = os.environ["HEARD_DATABASE_URL"]
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    dispose_engines()
    messages, _ = run(submit.SUBMIT_ACTIONS["match_form"](), make_tracker(slots=slots, sender="conv-leo"))
    assert NOT_YOUR_VISITOR not in said(messages).lower() and "try again" in said(messages).lower()
    monkeypatch.setenv("HEARD_DATABASE_URL", url)
    dispose_engines()
    with session_scope() as s:
        assert s.get(VisitorMatch, match_id).status == "proposed"
    messages, _ = run(submit.SUBMIT_ACTIONS["match_form"](), make_tracker(slots=slots, sender="conv-leo"))
    assert NOT_YOUR_VISITOR in said(messages).lower()
    with session_scope() as s:
        row = s.get(VisitorMatch, match_id)
        assert row.status == "objected" and row.reason == "no im scared of dogs"


def new_session_stop(sender: str) -> tuple[list[dict], list[dict]]:
    """"stop" with no form open and nothing remembered (a new session: slots are not carried over)."""
    return run(conversation.StopForm(), make_tracker("cancel", "stop", sender=sender))


def test_stop_in_a_new_session_after_sending_says_what_is_true_and_can_take_it_back(engine) -> None:
    stored = referral_of("conv-new")  # sent in an earlier session of this conversation
    messages, events = new_session_stop("conv-new")
    text = said(messages)
    assert "Nothing was sent" not in text
    assert "Nothing in this chat was sent" in text and "still sent" in text
    assert "/withdraw_sent" in buttons(messages) and slot_events(events)["last_sent"] == stored.ref
    # "Take it back" (the button just offered) takes back that request, and only then says so.
    pressed = make_tracker("/withdraw_sent", "withdraw_sent", sender="conv-new", slots={"last_sent": stored.ref})
    messages, _ = run(sent.WithdrawSent(), pressed)
    assert "took it back" in said(messages)
    with session_scope() as s:
        assert s.get(AdvocacyReferral, withdrawals.parse_sent_ref(stored.ref)[1]).status == "withdrawn"
    # Taken back: a later stop has nothing sent to speak of, and says so.
    messages, _ = new_session_stop("conv-new")
    assert "Nothing was sent" in said(messages)


def test_a_signed_in_child_is_told_of_what_they_sent_from_another_conversation(demo: dict) -> None:
    jade = demo["children"]["Jade"]
    link("conv-jade-sms", jade)
    link("conv-jade-web", jade)
    statement = child_requests.submit_wishes(
        idempotency_key="w-js", conversation_id="conv-jade-sms", claimed_child_id=jade, review_date=None,
        review_label=None, answers=[("change", "What do you want to change?", "see mum more")],
        share_with=["iro"], drafted_at=None)
    messages, events = new_session_stop("conv-jade-web")
    assert "your answers before" in said(messages) and "Nothing was sent" not in said(messages)
    assert slot_events(events)["last_sent"] == statement.ref
    # Another conversation nobody signed in to is told nothing of Jade's.
    messages, _ = new_session_stop("conv-stranger")
    assert "Nothing was sent" in said(messages)


def test_i_changed_my_mind_in_a_new_session_offers_the_earlier_request_and_takes_nothing_unasked(engine) -> None:
    stored = referral_of("conv-mind")
    messages, events = run(sent.WithdrawSent(), make_tracker("i changed my mind", "withdraw_sent", sender="conv-mind"))
    assert "already sent" in said(messages) and slot_events(events)["last_sent"] == stored.ref
    with session_scope() as s:
        assert s.get(AdvocacyReferral, withdrawals.parse_sent_ref(stored.ref)[1]).status == "new"


@pytest.fixture
def database_down(monkeypatch):
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    dispose_engines()
    yield
    dispose_engines()


def test_stop_with_the_database_down_says_only_what_is_sure(database_down) -> None:
    messages, _ = new_session_stop("conv-down")
    assert "Nothing was sent" not in said(messages) and "Nothing in this chat was sent" in said(messages)

