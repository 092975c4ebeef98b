"""Issue 20 ("Forms that never lose or twist a child's words"), over Rasa's REST channel with the trained model, the
action server and the case database:

- after a disclosure inside a form, one question at a time: the safe answer at once, then "Do you want this in your
  answers too?", then "Would you like someone to talk to you today?", then the form's own question; a yes to the
  offer runs the call-back form, and the paused form comes back with the kept words (nothing lost either way);
- "get it" at "What do you want to happen?" is the child's answer, not "I don't get it";
- "actually it is about my social worker" at the next question changes that answer and says so;
- "i want to take back my review answers" never starts a new statement.

Marked `stack` and `db`.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.e2e import test_conversations as conversations
from tests.stack import MODEL, Stack

pytestmark = [
    pytest.mark.stack,
    pytest.mark.db,
    pytest.mark.skipif(not MODEL.exists(), reason="no trained model: run ./heard train"),
]

case_db, twilio, stack = conversations.case_db, conversations.twilio, conversations.stack

WORDS = "my foster carer hits me when i get things wrong"
KEEP = "Do you want this in your answers too?"
OFFER = "Would you like someone to talk to you today?"
YES, NO = '/inform{"choice":"yes"}', '/inform{"choice":"no"}'


def sender() -> str:
    return f"issue20-{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict[str, Any]]) -> str:
    return "\n".join(r.get("text") or "" for r in replies)


def questions(replies: list[dict[str, Any]]) -> list[list[str]]:
    """The payloads of each message that shows buttons: one entry per question asked in the turn."""
    return [[b["payload"] for b in r["buttons"]] for r in replies if r.get("buttons")]


def disclose_at_adv_words(stack: Stack, me: str) -> list[dict[str, Any]]:
    """An anonymous advocate request at "Tell me a bit more", where the child tells of harm (a check-in, if the
    model is not sure, answered yes: an alert either way). The replies of the turn that answered it."""
    stack.say(me, "/request_advocate")
    assert "a bit more" in texts(stack.say(me, '/inform{"choice":"review"}'))
    replies = stack.say(me, WORDS)
    if "hurting you" in texts(replies):
        replies = stack.say(me, '/check_in_answer{"choice":"yes"}')
    return replies


def test_after_a_disclosure_each_turn_asks_one_question_and_nothing_is_lost(stack: Stack) -> None:
    me = sender()
    replies = disclose_at_adv_words(stack, me)
    said = texts(replies)
    assert "Childline" in replies[0]["text"] and "999" in replies[0]["text"]  # the safe answer first, at once
    assert KEEP in said and OFFER not in said
    assert questions(replies) == [[YES, NO]]  # one question: keep the words?
    replies = stack.say(me, YES)  # "Yes, add it"
    assert "added it" in texts(replies) and OFFER in texts(replies)
    assert questions(replies) == [[YES, NO]] and "a bit more" not in texts(replies)  # one question: a person?
    replies = stack.say(me, YES)  # "Yes, please"
    assert "will try to reach you" in texts(replies)  # the call-back form starts
    tracker = stack.tracker(me)
    assert tracker["active_loop"].get("name") == "callback_form"
    assert tracker["slots"]["paused_form"] == "advocate_form" and tracker["slots"]["adv_words"] == WORDS
    for answer in ("Sam", '/inform{"choice":"phone"}', "07700 900123", '/inform{"choice":"after_school"}', "no"):
        stack.say(me, answer)
    replies = stack.say(me, "send")
    assert "I sent it to the team that keeps children safe" in texts(replies)
    assert "/resume_form" in [b["payload"] for r in replies for b in r.get("buttons") or []]
    stack.say(me, "/resume_form")
    tracker = stack.tracker(me)
    assert tracker["active_loop"].get("name") == "advocate_form"
    assert tracker["slots"]["adv_words"] == WORDS and tracker["slots"]["adv_reason"] == "review"  # kept
    assert tracker["slots"]["call_back_offer_waiting"] is None  # offered once


def test_typed_answers_work_as_the_buttons_do(stack: Stack) -> None:
    me = sender()
    disclose_at_adv_words(stack, me)
    assert OFFER in texts(stack.say(me, "yes"))
    assert "will try to reach you" in texts(stack.say(me, "yes please"))
    assert stack.tracker(me)["active_loop"].get("name") == "callback_form"


def test_not_now_lets_the_form_go_on_with_its_own_question(stack: Stack) -> None:
    me = sender()
    disclose_at_adv_words(stack, me)
    replies = stack.say(me, "No, leave it out")
    assert "left it out" in texts(replies) and OFFER in texts(replies) and "a bit more" not in texts(replies)
    replies = stack.say(me, "not now")
    assert "just tell me" in texts(replies) and "a bit more" in texts(replies)
    tracker = stack.tracker(me)
    assert tracker["active_loop"].get("name") == "advocate_form" and tracker["slots"]["adv_words"] is None
    assert tracker["slots"]["requested_slot"] == "adv_words"


def complaint_to(stack: Stack, me: str, until: str) -> None:
    stack.say(me, "/make_complaint")
    for answer in ("pocket money", "get it", "no", "no"):
        if stack.tracker(me)["slots"]["requested_slot"] == until:
            return
        stack.say(me, answer)


def test_get_it_is_the_childs_answer_and_a_correction_in_words_changes_the_answer_before(stack: Stack) -> None:
    me = sender()
    complaint_to(stack, me, "cp_advocate")
    slots = stack.tracker(me)["slots"]
    assert slots["cp_about"] == "pocket money" and slots["cp_wants"] == "get it"  # never "say it simpler"
    assert (slots["cp_home"], slots["cp_about_sw"], slots["requested_slot"]) == ("no", "no", "cp_advocate")
    replies = stack.say(me, "actually it is about my social worker, she did it")
    if "hurting you" in texts(replies):  # a check-in about "she did it", answered no: the words come back
        replies = stack.say(me, '/check_in_answer{"choice":"no"}')
    assert "About your social worker: Yes." in texts(replies)
    slots = stack.tracker(me)["slots"]
    assert slots["cp_about_sw"] == "yes" and slots["requested_slot"] == "cp_advocate"
    assert slots["cp_advocate"] is None


def test_taking_back_review_answers_never_starts_a_new_statement(stack: Stack) -> None:
    from bot.db.engine import session_scope
    from bot.db.models import WishesStatement
    from bot.services import withdrawals
    from bot.usecases import child_requests

    for text in ("i want to take back my review answers", "can i delete what i said for my review"):
        me = sender()
        replies = stack.say(me, text)
        assert "I cannot find any answers for your review to take back." in texts(replies)
        assert stack.tracker(me)["active_loop"].get("name") is None  # no wishes form
    me = sender()
    conversations.sign_in(me, "Jade")
    sent = child_requests.submit_wishes(
        idempotency_key=f"k-{me}", conversation_id=me, claimed_child_id=conversations.child_id("Jade"),
        review_date=None, review_label=None, answers=[("change", "What do you want to change?", "see mum more")],
        share_with=["iro"], drafted_at=None)
    replies = stack.say(me, "i want to take back my review answers")
    assert "Your answers were already sent." in texts(replies) and stack.tracker(me)["active_loop"].get("name") is None
    assert "I took your answers back." in texts(stack.say(me, "/withdraw_sent"))
    with session_scope() as s:
        assert s.get(WishesStatement, withdrawals.parse_sent_ref(sent.ref)[1]).withdrawn_at is not None
