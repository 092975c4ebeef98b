"""Issue 20, fixed from their causes (found by the personas' flows, tests/data/persona_flows): a thumbs up or down
at a yes/no question, a weekday with a day of the month, "no one" at a skippable question, "Not sure" between a
visitor and a mentor. Several phrasings each, none of them the flows' own words only (no Rasa needed)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bot.dialogue import messages, submissions
from bot.dialogue.answers import read_answer
from bot.dialogue.child_says import plain_yes_no, says_nobody
from bot.dialogue.dates import read_date

TODAY = date(2027, 1, 6)  # a Wednesday


def read(slot: str, text: str, intent: str = "inform", confidence: float = 0.5):
    return read_answer(slot, text, intent, confidence, messages.buttons(f"ask_{slot}"))


# ---------------------------------------------------------------- a thumbs up or down is a yes or a no


@pytest.mark.parametrize("text", ["👍", "👍🏽", "👍👍", " 👍 ", "✅", "✔️", "👌", "👍 thanks", "yes 👍"])
def test_a_thumbs_up_is_a_yes(text: str) -> None:
    assert plain_yes_no(text) is True
    assert (read("adv_tell_sw", text).kind, read("adv_tell_sw", text).value) == ("fill", "yes")


@pytest.mark.parametrize("text", ["👎", "👎🏻", "❌", "no 👎", "👎 no thanks"])
def test_a_thumbs_down_is_a_no(text: str) -> None:
    assert plain_yes_no(text) is False
    assert (read("adv_tell_sw", text).kind, read("adv_tell_sw", text).value) == ("fill", "no")


@pytest.mark.parametrize("text", ["👍👎", "👍 if they dont tell my carer", "👍?", "🤷", "😂", "👍 but no"])
def test_a_mixed_or_unclear_emoji_is_explained_never_guessed(text: str) -> None:
    assert plain_yes_no(text) is None
    assert read("adv_tell_sw", text).kind in ("explain", "digress")


def test_a_thumbs_up_works_at_every_yes_no_question() -> None:
    assert read("match_decision", "👍").value == "accept" and read("match_decision", "👎").value == "object"
    assert read("adv_confirm", "👍").value == "send" and read("iv_confirm", "👎").value == "change"
    assert read("cp_home", "👍").value == "yes"


# ---------------------------------------------------------------- a weekday with a day of the month


@pytest.mark.parametrize(("text", "meant"), [
    ("tuesday the 26th", date(2027, 1, 26)),
    ("Tuesday 26th", date(2027, 1, 26)),
    ("on tuesday the 26th", date(2027, 1, 26)),
    ("its on tuesday, the 26th i think", date(2027, 1, 26)),
    ("friday 12 march", date(2027, 3, 12)),
    ("Friday 12th of March", date(2027, 3, 12)),
    ("tuesday 26/1", date(2027, 1, 26)),
    ("wednesday the 13th", date(2027, 1, 13)),
    ("friday the 26th", date(2027, 2, 26)),  # the 26th that is a Friday (January's is a Tuesday)
])
def test_a_weekday_with_a_day_of_the_month_is_that_day(text: str, meant: date) -> None:
    assert read_date(text, TODAY) == meant


@pytest.mark.parametrize(("text", "meant"), [
    ("next tuesday", date(2027, 1, 12)), ("tuesday", date(2027, 1, 12)), ("tuesday 2pm", date(2027, 1, 12)),
    ("friday next week", date(2027, 1, 15)),
])
def test_a_weekday_alone_is_still_the_coming_one(text: str, meant: date) -> None:
    assert read_date(text, TODAY) == meant


def test_a_changed_date_is_read_from_the_new_words() -> None:
    assert read("w_review_date", "dont know").value == "unknown"
    assert read("w_review_date", "tuesday the 26th").value == "tuesday the 26th"
    assert submissions.parse_review_date("tuesday the 26th", TODAY) == date(2027, 1, 26)


# ---------------------------------------------------------------- "no one" at a skippable question


@pytest.mark.parametrize("text", ["no1", "no one", "No-one", "nobody", "noone", "no one thanks", "none", "nah no1"])
def test_no_one_at_a_skippable_question_is_nothing_to_add(text: str) -> None:
    assert says_nobody(text)
    assert (read("iv_known", text).kind, read("iv_known", text).value) == ("fill", "")
    assert read("w_who_at_meeting", text).value == ""


@pytest.mark.parametrize("text", ["no one listens to me", "my nan", "none of them visit", "nobody but my aunt jo"])
def test_an_answer_about_people_is_kept(text: str) -> None:
    assert not says_nobody(text)
    assert (read("iv_known", text).kind, read("iv_known", text).value) == ("fill", text)


def test_no_one_is_kept_where_the_question_cannot_be_skipped() -> None:
    assert read("anon_name", "no1").value == "no1"


# ---------------------------------------------------------------- "Not sure": a visitor or a mentor


def test_not_sure_between_a_visitor_and_a_mentor_is_sent_as_not_sure(monkeypatch) -> None:
    sent: dict[str, Any] = {}

    def request_visitor(**kwargs: Any) -> Any:
        sent.update(kwargs)
        return type("Stored", (), {"ref": None})()

    monkeypatch.setattr(submissions.child_requests, "request_visitor", request_visitor)
    for pressed, kind in (("Not sure", "not_sure"), ("mentor", "mentor"), ("visitor", "independent_visitor")):
        value = read("iv_kind", pressed).value
        submissions.submit_visitor_request("conv", {"iv_kind": value, "iv_wish": "someone funny"})
        assert sent["kind"] == kind, pressed


# ---------------------------------------------------------------- "why do u need that" is not an answer


@pytest.mark.parametrize("text", ["why do u need that", "why do you want my number", "what do you need it for",
                                  "whats that for", "why does it matter", "y do u need my number",
                                  "but why do they need to know that"])
def test_asking_why_a_question_is_asked_is_never_kept_as_the_answer(text: str) -> None:
    assert read("contact_detail", text, "nlu_fallback", 0.3).kind == "meta"
    assert read("iv_may_be_told", text, "nlu_fallback", 0.3).kind == "meta"


@pytest.mark.parametrize("text", ["why do i have to change school", "why do they keep moving me",
                                  "why does my sw never call back", "07700 900389"])
def test_a_why_about_the_childs_life_is_an_answer(text: str) -> None:
    assert (read("contact_detail", text).kind, read("adv_words", text).value) == ("fill", text)


# ---------------------------------------------------------------- asking someone to act is an answer


@pytest.mark.parametrize("text", ["can you make sure my bus pass actually happens this time",
                                  "could u get them to fix my phone", "can you tell my social worker i want to stay",
                                  "please can you ask them to let me see my brother more",
                                  "can the iro make sure i get a say about school"])
def test_asking_someone_to_do_something_at_an_open_question_is_the_answer(text: str) -> None:
    for intent in ("ask_privacy", "help", "ask_about_review", "talk_to_person"):
        assert (read("w_for_iro", text, intent, 0.9).kind, read("w_for_iro", text, intent, 0.9).value) == (
            "fill", text), intent


@pytest.mark.parametrize(("text", "intent"), [("can you explain what an iro is", "ask_about_iro"),
                                              ("who will see this", "ask_privacy"),
                                              ("can you read it out", "read_aloud"),
                                              ("can you say it simpler", "say_it_simpler")])
def test_a_question_for_heard_at_an_open_question_is_still_answered(text: str, intent: str) -> None:
    assert read("w_for_iro", text, intent, 0.9).kind == "digress"
