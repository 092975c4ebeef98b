"""Issue 20: answers that raise an alert are kept. After the safeguarding answer to a message typed at a form's
question (a clear disclosure, or a check-in answered yes or not sure), the form asks "Do you want this in your
answers too?": yes stores the words as the answer of the question that was asked (verbatim), no leaves that
question to be asked again; either way the form goes on from where it was.

The real validation actions, driven as Rasa drives them (``tests/tools/form_driver.py``); the stored record is
checked through the submit function for the wishes statement and the match answer.
"""

from __future__ import annotations

import pytest

from bot.dialogue import answers, forms
from bot.dialogue.intents import CHECK_IN_ACTION, CHECK_IN_ANSWER_ACTION, SAFEGUARDING_ACTION
from tests.tools.form_driver import FormRun

KEEP = forms.KEEP_ALERT_ANSWER.slot
ASK_KEEP = "Do you want this in your answers too?"
HIT = "my foster carer hits me when i get things wrong"


def disclose(run: FormRun, text: str) -> None:
    """A clear disclosure typed at the current question: the form lets it through (nothing filled), the
    safeguarding answer runs, and the form comes back."""
    asked = run.asked
    assert run.say(text, "disclose_harm", 1.0) == [] and run.asked == asked
    run.after(SAFEGUARDING_ACTION)


def check_in(run: FormRun, text: str, answer: str) -> None:
    """A possible disclosure at the current question: the check-in asks, the child answers ``answer``."""
    assert run.say(text, "possible_harm", 0.9) == []
    run.events.append({"event": "action", "name": CHECK_IN_ACTION})
    run.events.append({"event": "action", "name": "action_listen"})
    run.hear(answer, "check_in_answer" if answer.startswith("/") else "affirm", 1.0)  # the rules answer it
    run.after(CHECK_IN_ANSWER_ACTION)


def wishes_at_not_going_well() -> FormRun:
    run = FormRun("wishes_form", {"child_id": "c_jade"})
    run.say("don't know")
    run.say("my friends")
    assert run.asked == "w_not_going_well"
    return run


def test_yes_keeps_the_disclosure_as_the_answer_of_the_question_asked_and_the_form_goes_on() -> None:
    run = wishes_at_not_going_well()
    disclose(run, HIT)
    assert run.asked == KEEP and run.slots[forms.ALERT_FOR] == "w_not_going_well"
    said = run.said[-1:] + run.say("yes")
    assert any("added it to your answers" in line for line in said)
    assert run.slots["w_not_going_well"] == HIT  # verbatim
    assert run.asked == "w_change" and run.slots[forms.ALERT_FOR] is None and run.slots[KEEP] is None
    assert run.slots["w_going_well"] == "my friends"  # nothing before it moved


def test_no_leaves_the_question_to_be_asked_again_and_nothing_is_stored() -> None:
    run = wishes_at_not_going_well()
    disclose(run, HIT)
    said = run.say("No, leave it out")
    assert any("left it out" in line for line in said)
    assert run.asked == "w_not_going_well" and run.slots["w_not_going_well"] is None
    assert HIT not in {str(v) for v in run.slots.values()}
    run.say("i miss my mum")
    assert run.slots["w_not_going_well"] == "i miss my mum" and run.asked == "w_change"


def test_the_keep_question_takes_only_a_plain_yes_or_no() -> None:
    run = wishes_at_not_going_well()
    disclose(run, HIT)
    said = run.say("what happens if i say yes")
    assert run.asked == KEEP and "Yes means what you wrote goes in your answers" in " ".join(said)
    run.say('/inform{"choice":"yes"}')
    assert run.slots["w_not_going_well"] == HIT


def test_an_alert_raised_by_a_check_in_answered_yes_or_not_sure_is_offered_too() -> None:
    for answer in ('/check_in_answer{"choice":"yes"}', '/check_in_answer{"choice":"not_sure"}'):
        run = wishes_at_not_going_well()
        check_in(run, "im scared to go home", answer)
        assert run.asked == KEEP and run.slots[forms.ALERT_WORDS] == "im scared to go home"
        run.say("yeah")
        assert run.slots["w_not_going_well"] == "im scared to go home" and run.asked == "w_change"


