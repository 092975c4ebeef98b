"""Issue 20: "i want to take back my review answers", "can i delete what i said for my review", "undo my wishes".
Before, the classifier's guess (a new wishes statement, a question about reviews, nothing understood) won, and the
first one started a new wishes form. Now the words reach the withdraw path for the thing they name: the question to
take back the latest record of that kind (never another kind), or a plain "I cannot find ... to take back".

The actions run with rasa-sdk trackers (as the action server runs them), on the case database. Marked ``db``.
"""

from __future__ import annotations

import os

import pytest

from actions import conversation, sent
from bot.db.models import AdvocacyReferral, WishesStatement
from bot.dialogue import child_says
from bot.services import withdrawals
from bot.usecases import child_requests
from tests.integration.test_actions import DEAD_DB, link, make_tracker, run, said, slot_events
from tests.integration.test_withdraw_and_change_mind import buttons, record, referral_of

TAKE_BACK_WISHES = ["i want to take back my review answers", "can i delete what i said for my review",
                    "undo my wishes", "take back my wishes and feelings pls", "delete my review answers",
                    "can u get rid of everything i wrote for the iro"]


@pytest.mark.parametrize("text", TAKE_BACK_WISHES)
def test_words_that_take_back_review_answers_name_the_wishes_statement(text: str) -> None:
    assert child_says.take_back_request(text) == child_says.TAKE_BACK_WISHES


@pytest.mark.parametrize(("text", "kind"), [
    ("cancel my advocate request", child_says.TAKE_BACK_ADVOCATE),
    ("withdraw my request for an advocate", child_says.TAKE_BACK_ADVOCATE),
    ("i want to cancel my visitor request", child_says.TAKE_BACK_VISITOR),
    ("please unsend what i sent", child_says.TAKE_BACK_ANY),
])
def test_other_things_sent_are_named_too(text: str, kind: str) -> None:
    assert child_says.take_back_request(text) == kind
    assert kind in withdrawals.RECORDS or kind == child_says.TAKE_BACK_ANY


@pytest.mark.parametrize("text", [
    "i want to remove my social worker from my review",  # a wish for the review: the wishes form keeps it
    "cancel my review meeting", "i want my review cancelled", "i dont want to take back my answers",
    "dont cancel my advocate request", "delete what i said",  # deleting the chat is its own request
    "take back what i said about my mum", "i want to tell my review what i think",
])
def test_wishes_and_other_requests_are_not_taken_for_taking_back(text: str) -> None:
    assert child_says.take_back_request(text) is None


def rerun_intent(events: list[dict]) -> str | None:
    """The intent a turn is run again as (after ``UserUtteranceReverted``), or None."""
    if not any(e.get("event") == "rewind" for e in events):
        return None
    users = [e for e in events if e.get("event") == "user"]
    return users[-1]["parse_data"]["intent"]["name"] if users else None


@pytest.mark.parametrize(("action", "text", "intent"), [
    (conversation.StartForm(), "i want to take back my review answers", "share_wishes"),
    (conversation.StartForm(), "can i delete what i said for my review", "share_wishes"),
    (conversation.StartForm(), "cancel my advocate request", "request_advocate"),
    (conversation.Fallback(), "take back my wishes", "nlu_fallback"),
    (conversation.Digress(), "delete my review answers", "ask_about_review"),
])
def test_the_turn_runs_again_as_taking_back_whatever_the_classifier_guessed(action, text, intent) -> None:
    messages, events = run(action, make_tracker(text, intent, confidence=0.7))
    assert rerun_intent(events) == "withdraw_sent"
    assert messages == []  # no form opening, no "I did not understand"
    assert not any(e.get("event") == "slot" and e.get("name") == "submission_id" for e in events)  # no new form


def test_a_wish_for_the_review_still_starts_the_wishes_form() -> None:
    messages, events = run(conversation.StartForm(), make_tracker("i want to remove my social worker from my review",
                                                                  "share_wishes", confidence=0.8))
    assert rerun_intent(events) is None and slot_events(events)["submission_id"]
    assert messages  # the wishes form's opening


