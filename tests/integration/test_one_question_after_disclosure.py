"""Issue 20: after a disclosure inside a form, one question at a time. Before, one turn held two button questions
(the call-back offer "Would you like someone to talk to you today?" and "Do you want this in your answers too?"),
and answering one lost the other. Now the safeguarding answer (Childline, 999, a grown-up told today) comes first,
at once, with no question; then the form asks "Do you want this in your answers too?" (while words wait); then the
call-back offer, as a question of the form; only then its own question again. Yes to the offer pauses the form for
the call-back form (as asking for a person in words does); no lets the form go on.

The actions run with rasa-sdk trackers; the form's validation is driven as Rasa drives it
(``tests/tools/form_driver.py``). Over REST with the trained model: ``tests/e2e/test_one_question_after_disclosure.py``.
"""

from __future__ import annotations

import pytest

from actions import call_back, check_in, safeguarding
from bot.dialogue import forms
from bot.dialogue.intents import SAFEGUARDING_ACTION
from tests.integration.test_actions import make_tracker, run, slot_events
from tests.tools.form_driver import FormRun

KEEP = forms.KEEP_ALERT_ANSWER.slot
OFFER = forms.CALL_BACK_OFFER.slot
HIT = "my foster carer hits me when i get things wrong"


def with_buttons(messages: list[dict]) -> list[dict]:
    return [m for m in messages if m.get("buttons")]


def followups(events: list[dict]) -> list[str]:
    return [e["name"] for e in events if e.get("event") == "followup"]


@pytest.mark.parametrize("form", forms.PAUSABLE_FORMS)
def test_inside_a_form_the_safe_answer_asks_nothing_and_leaves_the_offer_to_the_form(demo, form) -> None:
    messages, events = run(safeguarding.SafeguardingResponse(), make_tracker(HIT, "disclose_harm", loop=form))
    texts = [m["text"] for m in messages]
    assert "Childline" in texts[0] and "999" in texts[0]  # the safe words first, at once
    assert texts[1] == "A grown-up will be told today. Their job is to keep children safe."
    assert with_buttons(messages) == []
    assert slot_events(events)[forms.CALL_BACK_OFFER_WAITING] is True


def test_outside_a_form_and_in_the_call_back_form_nothing_waits(demo) -> None:
    messages, events = run(safeguarding.SafeguardingResponse(), make_tracker(HIT, "disclose_harm"))
    assert [b["payload"] for m in with_buttons(messages) for b in m["buttons"]] == ["/ask_call_back", "/deny"]
    assert forms.CALL_BACK_OFFER_WAITING not in slot_events(events)
    messages, events = run(safeguarding.SafeguardingResponse(),
                           make_tracker(HIT, "disclose_harm", loop=forms.CALL_BACK.name))
    assert with_buttons(messages) == [] and forms.CALL_BACK_OFFER_WAITING not in slot_events(events)


def test_a_check_in_answered_yes_inside_a_form_does_the_same(demo) -> None:
    checked = [{"event": "user", "text": "im scared to go home", "parse_data": {"intent": {"name": "possible_harm"}}},
               {"event": "action", "name": "action_harm_check_in"}]
    tracker = make_tracker('/check_in_answer{"choice":"yes"}', "check_in_answer", loop="wishes_form", events=checked)
    messages, events = run(check_in.HarmCheckAnswer(), tracker)
    assert "Childline" in messages[0]["text"] and with_buttons(messages) == []
    assert slot_events(events)[forms.CALL_BACK_OFFER_WAITING] is True


def disclosed_at_not_going_well() -> FormRun:
    """The wishes form at "What is not going well?", a disclosure typed there and answered (the safe answer sets
    what it sets: the offer waits)."""
    run_ = FormRun("wishes_form", {"child_id": "c_jade"})
    run_.say("don't know")
    run_.say("my friends")
    assert run_.asked == "w_not_going_well"
    assert run_.say(HIT, "disclose_harm", 1.0) == []
    run_.slots[forms.CALL_BACK_OFFER_WAITING] = True
    run_.after(SAFEGUARDING_ACTION)
    return run_


def test_the_keep_question_first_then_the_offer_then_the_forms_own_question() -> None:
    run_ = disclosed_at_not_going_well()
    assert run_.asked == KEEP
    said = run_.say('/inform{"choice":"yes"}')
    assert any("added it to your answers" in line for line in said)
    assert run_.asked == OFFER and run_.slots["w_not_going_well"] == HIT  # kept, and the offer not lost
    said = run_.say('/inform{"choice":"no"}')
    assert any("If you want someone to talk to you later, just tell me" in line for line in said)
    assert run_.asked == "w_change" and run_.slots[forms.CALL_BACK_OFFER_WAITING] is None
    assert run_.slots[OFFER] is None


