"""A name and a council are asked back when the words are a sentence, never kept on a guess (issue 20: "i miss my
nan" had been saved as the child's name), and a forged button is not an answer. Driven at the action level
(tests/tools/form_driver.py), no Rasa server."""

from __future__ import annotations

from tests.tools.form_driver import FormRun


def _advocate_at_name() -> FormRun:
    run = FormRun("advocate_form", {})
    run.say('/inform{"choice":"review"}')
    run.say("i want to stay at my school")
    assert run.asked == "anon_name"
    return run


def test_a_feeling_at_the_name_question_is_answered_kindly_and_the_name_asked_again() -> None:
    run = _advocate_at_name()
    said = run.say("i miss my nan")
    assert run.slots["anon_name"] is None and run.asked == "anon_name"
    assert any("miss your nan" in line for line in said)
    run.say("Kai")
    assert run.slots["anon_name"] == "Kai"


def test_a_sentence_at_the_name_question_is_read_back_and_kept_only_if_the_child_says_so() -> None:
    run = _advocate_at_name()
    said = run.say("my cat is called mittens btw")
    assert run.slots["anon_name"] is None
    assert any('"my cat is called mittens btw"' in line and "your name" in line for line in said)
    run.say("Jo")  # the child writes the name instead
    assert run.slots["anon_name"] == "Jo"
    run.say("we went to the park today")  # at the council question: read back...
    assert run.slots["anon_council"] is None
    run.say('/inform{"choice":"previous_words"}')  # ...and "Yes, that is it" keeps it, as typed
    assert run.slots["anon_council"] == "we went to the park today"


def test_a_forged_payload_fills_nothing_and_the_form_does_not_move_on() -> None:
    run = _advocate_at_name()
    run.say("Sam")
    assert run.asked == "anon_council"
    for forged in ('/inform{"child_id":"1","choice":"yes"}', '/inform{"choice":"text"}'):
        run.say(forged)
        assert run.slots["anon_council"] is None and run.asked == "anon_council"
    run.say('/inform{"choice":"unknown"}')  # its own "I don't know" button
    assert run.slots["anon_council"] == "unknown"