def wishes_of(conversation_id: str, child_id: str | None, key: str = "w1") -> child_requests.Stored:
    return child_requests.submit_wishes(
        idempotency_key=key, conversation_id=conversation_id, claimed_child_id=child_id, review_date=None,
        review_label=None, answers=[("change", "What do you want to change?", "see my mum more")],
        share_with=["iro"], drafted_at=None)


def test_review_answers_are_offered_back_not_the_advocate_request_sent_after_them(demo: dict) -> None:
    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    statement = wishes_of("conv-jade", jade)
    referral = referral_of("conv-jade", jade, key="k-later")  # the latest thing sent, and in the slot
    slots = {"last_sent": referral.ref}
    messages, events = run(sent.WithdrawSent(), make_tracker("i want to take back my review answers", "withdraw_sent",
                                                             slots=slots, sender="conv-jade"))
    assert "Your answers were already sent." in said(messages)  # asked first, never taken back unasked
    assert buttons(messages) == ["/withdraw_sent", "/keep_sent"]
    assert slot_events(events)["last_sent"] == statement.ref
    assert record(WishesStatement, statement.ref).withdrawn_at is None
    # "Take them back" withdraws the statement, and only it.
    messages, _ = run(sent.WithdrawSent(), make_tracker("/withdraw_sent", "withdraw_sent",
                                                        slots={"last_sent": statement.ref}, sender="conv-jade"))
    assert "I took your answers back." in said(messages)
    assert record(WishesStatement, statement.ref).withdrawn_at is not None
    assert record(AdvocacyReferral, referral.ref).status == "new"


@pytest.mark.parametrize("text", ["undo my wishes", "can i delete what i said for my review"])
def test_nothing_of_that_kind_sent_says_so_plainly_and_changes_nothing(demo: dict, text: str) -> None:
    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    referral = referral_of("conv-jade", jade)
    messages, events = run(sent.WithdrawSent(), make_tracker(text, "withdraw_sent", slots={"last_sent": referral.ref},
                                                             sender="conv-jade"))
    assert "I cannot find any answers for your review to take back." in said(messages)
    assert "Nothing was changed." in said(messages) and "/withdraw_sent" not in buttons(messages)
    assert "last_sent" not in slot_events(events)
    assert record(AdvocacyReferral, referral.ref).status == "new"


def test_a_review_answer_already_taken_back_is_not_offered_again(demo: dict) -> None:
    jade = demo["children"]["Jade"]
    link("conv-jade", jade)
    statement = wishes_of("conv-jade", jade)
    child_requests.withdraw_sent("conv-jade", statement.ref)
    messages, _ = run(sent.WithdrawSent(), make_tracker("undo my wishes", "withdraw_sent", sender="conv-jade"))
    assert "I cannot find any answers for your review to take back." in said(messages)


def test_an_anonymous_chat_is_offered_only_what_it_sent_itself(demo: dict) -> None:
    mine = wishes_of("conv-anon-1", None, key="a1")
    wishes_of("conv-anon-2", None, key="a2")
    messages, events = run(sent.WithdrawSent(), make_tracker("take back my wishes", "withdraw_sent",
                                                             sender="conv-anon-1"))
    assert slot_events(events)["last_sent"] == mine.ref and "Your answers were already sent." in said(messages)


def test_the_database_down_says_only_that_it_could_not_check(demo: dict, monkeypatch) -> None:
    good_url = os.environ["HEARD_DATABASE_URL"]
    monkeypatch.setenv("HEARD_DATABASE_URL", DEAD_DB)
    from bot.db.engine import dispose_engines

    dispose_engines()
    messages, events = run(sent.WithdrawSent(), make_tracker("undo my wishes", "withdraw_sent", sender="conv-down"))
    monkeypatch.setenv("HEARD_DATABASE_URL", good_url)
    dispose_engines()
    assert "could not check what you sent" in said(messages) and "cannot find" not in said(messages)
    assert events == []
