"""Issue 20, found by the third writer's dev flows: a child corrects the answer they just gave in their next message
("sorry i meant tuesday"), and "i already said" offers words the child typed, never words read as a button.
Driven at the action level (tests/tools/form_driver.py), no Rasa server."""

from __future__ import annotations

import pytest

from tests.tools.form_driver import FormRun

SIGNED_IN = {"child_id": "c_jade"}


@pytest.fixture(autouse=True)
def reference_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARD_DIALOGUE_TODAY", "2027-01-06")  # a Wednesday


def test_sorry_i_meant_changes_the_last_answer_and_asks_the_question_again() -> None:
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("nxt monday")
    assert run.asked == "w_going_well"
    said = run.say("sorry i meant tuesday")
    assert run.slots["w_review_date"] == "tuesday"
    assert run.asked == "w_going_well" and run.slots["w_going_well"] is None
    assert any("changed your last answer" in line for line in said)
    run.say("my frends at scool")
    assert run.slots["w_going_well"] == "my frends at scool"


def test_a_correction_that_does_not_fit_the_last_question_is_an_answer() -> None:
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("the 20th")
    run.say("i meant to say football and my mates are good")  # too long to be a corrected date: the answer
    assert run.slots["w_review_date"] == "the 20th"
    assert run.slots["w_going_well"] == "i meant to say football and my mates are good"


def test_own_words_at_an_open_question_are_never_corrected_by_the_next_message() -> None:
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("the 20th")
    run.say("school")
    run.say("sorry i meant maths")  # at "not going well": the child's own words are changed at the check
    assert run.slots["w_going_well"] == "school"
    assert run.slots["w_not_going_well"] == "sorry i meant maths"


def test_i_already_said_offers_the_words_typed_at_an_earlier_question() -> None:
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("dont know")
    paragraph = "school is good. i dont like that i cant see my nan tho"
    run.say(paragraph)
    said = run.say("i already said")
    assert any(paragraph in line for line in said) and run.asked == "w_not_going_well"


def test_words_read_as_a_button_are_never_offered_as_what_you_said() -> None:
    run = FormRun("visitor_form", {})
    run.say("a visiter")  # read as the button "A visitor"
    assert run.slots["iv_kind"] == "independent_visitor"
    said = run.say("i told you")
    assert not any("a visiter" in line for line in said)


def test_one_button_for_another_at_an_open_question_with_buttons_is_corrected() -> None:
    """v02: "2 evenings" at "When is a good and safe time?", then "sorry i meant after school" at the next."""
    run = FormRun("advocate_form", SIGNED_IN)
    for text in ("my review", "i want someone with me", "phone", "07700 900218", "2 evenings"):
        run.say(text)
    assert run.slots["contact_when"] == "evening" and run.asked == "adv_tell_sw"
    said = run.say("sorry i meant after school")
    assert run.slots["contact_when"] == "after_school" and run.asked == "adv_tell_sw"
    assert any("changed your last answer" in line for line in said)


def test_a_button_is_not_corrected_into_words_at_an_open_question() -> None:
    run = FormRun("advocate_form", SIGNED_IN)
    for text in ("my review", "i want someone with me", "phone", "07700 900218", "evenings"):
        run.say(text)
    run.say("sorry i meant about 5")  # not one of the buttons: asked about at the check, never swapped in here
    assert run.slots["contact_when"] == "evening"


def _ask_review_date(slots: dict) -> dict:
    """What the date question says now (its ask action), as the child sees it."""
    import asyncio

    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.forms import AskReviewDate

    dispatcher = CollectingDispatcher()
    tracker = Tracker("c1", dict(slots), {}, [], False, None, {"name": "wishes_form"}, "action_listen")
    asyncio.run(AskReviewDate().run(dispatcher, tracker, {}))
    (message,) = dispatcher.messages
    return message


@pytest.mark.parametrize("pick, meant", [("1", "2027-01-08"), ("2", "2027-01-15"), ("15th", "15th"),
                                         ('/inform{"choice":"2027-01-08"}', "2027-01-08")])
def test_next_friday_said_on_a_wednesday_asks_which_friday(pick: str, meant: str) -> None:
    """r09: "next friday" on Wednesday 6 January is the 8th to some children and the 15th to others."""
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("next friday")
    assert run.asked == "w_review_date" and run.slots["date_options"] == ["2027-01-08", "2027-01-15"]
    asked = _ask_review_date(run.slots)
    assert asked["text"].startswith("Which Friday is it?") and "Friday 15 January" in asked["text"]
    assert [b["title"] for b in asked["buttons"]] == ["Friday 8 January", "Friday 15 January", "I don't know"]
    run.say(pick)
    assert run.slots["w_review_date"] == meant and run.slots["date_options"] is None
    assert run.asked == "w_going_well"


