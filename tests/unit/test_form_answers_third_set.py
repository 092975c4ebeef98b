"""Issue 20, fixed from their causes after the third frozen set (w01-w40) moved to the development flows on 2 December
2026 (tests/data/persona_flows/README.md): a way to be reached asked for beside a word said in passing, a request
opened with hello in the child's first language, a month spelt as it sounds and a day.month date, "no I don't know
anyone" where a skip is offered, a question of fact answered by naming it the other way, a person asked for at the
offer of one, and the corrections read at a later question (the form action: tests/integration/
test_form_corrections.py). Several phrasings each, not only the flows' own words (no Rasa needed)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue import corrections, dates, everyday, forms, messages
from bot.dialogue.answers import first_answers, match_choice, read_answer
from bot.dialogue.child_says import says_nobody

TODAY = date(2027, 1, 6)  # a Wednesday, the flows' reference day


@pytest.fixture(autouse=True)
def reference_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEARD_DIALOGUE_TODAY", TODAY.isoformat())


def read(slot: str, text: str, intent: str = "inform", confidence: float = 0.5):
    return read_answer(slot, text, intent, confidence, messages.buttons(f"ask_{slot}"))


# ---------------------------------------------------------------- a way asked for, beside a word said in passing


@pytest.mark.parametrize(("text", "way", "detail"), [
    ("You can text me, my number is 07700 900214. It's my own phone so nobody else reads it.", "text",
     "07700 900214"),
    ("text me on my phone 07700900111", "text", "07700900111"),
    ("no phone calls pls, text me on 07700 900555", "text", "07700 900555"),
    ("call me 07700 900387", "phone", "07700 900387"),
    ("ring me on 07700 900123, my carer doesnt read texts", "phone", "07700 900123"),
])
def test_the_way_asked_for_wins_over_a_word_said_in_passing(text: str, way: str, detail: str) -> None:
    outcome = read("contact_how", text)
    assert (outcome.kind, outcome.value, dict(outcome.also)) == ("fill", way, {"contact_detail": detail})


@pytest.mark.parametrize("text", ["text me, dont phone me", "dont text me, phone me", "please dont ever call me"])
def test_a_way_the_child_does_not_want_is_never_picked(text: str) -> None:
    assert read("contact_how", text).value == text  # a way said with "not": their words, for a person to read


def test_not_at_a_buttons_question_is_part_of_the_answer() -> None:
    assert read("adv_reason", "they dont listen to me").value == "listened_to"


def test_the_call_back_reads_the_way_asked_for_too() -> None:
    buttons = messages.buttons("ask_cb_how")
    assert match_choice("cb_how", "text me please its my own phone", buttons, negatable=True) == "text"
    assert match_choice("cb_how", "dont text me, ring me", buttons, negatable=True) == "phone"


# ---------------------------------------------------------------- hello in the child's first language


@pytest.mark.parametrize(("text", "intent"), [
    ("salam, i need advocat. social worker not listen me about my age", "request_advocate"),
    ("hola i want a visitor who speaks spanish", "request_visitor"),
    ("bonjour, can i have an advocate please", "request_advocate"),
    ("merhaba i want to complain about my placement", "make_complaint"),
    ("hi salaam i need someone on my side", "request_advocate"),
])
def test_a_request_opened_with_hello_in_another_language_is_the_request(text: str, intent: str) -> None:
    assert everyday.asked_for_service(text) == intent


def test_the_whole_first_message_is_kept_and_its_reason_read() -> None:
    text = ("salam, i need advocat. social worker not listen me about my age, she say i am 18 but i am 16. zama mor "
            "know my birthday")
    assert first_answers("adv_words", "adv_reason", text, messages.buttons("ask_adv_reason")) == {
        "adv_reason": "listened_to", "adv_words": text}


@pytest.mark.parametrize("text", ["salam", "hola what is an advocate", "bonjour"])
def test_a_greeting_alone_or_a_question_is_no_request(text: str) -> None:
    assert everyday.asked_for_service(text) is None


# ---------------------------------------------------------------- dates: a month spelt as it sounds, day.month


@pytest.mark.parametrize(("text", "day"), [
    ("febuary 9", date(2027, 2, 9)), ("9 feburary", date(2027, 2, 9)), ("the 9th of ferbuary", date(2027, 2, 9)),
    ("janurary 20", date(2027, 1, 20)), ("3rd septmber", date(2027, 9, 3)), ("12 decmber", date(2027, 12, 12)),
    ("agust 1st", date(2027, 8, 1)), ("Febuary 9th i think", date(2027, 2, 9)),
])
def test_a_month_spelt_as_it_sounds_is_that_month(text: str, day: date) -> None:
    assert dates.read_date(text, TODAY) == day


@pytest.mark.parametrize(("text", "day"), [
    ("21.02", date(2027, 2, 21)), ("21.01", date(2027, 1, 21)), ("9.12", date(2027, 12, 9)),
    ("21.02.2027", date(2027, 2, 21)),
])
def test_a_day_and_month_with_a_dot_is_day_then_month(text: str, day: date) -> None:
    assert dates.read_date(text, TODAY) == day


@pytest.mark.parametrize("text", ["end of febuary", "sometime in janurary"])
def test_a_misspelt_month_without_a_day_asks_which_day(text: str) -> None:
    assert dates.month_without_day(text) and read("w_review_date", text).kind == "date_needs_day"


@pytest.mark.parametrize("text", ["remember", "member", "marshmallow", "summer"])
def test_words_like_a_month_are_not_months(text: str) -> None:
    assert dates.months_spelt_right(text) == text


# ---------------------------------------------------------------- nobody, said with "anyone"


@pytest.mark.parametrize("text", ["no I don't know anyone", "i dont know anyone", "not anyone really",
                                  "no, i dont have anyone", "no one at all", "nobody"])
def test_no_one_said_with_anyone_where_a_skip_is_offered_is_the_skip(text: str) -> None:
    assert says_nobody(text)
    for slot in ("iv_known", "w_who_at_meeting"):
        assert (read(slot, text).kind, read(slot, text).value) == ("fill", ""), slot


@pytest.mark.parametrize("text", ["do you know anyone", "anyone kind", "my nan but she is old",
                                  "i dont know if anyone would want to", "yes i know someone"])
def test_anyone_without_a_no_is_not_nobody(text: str) -> None:
    assert not says_nobody(text)


# ---------------------------------------------------------------- a question of fact answered by naming it


@pytest.mark.parametrize(("slot", "text", "value"), [
    ("cp_about_sw", "not my social worker, is about transport", "no"),
    ("cp_about_sw", "nothing to do with my sw", "no"),
    ("cp_about_sw", "its about my social worker", "yes"),
    ("cp_home", "its not a childrens home, im in foster care", "no"),
    ("cp_home", "i dont live in a childrens home", "no"),
])
def test_a_fact_said_in_words_that_name_it_answers_its_question(slot: str, text: str, value: str) -> None:
    outcome = read(slot, text, "make_complaint", 0.61)
    assert (outcome.kind, outcome.value) == ("fill", value)


@pytest.mark.parametrize(("slot", "text"), [
    ("cp_about_sw", "my social worker told me to complain"),  # named, not said to be what it is about
    ("cp_about_sw", "not just my social worker"),
    ("cp_about_sw", "maybe not my social worker"),
    ("cp_about_sw", "is it about my social worker?"),
    ("cp_home", "i live in a childrens home but its about school"),
    ("adv_tell_sw", "not my social worker"),  # a consent is never read from a sentence
])
def test_a_fact_named_unclearly_or_a_consent_is_explained(slot: str, text: str) -> None:
    assert read(slot, text, "make_complaint", 0.61).kind in ("explain", "digress")


# ---------------------------------------------------------------- a person asked for at the offer of one


@pytest.mark.parametrize(("text", "confidence"), [
    ("can someone call me", 0.91), ("yes can someone call me", 0.92), ("i want to talk to someone", 0.97),
    ("call me", 0.79), ("can i talk to a person please", 0.98)])
def test_asking_for_a_person_at_the_offer_of_one_is_its_yes(text: str, confidence: float) -> None:
    outcome = read(forms.CALL_BACK_OFFER.slot, text, "talk_to_person", confidence)
    assert (outcome.kind, outcome.value) == ("fill", "yes")


@pytest.mark.parametrize("text", ["can someone call me tomorrow", "who will call me", "maybe talk to someone later",
                                  "no i dont want to talk to anyone", "not sure if i want to talk to someone"])
def test_later_no_or_a_question_is_not_a_yes(text: str) -> None:
    assert read(forms.CALL_BACK_OFFER.slot, text, "talk_to_person", 0.9).value != "yes"


def test_a_request_for_a_person_is_a_yes_only_where_a_person_is_offered() -> None:
    assert read("adv_tell_sw", "can someone call me", "talk_to_person", 0.9).kind == "digress"


# ---------------------------------------------------------------- corrections read at a later question


@pytest.mark.parametrize(("text", "earlier", "corrected"), [
    ("sorry the date is 20 not 21, my carer say", "21.01", "20 January"),
    ("sorry the date is 20 not 21", "21.02", "20 February"),  # a day alone stays in its month
    ("oops its the 14th not the 21st", "the 21st", "14 January"),
    ("the date is the 20th", "21 feb", "20 February"),
    ("actually my review is next week not this week", "dont know", "next week"),
])
def test_a_date_corrected_at_a_later_question(text: str, earlier: str, corrected: str) -> None:
    slots = {"child_id": "c1", "w_review_date": earlier, "w_going_well": "school"}
    assert corrections.date_corrections("wishes_form", "w_not_going_well", text, slots) == {
        "w_review_date": corrected}


@pytest.mark.parametrize("text", [
    "i dont see my brat (brother) since november", "sorry the meeting is boring",
    "my review is on friday and i dont want to go", "the date is the 20th, and school is bad",
    "the review is too long", "wait its on 3 feb?"])
def test_an_answer_that_mentions_a_date_or_the_review_is_no_correction(text: str) -> None:
    slots = {"child_id": "c1", "w_review_date": "21.01", "w_going_well": "school"}
    assert corrections.date_corrections("wishes_form", "w_not_going_well", text, slots) == {}


@pytest.mark.parametrize(("answer", "text", "respelt"), [
    ("Hanna", "sorry its hannah with a h at the end", "Hannah"),
    ("Hanna", "Hannah*", "Hannah"),
    ("Hanna", "oops i meant Anna", "Anna"),
    ("Sam Jnes", "sorry its jones", "Sam Jones"),
    ("Norfok", "sorry norfolk", "Norfolk"),
    ("mohamed", "its spelt mohammed", "mohammed"),
])
def test_a_name_or_place_spelt_again(answer: str, text: str, respelt: str) -> None:
    assert corrections.respelt(text, answer) == respelt


@pytest.mark.parametrize(("answer", "text"), [
    ("Ellie", "sorry its Ely"),  # a new word, not a new spelling
    ("Hanna", "Norfolk"), ("Hanna", "hannah"),  # no word that says it corrects anything
    ("Leeds", "sorry its leeds"),  # the same
    ("Kai", "sorry, kent"),
])
def test_a_new_answer_is_not_a_spelling(answer: str, text: str) -> None:
    assert corrections.respelt(text, answer) is None


def test_only_a_name_or_place_just_given_is_spelt_again() -> None:
    slots = {"anon_name": "Hanna", "iv_wish": "Hanna"}
    text = "sorry its hannah"
    assert corrections.spelling_corrections("anon_name", text, slots) == {"anon_name": "Hannah"}
    assert corrections.spelling_corrections("iv_wish", text, slots) == {}  # the child's own words: at the check
    assert corrections.spelling_corrections(None, text, slots) == {}