def test_the_advocate_reason_and_words_keep_a_disclosure_typed_as_the_reason() -> None:
    run = FormRun("advocate_form", {"child_id": "c_jade"})
    disclose(run, HIT)
    assert run.asked == KEEP
    run.say("yes")
    assert run.slots["adv_reason"] == "other" and run.slots["adv_words"] == HIT
    assert run.asked == "contact_how"  # "in your own words" is not asked again

    run = FormRun("advocate_form", {"child_id": "c_jade"})
    run.say("review")
    assert run.asked == "adv_words"
    disclose(run, HIT)
    run.say("yes")
    assert run.slots["adv_reason"] == "review" and run.slots["adv_words"] == HIT


LEO = {"child_id": "c_leo", "match_id": "7", "match_label": "Sam, likes football"}


def test_leos_no_with_his_reason_stays_his_reason_whatever_the_check_in_answer() -> None:
    reason = "no im scared of dogs"
    # Check-in answered yes: an alert, then the offer; yes keeps the no and the reason.
    run = FormRun("match_form", LEO)
    check_in(run, reason, '/check_in_answer{"choice":"yes"}')
    assert run.asked == KEEP
    run.say("yes")
    assert run.slots["match_decision"] == "object" and run.slots["match_reason"] == reason
    assert run.asked == "match_preferences"
    # Check-in answered no: the message is read as the answer it was.
    run = FormRun("match_form", LEO)
    check_in(run, reason, '/check_in_answer{"choice":"no"}')
    assert run.slots["match_decision"] == "object" and run.slots["match_reason"] == reason
    # No check-in at all (the classifier did not worry): the same.
    run = FormRun("match_form", LEO)
    run.say(reason)
    assert run.slots["match_decision"] == "object" and run.slots["match_reason"] == reason
    # At "do you want to say why?" after a plain no.
    run = FormRun("match_form", LEO)
    run.say("no")
    disclose(run, "he shouted at me and hit me last time")
    run.say("yes")
    assert run.slots["match_reason"] == "he shouted at me and hit me last time"


@pytest.mark.parametrize("text", ["no idea", "no wait yes", "no i dont know", "no but maybe later",
                                  "no whats an independent visitor", "no if he doesnt like dogs", "nah not sure"])
def test_a_hedged_no_is_never_a_decision(text: str) -> None:
    assert answers.read_answer("match_decision", text, None, 0.0, []).kind != "fill"


@pytest.mark.parametrize("text", ["no im scared of dogs", "nah he supports the wrong team", "no thanks i want a woman"])
def test_a_no_with_a_reason_is_the_no_and_keeps_the_words(text: str) -> None:
    outcome = answers.read_answer("match_decision", text, None, 0.0, [])
    assert (outcome.kind, outcome.value, dict(outcome.also)) == ("fill", "object", {"match_reason": text})
    # Only where a reason follows: consent to tell a social worker is never read from a sentence.
    assert answers.read_answer("adv_tell_sw", text, None, 0.0, []).kind != "fill"


def test_words_that_cannot_answer_the_question_are_not_offered() -> None:
    run = FormRun("wishes_form", {"child_id": "c_jade"})
    for _ in range(7):
        run.say("skip" if run.asked != "w_review_date" else "don't know")
        if run.asked == "w_attend":
            run.say("myself")
    assert run.asked == "w_share_with"
    disclose(run, HIT)
    assert run.asked == "w_share_with" and run.slots[forms.ALERT_FOR] is None  # not a list of readers


def test_a_second_alert_while_one_waits_does_not_replace_it() -> None:
    run = wishes_at_not_going_well()
    disclose(run, HIT)
    disclose(run, "and he locks me in my room")
    assert run.asked == KEEP and run.slots[forms.ALERT_WORDS] == HIT


def test_the_check_reads_back_a_kept_answer_and_the_statement_stores_it_verbatim() -> None:
    from bot.dialogue import submissions

    run = wishes_at_not_going_well()
    disclose(run, HIT)
    run.say("yes")
    assert HIT in forms.wishes_summary(run.slots)
    rows = submissions.wishes_answers(run.slots, submissions.question_texts())
    assert ("not_going_well", submissions.question_texts()["w_not_going_well"], HIT) in rows