def test_next_friday_said_on_a_saturday_is_the_coming_friday(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARD_DIALOGUE_TODAY", "2027-01-09")  # a Saturday
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("next friday")
    assert run.slots["w_review_date"] == "next friday" and run.asked == "w_going_well"


def test_a_date_corrected_two_questions_later_changes_the_date() -> None:
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("Tuesday the 19th of January")
    run.say("I got into the football academy trials and I am going on the 23rd")
    said = run.say("sorry I meant the 26th not the 19th")
    assert run.slots["w_review_date"] == "the 26th"
    assert run.slots["w_going_well"] == "I got into the football academy trials and I am going on the 23rd"
    assert run.asked == "w_not_going_well" and run.slots["w_not_going_well"] is None
    assert any("changed the date" in line for line in said)
    run.say("sorry i meant maths")  # not a date: own words at this question, nothing earlier changed
    assert run.slots["w_not_going_well"] == "sorry i meant maths" and run.slots["w_review_date"] == "the 26th"


# ---------------------------------------------------------------- found by the third frozen set's flows (w01-w40)


@pytest.mark.parametrize(("first", "correction", "stored", "told"), [
    ("21.01", "sorry the date is 20 not 21, my carer say", "20 January", "Review date: Wednesday 20 January."),
    ("21.02", "oops its the 20th not the 21st", "20 February", "Review date: Saturday 20 February."),
    ("dont know", "actually my review is on the 3rd of feb", "3rd of feb", "Review date: Wednesday 3 February."),
    ("12 march", "the date is 14 march", "14 march", "Review date: Sunday 14 March."),
])
def test_the_date_corrected_in_words_at_a_later_question(first: str, correction: str, stored: str, told: str
                                                         ) -> None:
    """w14: "21.01", an answer, then at "What is not going well?" "sorry the date is 20 not 21, my carer say": the
    date is changed (a day alone stays in its month), the child is told the day Heard read, and the question on
    screen is asked again; the next message is its answer."""
    run = FormRun("wishes_form", SIGNED_IN)
    run.say(first)
    run.say("school is ok, i have friend Kacper, we play fifa")
    said = run.say(correction)
    assert run.slots["w_review_date"] == stored and any(told in line for line in said)
    assert run.asked == "w_not_going_well" and run.slots["w_not_going_well"] is None
    run.say("i dont see my brother since november")
    assert run.slots["w_not_going_well"] == "i dont see my brother since november"
    assert run.slots["w_going_well"] == "school is ok, i have friend Kacper, we play fifa"


@pytest.mark.parametrize("answer", ["the review is too long and boring", "my review is on friday and i dont want to go",
                                    "sorry the meeting is boring"])
def test_an_answer_about_the_review_is_kept_as_the_answer(answer: str) -> None:
    run = FormRun("wishes_form", SIGNED_IN)
    run.say("21.01")
    run.say("my friends")
    run.say(answer)
    assert run.slots["w_not_going_well"] == answer and run.slots["w_review_date"] == "21.01"


@pytest.mark.parametrize(("form", "steps"), [
    ("visitor_form", ("menter", "sumone hoo can help me with colage", "skip", "that i want to be a hairdreser")),
    ("advocate_form", ("my review", "i want someone with me")),
])
@pytest.mark.parametrize(("respelling", "meant"), [("sorry its hannah with a h at the end", "Hannah"),
                                                   ("Hannah*", "Hannah"), ("oops i meant Anna", "Anna")])
def test_a_name_spelt_again_at_the_next_question(form: str, steps: tuple[str, ...], respelling: str, meant: str
                                                 ) -> None:
    """w26: "Hanna", then at "Which council looks after you?" "sorry its hannah with a h at the end": the name is
    "Hannah" (her own capital kept), she is told so, and the council is still asked."""
    run = FormRun(form, {})
    for text in steps:
        run.say(text)
    assert run.asked == "anon_name"
    run.say("Hanna")
    said = run.say(respelling)
    assert run.slots["anon_name"] == meant and any(f"Your name: {meant}." in line for line in said)
    assert run.asked == "anon_council" and run.slots["anon_council"] is None
    run.say("Norfolk")
    assert run.slots["anon_council"] == "Norfolk" and run.slots["anon_name"] == meant


def test_a_council_that_looks_like_the_name_is_still_the_council() -> None:
    run = FormRun("advocate_form", {})
    for text in ("my review", "i want someone with me", "Ellie"):
        run.say(text)
    run.say("sorry its Ely")  # a place, not a new spelling of the name
    assert run.slots["anon_name"] == "Ellie" and run.slots["anon_council"] == "sorry its Ely"
