"""Issue 20: forms never lose or twist a child's words. How each kind of question hears a typed answer
(no Rasa needed); the phrasings written by someone who did not write the code are in
tests/unit/test_form_phrasings.py."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue import forms, messages
from bot.dialogue.answers import PREVIOUS_WORDS, first_answers, read_answer, says_more
from bot.dialogue.child_says import plain_yes_no
from bot.dialogue.dates import UNKNOWN, read_date
from bot.dialogue.forms import remembered, slots_to_clear


def buttons(slot: str) -> list[dict]:
    return messages.buttons(f"ask_{slot}")


def read(slot: str, text: str, intent: str = "inform", confidence: float = 0.5):
    return read_answer(slot, text, intent, confidence, buttons(slot))


@pytest.mark.parametrize("text", ["what happens if i say yes", "yes if they dont tell my carer", "yes and no",
                                  "will they be cross?", "ok but why", "i dont know yet"])
def test_a_question_or_a_condition_is_never_consent(text: str) -> None:
    out = read("adv_tell_sw", text)
    assert out.kind in ("explain", "digress") and out.value is None


@pytest.mark.parametrize(("text", "value"), [("yes", "yes"), ("yeah thats fine", "yes"), ("ok then", "yes"),
                                             ("nah", "no"), ("no thanks", "no"), ("no please dont", "no"),
                                             ("1", "yes"), ("2", "no"), ("Not sure", "not_sure")])
def test_a_plain_yes_or_no_is_heard(text: str, value: str) -> None:
    out = read("adv_tell_sw", text)
    assert (out.kind, out.value) == ("fill", value)


def test_not_sure_says_what_it_does() -> None:
    out = read("adv_tell_sw", "not sure")
    assert out.value == "not_sure" and out.note == "not_sure_tell_sw"
    assert "will not tell" in messages.render("not_sure_tell_sw")["text"]


def test_plain_yes_no() -> None:
    assert plain_yes_no("yep") is True and plain_yes_no("nope") is False
    assert plain_yes_no("yes?") is None and plain_yes_no("yes no") is None and plain_yes_no("my dog") is None


def test_a_match_is_never_accepted_or_refused_by_a_guess() -> None:
    assert read("match_decision", "i like the sound of her but what if i dont").kind == "explain"
    assert read("match_decision", "no thank you").value == "object"
    assert read("match_decision", "yes please").value == "accept"


@pytest.mark.parametrize("text", ["i told you", "i already said", "i literally just told u", "why",
                                  "what do you mean", "are you even reading this", "hello??", "is anyone there"])
def test_an_open_question_does_not_keep_a_meta_answer(text: str) -> None:
    assert read("adv_words", text).kind == "meta"


@pytest.mark.parametrize("text", ["actually stop i dont want it", "cancel that", "i changed my mind", "forget it"])
def test_a_stop_sentence_at_an_open_question_is_asked_about_not_kept(text: str) -> None:
    assert read("anon_council", text).kind == "check_stop"


@pytest.mark.parametrize("text", ["i want them to stop moving me", "my carer told me i cant see my brother",
                                  "why do i have to change school", "they cancelled my contact with mum"])
def test_real_answers_with_those_words_are_kept(text: str) -> None:
    assert (read("adv_words", text).kind, read("adv_words", text).value) == ("fill", text)


def test_previous_words_button_fills_open_questions_only() -> None:
    assert read("adv_words", '/inform{"choice":"previous_words"}').value == PREVIOUS_WORDS
    assert read("adv_reason", '/inform{"choice":"previous_words"}').kind == "invalid"


@pytest.mark.parametrize(("text", "kind"), [("12th march", "fill"), ("next tuesday", "fill"), ("the 9th", "fill"),
                                            ("idk", "fill"), ("ya", "not_a_date"),
                                            ("apparently. nobody tells me anything", "not_a_date")])
def test_only_a_date_is_kept_as_the_review_date(text: str, kind: str) -> None:
    assert read("w_review_date", text).kind == kind


def test_dates() -> None:
    today = date(2026, 11, 30)
    assert read_date("12th march", today) == date(2027, 3, 12)
    assert read_date("2026-12-09", today) == date(2026, 12, 9)
    assert read_date("next week", today) == date(2026, 12, 7)
    assert read_date("the 9th", today) == date(2026, 12, 9)
    assert read_date("dunno", today) == UNKNOWN
    assert read_date("ya", today) is None and read_date("31/02", today) is None


def test_the_first_message_keeps_what_it_says() -> None:
    text = "i want an advocate cos nobody listens to me about moving school"
    assert first_answers("adv_words", "adv_reason", text, buttons("adv_reason")) == {
        "adv_reason": "listened_to", "adv_words": text}
    assert first_answers("adv_words", "adv_reason", "can i get an advocate please", buttons("adv_reason")) == {}
    assert first_answers("adv_words", "adv_reason", "an advocate for my review pls", buttons("adv_reason")) == {
        "adv_reason": "review"}
    assert first_answers("iv_wish", "iv_kind", "i want a mentor who likes art", buttons("iv_kind")) == {
        "iv_kind": "mentor", "iv_wish": "i want a mentor who likes art"}
    assert not says_more("/request_advocate") and not says_more("hiya can i get an advokate")


def test_name_council_and_contact_are_not_asked_again_in_one_conversation() -> None:
    slots = {"anon_name": "Sam", "anon_council": "Leeds", "contact_how": "text", "adv_words": "x"}
    assert remembered(slots) == {"anon_name": "Sam", "anon_council": "Leeds", "contact_how": "text"}
    # Only what the next form really uses again: the call-back form asks for a safe way to reach the child.
    assert remembered(slots, "callback_form") == {"anon_name": "Sam"}
    assert remembered(slots, "visitor_form") == {k: v for k, v in remembered(slots).items()
                                                 if k in forms.FORMS["visitor_form"].slots}
    kept = slots_to_clear("visitor_form", keep_remembered=True)
    assert "anon_name" not in kept and "iv_wish" in kept
    assert "anon_name" in slots_to_clear("visitor_form")
