"""Issue 20 (persona dev flow x40): a child corrects an earlier yes or no in words at a later question ("actually it
is about my social worker, she did it" at "Would you like an advocate?" after a no to "Is it about your social
worker?"). Where it is plain, the earlier answer changes, the child is told what it is now, and the question on
screen is asked again; a consent is never changed from words, and nothing unclear changes anything.
Driven at the action level (tests/tools/form_driver.py), no Rasa server."""

from __future__ import annotations

import pytest

from bot.dialogue import corrections
from tests.tools.form_driver import FormRun

SIGNED_IN = {"child_id": "c_jake"}


def complaint_at_advocate(home: str = "no", about_sw: str = "no") -> FormRun:
    run = FormRun("complaint_form", SIGNED_IN)
    run.say("they changed my school without asking me")
    run.say("i want to go back to Oakfield")
    run.say(home)
    run.say(about_sw)
    assert run.asked == "cp_advocate"
    return run


@pytest.mark.parametrize("text", [
    "actually it is about my social worker, she did it",
    "wait it IS about my social worker",
    "sorry its about my sw",
    "oops my social worker did it",
    "no wait, it was my social worker who did it",
    "actually yes its about my social worker",
])
def test_a_no_corrected_in_words_at_the_next_question_becomes_yes_and_the_question_is_asked_again(text) -> None:
    run = complaint_at_advocate()
    said = run.say(text)
    assert run.slots["cp_about_sw"] == "yes"
    assert run.asked == "cp_advocate" and run.slots["cp_advocate"] is None
    assert "OK, I changed your answer. ✏️ About your social worker: Yes." in said
    run.say("yes")
    assert run.answers()["cp_advocate"] == "yes" and run.asked == "cp_confirm"


@pytest.mark.parametrize("text", [
    "actually its not about my social worker",
    "wait it isnt my sw",
    "sorry it's nothing to do with my social worker, it's my carer",
])
def test_a_yes_corrected_the_other_way_becomes_no(text) -> None:
    run = complaint_at_advocate(about_sw="yes")
    said = run.say(text)
    assert run.slots["cp_about_sw"] == "no" and run.asked == "cp_advocate"
    assert any("About your social worker: No." in line for line in said)


def test_an_answer_two_questions_back_is_corrected_when_named() -> None:
    run = complaint_at_advocate(home="yes")
    said = run.say("actually its not a children's home, its foster")
    assert run.slots["cp_home"] == "no" and run.slots["cp_about_sw"] == "no"
    assert run.asked == "cp_advocate"
    assert any("About a children's home: No." in line for line in said)


def test_two_facts_corrected_in_one_message_are_both_changed() -> None:
    run = complaint_at_advocate(home="yes")
    said = run.say("sorry it is about my social worker and its not a childrens home")
    assert (run.slots["cp_home"], run.slots["cp_about_sw"]) == ("no", "yes") and run.asked == "cp_advocate"
    assert any("About a children's home: No." in line for line in said)
    assert any("About your social worker: Yes." in line for line in said)


def test_at_a_consent_the_sentence_needs_no_correcting_word_but_elsewhere_it_does() -> None:
    run = complaint_at_advocate()
    run.say("it is about my social worker")  # at "Would you like an advocate?": it can be nothing else
    assert run.slots["cp_about_sw"] == "yes" and run.asked == "cp_advocate"
    # At a question that keeps the child's words, a sentence is the answer unless it says it corrects something.
    run = FormRun("complaint_form", {})
    for text in ("they moved my school", "skip", "no", "no", "no"):
        run.say(text)
    assert run.asked == "anon_name"
    run.say("Jake")
    run.say("Leeds")
    assert run.asked == "contact_how"
    run.say("ring my social worker")
    assert run.slots["cp_about_sw"] == "no" and run.slots["contact_how"] is not None


def test_the_check_is_shown_again_with_the_changed_answer() -> None:
    run = complaint_at_advocate()
    run.say("no")
    assert run.asked == "cp_confirm"
    said = run.say("actually it is about my social worker")
    assert run.slots["cp_about_sw"] == "yes" and run.asked == "cp_confirm" and run.slots["cp_confirm"] is None
    assert any("About your social worker: Yes." in line for line in said)


@pytest.mark.parametrize("text", [
    "actually maybe its about my social worker",
    "wait is it about my social worker?",
    "actually im not sure if its my social worker",
    "actually my social worker didnt do it",  # the "not" after the name: unclear
    "actually it is about my social worker, no it isnt about my social worker",  # both ways
])
def test_anything_unclear_changes_nothing(text) -> None:
    run = complaint_at_advocate(home="yes")
    run.say(text)
    assert (run.slots["cp_home"], run.slots["cp_about_sw"]) == ("yes", "no")
    assert run.asked == "cp_advocate"


def test_the_same_fact_again_changes_nothing_and_a_fact_said_ahead_is_not_a_correction() -> None:
    run = complaint_at_advocate(about_sw="yes")
    assert corrections.fact_corrections("complaint_form", "cp_advocate", "actually it is about my sw",
                                        run.slots) == {}
    # x40: "its not a childrens home btw" said at "What do you want to happen?", before that question was asked,
    # is the child's answer there, kept word for word; the question is then asked as usual.
    run = FormRun("complaint_form", SIGNED_IN)
    run.say("they changed my school without asking me")
    words = "i want to go back to Oakfield. and its not a childrens home btw its foster"
    run.say(words)
    assert run.slots["cp_wants"] == words and run.asked == "cp_home"


def test_a_consent_is_never_changed_from_words() -> None:
    run = complaint_at_advocate()
    run.say("yes")
    assert run.asked == "cp_confirm"
    run.say("actually i dont want an advocate")
    assert run.slots["cp_advocate"] == "yes"


@pytest.mark.parametrize(("text", "intent"), [
    ("actually my social worker hits me", "disclose_harm"),
    ("wait its my social worker, she hurts me", "possible_harm"),
    ("sorry i meant he hits me", "disclose_harm"),
])
def test_words_that_may_tell_of_harm_are_never_read_as_a_correction(text: str, intent: str) -> None:
    run = complaint_at_advocate()
    assert run.say(text, intent, 0.95) == []  # the form lets them through to the safe answer
    assert run.slots["cp_about_sw"] == "no" and run.asked == "cp_advocate"
