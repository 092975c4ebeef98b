"""Issue 20, fixed from their causes: defects found by a second writer's dev flows (tests/data/persona_flows, r01-r32).
Each cause is tested with several phrasings, not only the flow's own words (no Rasa needed)."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dialogue import forms, messages
from bot.dialogue.answers import read_answer
from bot.dialogue.child_says import is_stop_sentence
from bot.dialogue.dates import month_without_day, next_weekday_choices, read_date
from bot.dialogue.everyday import asked_for_service

TODAY = date(2027, 1, 6)  # a Wednesday


def read(slot: str, text: str, intent: str = "inform", confidence: float = 0.5):
    return read_answer(slot, text, intent, confidence, messages.buttons(f"ask_{slot}"))


# ---------------------------------------------------------------- stopping, at every kind of question


@pytest.mark.parametrize("slot, text", [
    ("cp_about_sw", "actually stop, ill talk to my key worker first"),  # yes/no, a reason after the stop
    ("adv_tell_sw", "stop. i dont want this"),
    ("adv_confirm", "no dont send it"),  # the check: a plain "no" is "change", this is a stop
    ("iv_confirm", "actually i dont want to send it anymore"),
    ("w_confirm", "dont send"),
    ("w_change", "actually stop i cba"),  # open
    ("adv_reason", "actually stop i dont want this now"),  # buttons with a sentence fallback: never "other"
    ("w_review_date", "wait stop"),
    ("w_share_with", "cancel, i changed my mind"),
])
def test_a_wish_to_stop_is_asked_about_at_every_kind_of_question(slot: str, text: str) -> None:
    assert read(slot, text).kind == "check_stop"


@pytest.mark.parametrize("slot, text, value", [
    ("w_change", "stop putting me in taxis on my own", "stop putting me in taxis on my own"),
    ("adv_tell_sw", "no i dont want that", "no"),  # a plain no, not a stop
    ("adv_tell_sw", "nah dont tell them", "no"),
    ("adv_confirm", "no", "change"),
])
def test_answers_that_mention_stopping_stay_answers(slot: str, text: str, value: str) -> None:
    outcome = read(slot, text)
    assert (outcome.kind, outcome.value) == ("fill", value)


def test_a_stop_then_a_reason_needs_the_stop_first() -> None:
    assert is_stop_sentence("stop, ill do it later")
    assert not is_stop_sentence("i go to football, stop asking")  # the first words are an answer
    assert not is_stop_sentence("stopping at my nans, its fun")


# ---------------------------------------------------------------- questions about the question are not answers


@pytest.mark.parametrize("slot, text", [
    ("anon_name", "why you need my name"),
    ("anon_name", "do i have to give my real name?"),
    ("anon_name", "do i need to tell you my name"),
    ("anon_council", "why u need that"),
    ("iv_may_be_told", "will they know why im in care?"),
    ("iv_may_be_told", "will my visitor see this"),
    ("w_for_iro", "does the iro have to read it"),
])
def test_a_question_about_the_question_is_never_saved(slot: str, text: str) -> None:
    assert read(slot, text).kind == "meta"


# ---------------------------------------------------------------- typed slips of a button


@pytest.mark.parametrize("slot, text, value", [
    ("adv_tell_sw", "not shure", "not_sure"),
    ("adv_tell_sw", "dunno", "not_sure"),
    ("adv_tell_sw", "not sure", "not_sure"),
    ("w_attend", "ill go with a advocat", "with_advocate"),
    ("w_attend", "i'll go and talk my self", "self"),
    ("anon_council", "dont know", "unknown"),
    ("anon_council", "idk", "unknown"),
    ("w_review_date", "dont no", "unknown"),
    ("w_review_date", "no clue", "unknown"),
    ("match_decision", "ok yes i like meet", "accept"),
    ("match_decision", "yes i would like to meet them", "accept"),
    ("iv_confirm", "ok send", "send"),
    ("adv_confirm", "yes send it pls", "send"),
])
def test_slips_and_extra_words_pick_the_button_meant(slot: str, text: str, value: str) -> None:
    outcome = read(slot, text)
    assert (outcome.kind, outcome.value) == ("fill", value)


@pytest.mark.parametrize("slot, text", [
    ("adv_tell_sw", "not sure if they should"),  # longer than a plain not sure: explained, never guessed
    ("iv_confirm", "no dont send"),  # both ways: asked about stopping
    ("match_decision", "yes but not him"),
])
def test_answers_that_are_not_plain_are_not_taken(slot: str, text: str) -> None:
    assert read(slot, text).kind != "fill"


# ---------------------------------------------------------------- a month is not a day


@pytest.mark.parametrize("text", ["end of january", "in march", "sometime in feb", "january"])
def test_a_month_without_a_day_is_asked_again_never_stored(text: str) -> None:
    assert read_date(text, TODAY) is None
    assert month_without_day(text)
    assert read("w_review_date", text).kind == "date_needs_day"


@pytest.mark.parametrize("text, day", [("28 january", date(2027, 1, 28)), ("mar 3", date(2027, 3, 3)),
                                       ("friday 12 march", date(2027, 3, 12))])
def test_a_day_with_its_month_is_still_a_date(text: str, day: date) -> None:
    assert read_date(text, TODAY) == day


def test_words_that_only_contain_a_month_are_not_months() -> None:
    assert not month_without_day("i decided")
    assert not month_without_day("my marks")


# ---------------------------------------------------------------- a short answer is not a request to Heard


@pytest.mark.parametrize("slot, text, intent", [
    ("cp_wants", "video call with grandmother every sunday", "talk_to_person"),
    ("iv_may_be_told", "that i like lego", "say_it_simpler"),
])
def test_a_short_answer_the_classifier_takes_for_a_request_is_kept(slot: str, text: str, intent: str) -> None:
    outcome = read(slot, text, intent, 0.8)
    assert (outcome.kind, outcome.value) == ("fill", text)


@pytest.mark.parametrize("text, intent", [("talk to a person", "talk_to_person"),
                                          ("easier words pls", "say_it_simpler"), ("read it out", "read_aloud")])
def test_a_short_request_to_heard_still_interrupts_an_open_question(text: str, intent: str) -> None:
    assert read("cp_wants", text, intent, 0.8).kind == "digress"


# ---------------------------------------------------------------- a request in words outside a form


@pytest.mark.parametrize("text, intent", [
    ("can i have an advocate", "request_advocate"),
    ("i need an advocate because im 17 and leaving care soon", "request_advocate"),
    ("hi i want an advocat pls", "request_advocate"),
    ("can i get a mentor, someone into boxing", "request_visitor"),
    ("i want a visiter", "request_visitor"),
    ("i want to complain about my placement", "make_complaint"),
])
def test_a_plain_request_in_words_is_that_request(text: str, intent: str) -> None:
    assert asked_for_service(text) == intent


@pytest.mark.parametrize("text", ["what is an advocate", "is an advocate free", "my advocate is nice",
                                  "i want to talk to my advocate", "i want a later bedtime", "i miss my mentor"])
def test_questions_and_mentions_are_not_requests(text: str) -> None:
    assert asked_for_service(text) is None


# ---------------------------------------------------------------- what a first message says


@pytest.mark.parametrize("text", ["i want to tell my review that i want a dog 🐶",
                                  "tell my review i want to see my dad more"])
def test_a_first_message_with_a_short_wish_says_more(text: str) -> None:
    from bot.dialogue.answers import says_more

    assert says_more(text)


@pytest.mark.parametrize("text", ["i want to fill in my review thing", "can i fill out the form for my review",
                                  "i want to start my review questions now"])
def test_a_first_message_about_the_form_itself_says_nothing_more(text: str) -> None:
    from bot.dialogue.answers import says_more

    assert not says_more(text)


# ---------------------------------------------------------------- a date is read back as the day understood


def test_the_check_reads_a_date_back_as_the_day_heard_understood(monkeypatch: pytest.MonkeyPatch) -> None:
    """"next friday" said on a Wednesday could be either Friday: the check shows which day Heard took, so the child
    can change it (issue 20: nothing twisted without the child seeing it)."""
    from bot.dialogue.forms import show_date

    monkeypatch.setenv("HEARD_DIALOGUE_TODAY", TODAY.isoformat())
    assert show_date("next friday") == "Friday 15 January (next friday)"
    assert show_date("the 20th") == "Wednesday 20 January (the 20th)"
    assert show_date("unknown") == "I don't know"
    assert show_date("Friday 15 January") == "Friday 15 January"


# ---------------------------------------------------------------- found by the third writer's flows (s01-s32)


@pytest.mark.parametrize("text", ["can i skip this", "skip pls", "can i skip this one", "pass"])
def test_asking_to_skip_a_question_that_may_be_skipped_skips_it(text: str) -> None:
    outcome = read("adv_words", text)
    assert (outcome.kind, outcome.value) == ("fill", "")


@pytest.mark.parametrize("slot, text, value", [
    ("cp_home", "no im in supported lodgings", "no"),
    ("cp_home", "no it is foster", "no"),
    ("cp_about_sw", "yes its about her", "yes"),
    ("cp_about_sw", "yes its my social worker", "yes"),
])
def test_a_plain_yes_or_no_with_a_fact_after_it_is_that_answer(slot: str, text: str, value: str) -> None:
    outcome = read(slot, text)
    assert (outcome.kind, outcome.value, dict(outcome.also)) == ("fill", value, {})


@pytest.mark.parametrize("slot, text", [("adv_tell_sw", "yes he knows already"), ("adv_tell_sw", "no he shouts"),
                                        ("cp_advocate", "yes she was nice last time")])
def test_a_consent_is_never_read_from_a_sentence(slot: str, text: str) -> None:
    assert read(slot, text).kind == "explain"


@pytest.mark.parametrize("slot, text", [("adv_tell_sw", "yes if he doesnt tell my carer"),
                                        ("adv_tell_sw", "yes but not my mum"), ("cp_home", "no wait yes it is")])
def test_a_yes_or_no_that_hedges_is_explained(slot: str, text: str) -> None:
    assert read(slot, text).kind == "explain"


def test_what_a_word_of_the_question_means_is_explained_by_the_question() -> None:
    assert read("cp_home", "what is childrens home", "ask_about_visitor", 0.9).kind == "explain"


@pytest.mark.parametrize("text, value", [("nobody lissens to me", "listened_to"),
                                         ("meeting for keep me safe", "cp_conference")])
def test_a_sentence_that_only_says_a_button_keeps_no_words(text: str, value: str) -> None:
    outcome = read("adv_reason", text)
    assert (outcome.kind, outcome.value, dict(outcome.also)) == ("fill", value, {})


def test_a_sentence_that_says_more_than_a_button_keeps_the_words() -> None:
    text = "my review, cos nobody asks me about moving school"
    outcome = read("adv_reason", text)
    assert (outcome.kind, outcome.value, dict(outcome.also)) == ("fill", "review", {"adv_words": text})


@pytest.mark.parametrize("text, fix", [("sorry i meant tuesday", "tuesday"), ("oops i meant 2", "2"),
                                       ("i meant the 14th", "the 14th")])
def test_a_short_correction_names_the_answer_meant(text: str, fix: str) -> None:
    from bot.dialogue.child_says import correction_of

    assert correction_of(text) == fix


@pytest.mark.parametrize("text", ["i mean i like school but the food at lunch is bad", "tuesday", "i meant it"])
def test_an_answer_is_not_a_correction(text: str) -> None:
    from bot.dialogue.child_says import correction_of

    assert correction_of(text) in (None, "it")


@pytest.mark.parametrize("text", ["both", "both of them pls", "Both!", "i want both"])
def test_both_at_who_can_see_it_is_the_two_the_question_names(text: str) -> None:
    outcome = read("w_share_with", text)
    assert (outcome.kind, sorted(outcome.value)) == ("fill", ["iro", "social_worker"])


def test_both_with_someone_else_named_is_not_guessed() -> None:
    assert read("w_share_with", "both my mum and dad").kind == "explain"


@pytest.mark.parametrize("slot, text, kind", [("contact_how", "what is safe mean", "explain"),
                                              ("contact_how", "whats safely", "explain"),
                                              ("contact_when", "what does that mean", "meta")])
def test_what_a_word_means_at_an_open_question_is_never_the_answer(slot: str, text: str, kind: str) -> None:
    assert read(slot, text).kind == kind


# ---------------------------------------------------------------- found by the fourth writer's flows (t01-t30)


@pytest.mark.parametrize("slot, text", [("contact_how", "this is so annoying wtf how many more questions"),
                                        ("w_who_at_meeting", "hmm"), ("w_not_going_well", "..."),
                                        ("cp_wants", "what will they do with it")])
def test_fillers_and_frustration_are_not_answers(slot: str, text: str) -> None:
    assert read(slot, text).kind == "meta"


def test_frustration_with_an_answer_in_it_is_the_answer() -> None:
    text = "this is so annoying but i want my phone back at night"
    assert read("w_change", text).kind == "meta" or read("w_change", text).value == text


@pytest.mark.parametrize("slot, text, value", [("match_decision", "da yes", "accept"),
                                               ("cp_advocate", "ji yes", "yes"), ("iv_confirm", "sim, yes", "send"),
                                               ("cp_home", "no, foster", "no"), ("cp_home", "nu", "no")])
def test_yes_and_no_in_a_first_language_count(slot: str, text: str, value: str) -> None:
    outcome = read(slot, text)
    assert (outcome.kind, outcome.value) == ("fill", value)


@pytest.mark.parametrize("slot, text, value", [("w_attend", "i dont no", None), ("iv_kind", "dont know", "not_sure")])
def test_dont_know_at_a_buttons_question_is_never_a_no(slot: str, text: str, value: str | None) -> None:
    outcome = read(slot, text)
    assert (outcome.kind, outcome.value) == (("fill", value) if value else ("invalid", None))


@pytest.mark.parametrize("text, value", [("i go and talk", "self"), ("i want to go", None)])
def test_a_typed_title_never_drops_or_adds_a_negation(text: str, value: str | None) -> None:
    outcome = read("w_attend", text)
    assert outcome.value == value  # "i want to go" is never "I don't want to go"


def test_a_button_pasted_twice_is_the_button() -> None:
    outcome = read("contact_when", "after school after school")
    assert (outcome.kind, outcome.value) == ("fill", "after_school")
    assert read("contact_when", "after school on tuesdays").value == "after school on tuesdays"


@pytest.mark.parametrize("text, day", [("the 28 i think", date(2027, 1, 28)), ("maybe the 14th", date(2027, 1, 14))])
def test_a_date_with_a_hedge_is_the_date(text: str, day: date) -> None:
    assert read_date(text, TODAY) == day


def test_a_question_at_a_buttons_question_gets_that_questions_help() -> None:
    assert read("iv_kind", "whats the diffrence").kind == "explain"
    assert messages.render("explain_iv_kind")["text"].startswith("A visitor is a grown-up friend")


# ---------------------------------------------------------------- a fifth writer's dev flows (u01-u36)


@pytest.mark.parametrize("slot, text", [("iv_may_be_told", "u there"), ("w_change", "you still there?"),
                                        ("adv_words", "hello are u there"), ("anon_name", "anyone there")])
def test_asking_whether_heard_is_there_is_not_an_answer(slot: str, text: str) -> None:
    assert read(slot, text).kind == "meta"


@pytest.mark.parametrize("slot, text, value", [("iv_may_be_told", "i like being there", "i like being there"),
                                               ("w_change", "i want to stay there", "i want to stay there")])
def test_there_in_an_answer_is_still_an_answer(slot: str, text: str, value: str) -> None:
    outcome = read(slot, text)
    assert (outcome.kind, outcome.value) == ("fill", value)


@pytest.mark.parametrize("text, day", [("twenty first of january", date(2027, 1, 21)), ("the third", date(2027, 2, 3)),
                                       ("third of march", date(2027, 3, 3)), ("tuesday the twenty sixth",
                                                                              date(2027, 1, 26)),
                                       ("the thirty-first", date(2027, 1, 31)), ("first of feb i think",
                                                                                 date(2027, 2, 1))])
def test_a_day_written_in_words_is_that_day(text: str, day: date) -> None:
    assert read_date(text, TODAY) == day


@pytest.mark.parametrize("text", ["my first review", "first week of may", "the second time", "thirty second"])
def test_ordinal_words_that_are_not_a_day_are_not_a_date(text: str) -> None:
    assert not isinstance(read_date(text, TODAY), date)


# ---------------------------------------------------------------- a sixth writer's dev flows (v01-v36)


@pytest.mark.parametrize("text, how, number", [
    ("text me on 07700 900810", "text", "07700 900810"),
    ("call me 07700900810 after 4", "phone", "07700900810"),
    ("ring +44 7700 900810", "phone", "+44 7700 900810"),
    ("email me at sam.k@example.org", "other", "sam.k@example.org"),
])
def test_a_way_to_reach_me_with_the_number_gives_both_answers(text: str, how: str, number: str) -> None:
    outcome = read("contact_how", text)
    assert (outcome.kind, outcome.value, dict(outcome.also)) == ("fill", how, {"contact_detail": number})


@pytest.mark.parametrize("text", ["text me but my number changes a lot", "text me on my 2 phones 07700 900810 or "
                                  "07700 900811"])
def test_no_single_number_leaves_the_number_to_be_asked(text: str) -> None:
    assert "contact_detail" not in read("contact_how", text).also


@pytest.mark.parametrize("slot", ["adv_change_which", "iv_change_which", "cp_change_which", "w_change_which"])
@pytest.mark.parametrize("text", ["no is ok, all is good, no change", "nothing", "no", "its fine", "never mind",
                                  "Nothing to change"])
def test_nothing_to_change_at_the_check_goes_back_to_it(slot: str, text: str) -> None:
    assert read(slot, text).value == "nothing"


def test_an_answer_named_at_the_which_question_is_still_that_answer() -> None:
    assert read("w_change_which", "no the date").value == "w_review_date"


@pytest.mark.parametrize("text, readers", [("the review lady and my sw", ["social_worker", "iro"]),
                                           ("just the review man", ["iro"]),
                                           ("the lady who runs the review", ["iro"])])
def test_the_person_who_runs_the_review_is_the_iro(text: str, readers: list[str]) -> None:
    assert read("w_share_with", text).value == readers


@pytest.mark.parametrize("slot, payload, value", [
    ("adv_change_which", '/inform{"choice":"contact_when"}', "contact_when"),
    ("w_change_which", '/inform{"choice":"w_attend"}', "w_attend"),
    ("w_change_which", '/inform{"choice":"nothing"}', "nothing"),
])
def test_a_pressed_which_answer_button_is_that_answer(slot: str, payload: str, value: str) -> None:
    # The buttons the child was shown: one per answer read back (actions.forms.change_which_buttons), then the
    # question's own ("Nothing to change").
    form = "advocate_form" if slot.startswith("adv_") else "wishes_form"
    slots = {"adv_reason": "review", "contact_how": "text", "contact_when": "after_school", "adv_tell_sw": "yes"}
    shown = [{"title": label, "payload": '/inform{"choice":"' + name + '"}'}
             for name, label in forms.change_choices(form, slots)] + messages.buttons(f"ask_{slot}")
    assert read_answer(slot, payload, "inform", 0.5, shown).value == value
    assert read_answer(slot, '/inform{"choice":"child_id"}', "inform", 0.5, shown).kind == "invalid"


@pytest.mark.parametrize("text, day", [
    ("I think its on the 3rd feb but they have changed it once already so it might move again. It was meant to be "
     "before Christmas.", date(2027, 2, 3)),
    ("its on the twenty first of january i think at my school", date(2027, 1, 21)),
    ("my social worker said it will be on january 28th in the afternoon at the office", date(2027, 1, 28)),
])
def test_one_day_and_month_in_a_long_message_is_that_date(text: str, day: date) -> None:
    assert read_date(text, TODAY) == day


@pytest.mark.parametrize("text", ["it was on 3 march but they moved it to the 10th of april and nobody told me why",
                                  "i went to my nans on the 12 and it was really good fun with my cousins",
                                  "I want to see my mum more and have my phone until ten at night please"])
def test_a_long_message_without_one_clear_day_and_month_is_not_a_date(text: str) -> None:
    assert not isinstance(read_date(text, TODAY), date)


@pytest.mark.parametrize("slot, text, value", [
    ("match_decision", "no, i want somebody who speak tigrinya or amharic", "object"),
    ("cp_about_sw", "no, is about the council. she is new she is ok", "no"),
    ("cp_home", "yes is children home", "yes"),
])
def test_a_yes_or_no_then_a_statement_without_it_is_that_answer(slot: str, text: str, value: str) -> None:
    assert read(slot, text).value == value


@pytest.mark.parametrize("slot, text", [("match_decision", "no or yes idk"), ("cp_home", "yes or no"),
                                        ("match_decision", "no, is he nice"), ("cp_about_sw", "yes but is that bad")])
def test_a_yes_or_no_that_hedges_or_asks_is_not_an_answer(slot: str, text: str) -> None:
    assert read(slot, text).kind != "fill"


@pytest.mark.parametrize("text, days", [
    ("next friday", (date(2027, 1, 8), date(2027, 1, 15))),
    ("next thursday i think", (date(2027, 1, 7), date(2027, 1, 14))),
    ("on next sunday morning", (date(2027, 1, 10), date(2027, 1, 17))),
])
def test_next_weekday_later_this_week_offers_both_weeks(text: str, days: tuple[date, date]) -> None:
    assert next_weekday_choices(text, TODAY) == days


@pytest.mark.parametrize("text", ["next monday", "next wednesday", "friday", "this friday", "next week",
                                  "next friday or the one after"])
def test_a_weekday_that_is_not_in_doubt_is_not_offered_twice(text: str) -> None:
    assert next_weekday_choices(text, TODAY) is None


# ---------------------------------------------------------------- s10, v12: the last two dev flows' causes


@pytest.mark.parametrize("text", ["pls read all of it", "make sure she reads everything", "read it all properly",
                                  "i want them to read the whole thing"])
def test_asking_the_reader_to_read_everything_is_an_answer_not_a_wish_for_audio(text: str) -> None:
    outcome = read("w_for_iro", text, "read_aloud", 0.9)
    assert (outcome.kind, outcome.value) == ("fill", text)


@pytest.mark.parametrize("text", ["read it to me", "read it all out loud", "can you read everything to me",
                                  "i cant read all of it"])
def test_asking_for_audio_at_an_open_question_is_still_a_digression(text: str) -> None:
    assert read("w_for_iro", text, "read_aloud", 0.9).kind == "digress"


@pytest.mark.parametrize("text", ["know thats all", "know thanks", "know thank you"])
def test_voice_to_text_know_for_no_is_a_no(text: str) -> None:
    outcome = read("w_for_iro", text)
    assert (outcome.kind, outcome.value) == ("fill", "")  # skippable: a short no is a skip


@pytest.mark.parametrize("text", ["know what i mean", "i know", "know"])
def test_know_in_other_words_is_not_a_no(text: str) -> None:
    assert read("w_for_iro", text).value != ""


@pytest.mark.parametrize("intent", ["ask_privacy", "help", "talk_to_person"])
@pytest.mark.parametrize("text", ["what happens if i say yes", "what if i say no", "wat does yes mean",
                                  "if i press yes who gets told", "what happens after"])
def test_a_question_about_what_an_answer_does_is_explained_whatever_the_classifier_says(text: str,
                                                                                         intent: str) -> None:
    assert read("adv_tell_sw", text, intent, 0.95).kind == "explain"


def test_a_privacy_question_at_a_consent_question_is_still_a_digression() -> None:
    assert read("adv_tell_sw", "who can read this", "ask_privacy", 0.95).kind == "digress"