def test_no_to_the_keep_question_still_gets_the_offer_before_the_question_again() -> None:
    run_ = disclosed_at_not_going_well()
    run_.say("No, leave it out")
    assert run_.asked == OFFER and run_.slots["w_not_going_well"] is None
    run_.say("not now")
    assert run_.asked == "w_not_going_well"


@pytest.mark.parametrize("answer", ['/inform{"choice":"yes"}', "yes please", "Yes, please", "yeah", "👍"])
def test_yes_to_the_offer_pauses_the_form_for_the_call_back(answer: str) -> None:
    run_ = disclosed_at_not_going_well()
    run_.say("yes")
    assert run_.asked == OFFER
    before = len(run_.events)
    run_.say(answer)
    events = run_.events[before:]
    assert followups(events) == [call_back.PAUSE_ACTION]
    assert any(e.get("event") == "action_execution_rejected" and e.get("name") == "wishes_form" for e in events)
    assert run_.slots[forms.CALL_BACK_OFFER_WAITING] is None  # asked once
    assert run_.slots["w_not_going_well"] == HIT  # the paused form keeps its answers


def test_a_question_about_the_offer_is_explained_and_the_offer_asked_again() -> None:
    run_ = disclosed_at_not_going_well()
    run_.say("yes")
    said = run_.say("what happens if i say yes")
    assert any("a grown-up can reach you safely" in line for line in said) and run_.asked == OFFER


def test_the_pause_starts_the_call_back_form_itself_after_the_offer_but_not_after_the_rule() -> None:
    waiting = {forms.CALL_BACK_OFFER_WAITING: True, "submission_id": "s1"}
    _, events = run(call_back.PauseForCallBack(), make_tracker("yes please", "affirm", loop="wishes_form",
                                                               slots=waiting))
    assert followups(events) == [forms.CALL_BACK.name]
    slots = slot_events(events)
    assert slots["paused_form"] == "wishes_form" and slots[forms.CALL_BACK_OFFER_WAITING] is None
    _, events = run(call_back.PauseForCallBack(), make_tracker("/ask_call_back", "ask_call_back", loop="wishes_form"))
    assert followups(events) == []  # the rule runs the call-back form


@pytest.mark.parametrize(("form", "given"), [("match_form", {"child_id": "c_ruby", "match_id": "7",
                                                             "match_label": "Sam"}),
                                             ("wishes_form", {"child_id": "c_jade"})])
def test_a_stop_checked_in_on_and_answered_no_is_still_asked_about(form: str, given: dict) -> None:
    """Dev flow s26: "actually stop i want to think about it first" was checked in on (the harm scorer of 2
    December); after "No" the form asked its question again and the wish to stop was lost."""
    run_ = FormRun(form, given)
    asked = run_.asked
    assert run_.say("actually stop i want to think about it first", "possible_harm", 1.0) == []
    run_.events.append({"event": "action", "name": "action_harm_check_in"})
    run_.events.append({"event": "action", "name": "action_listen"})
    run_.hear('/check_in_answer{"choice":"no"}', "check_in_answer", 1.0)
    said = run_.after("action_harm_check_answer")
    assert any("Do you want to stop?" in line for line in said) and run_.asked == asked


@pytest.mark.parametrize(("answer", "confidence"), [("can someone call me", 0.91), ("i want to talk to someone", 0.97),
                                                    ("yes can someone call me", 0.92), ("call me", 0.79)])
def test_asking_for_a_person_at_the_offer_is_its_yes(answer: str, confidence: float) -> None:
    """"can someone call me" typed at "Would you like someone to talk to you today?" was answered "You can talk to a
    person" and the offer asked again: it asks for just what is offered, so the form waits for the call-back."""
    run_ = disclosed_at_not_going_well()
    run_.say("yes")
    assert run_.asked == OFFER
    before = len(run_.events)
    run_.say(answer, "talk_to_person", confidence)
    events = run_.events[before:]
    assert followups(events) == [call_back.PAUSE_ACTION]
    assert run_.slots[forms.CALL_BACK_OFFER_WAITING] is None and run_.slots["w_not_going_well"] == HIT


@pytest.mark.parametrize("answer", ["can someone call me tomorrow", "who will call me", "no i dont want to talk"])
def test_a_person_later_or_a_question_about_them_is_not_a_yes(answer: str) -> None:
    run_ = disclosed_at_not_going_well()
    run_.say("yes")
    before = len(run_.events)
    run_.say(answer, "talk_to_person", 0.9)
    assert call_back.PAUSE_ACTION not in followups(run_.events[before:])
