"""Issue 20, fixed from their causes after the second frozen set (q01-q36) moved to the development flows on
2 December 2026 (tests/data/persona_flows/README.md): a meta answer at a buttons question, "nah nothing" where a
skip is offered, a stop after "hold on", "dont send it yet", "both" with words around it, a reader's name spelt as
it sounds. Several phrasings each, not only the flows' own words (no Rasa needed)."""

from __future__ import annotations

import pytest

from bot.dialogue import messages
from bot.dialogue.answers import read_answer
from bot.dialogue.child_says import is_stop_sentence, says_nothing


def read(slot: str, text: str, intent: str = "inform", confidence: float = 0.5):
    return read_answer(slot, text, intent, confidence, messages.buttons(f"ask_{slot}"))


@pytest.mark.parametrize("text", ["are you even listening i said advocate", "r u even reading this",
                                  "i already told you", "hello?? are you there", "you are not listening"])
def test_a_meta_answer_at_a_buttons_question_picks_no_button(text: str) -> None:
    assert read("adv_reason", text).kind == "meta"


@pytest.mark.parametrize("text", ["nobody listens to me", "my review", "i want someone to listen to me"])
def test_an_answer_at_a_buttons_question_is_still_read(text: str) -> None:
    assert read("adv_reason", text).kind == "fill"


@pytest.mark.parametrize("text", ["nah nothing", "nothing really", "nothin", "no nothing thanks", "nowt"])
def test_nothing_where_a_skip_is_offered_is_the_skip(text: str) -> None:
    assert says_nothing(text)
    for slot in ("w_not_going_well", "w_change", "w_for_iro"):
        assert (read(slot, text).kind, read(slot, text).value) == ("fill", ""), slot


@pytest.mark.parametrize("text", ["nah nothing", "nothing really", "nothing"])
def test_nothing_is_going_well_is_an_answer_kept_as_typed(text: str) -> None:
    assert read("w_going_well", text).value == text


@pytest.mark.parametrize("text", ["nothing to do at weekends", "there is nothing fun here", "nothing much but ok"])
def test_a_sentence_with_nothing_in_it_is_kept(text: str) -> None:
    assert not says_nothing(text) or len(text.split()) > 3
    assert read("w_not_going_well", text).value == text


@pytest.mark.parametrize("text", ["hold on i want to stop, ill ask my key worker first", "hang on can we stop",
                                  "nah dont send it yet", "dont send it just yet", "sorry i want to stop now",
                                  "i think i want to stop"])
def test_a_stop_with_words_around_it_is_asked_about(text: str) -> None:
    assert is_stop_sentence(text)
    assert read("cp_about_sw", text).kind == "check_stop"


@pytest.mark.parametrize("text", ["hold on", "i think so", "not yet sure"])
def test_hold_on_alone_is_not_a_stop(text: str) -> None:
    assert not is_stop_sentence(text)


@pytest.mark.parametrize("text", ["actually both is fine", "both then", "ok both of them", "both is good lol",
                                  "ill go with both"])
def test_both_with_words_around_it_is_both(text: str) -> None:
    assert read("w_share_with", text).value == ["social_worker", "iro"]


@pytest.mark.parametrize("text", ["both my mum and dad", "both not my sw"])
def test_both_with_other_people_is_not_the_two_the_question_names(text: str) -> None:
    assert read("w_share_with", text).value != ["social_worker", "iro"]


@pytest.mark.parametrize("text", ["just my sosal worker sharon", "only my soshul worker", "socal worker only",
                                  "my sochal worker"])
def test_social_worker_spelt_as_it_sounds(text: str) -> None:
    assert read("w_share_with", text).value == ["social_worker"]


def test_a_key_worker_is_not_a_social_worker() -> None:
    assert read("w_share_with", "only my key worker").value != ["social_worker"]


# ---------------------------------------------------------------- found by the x01-x40 development flows


@pytest.mark.parametrize("text", ["no shes nice but i want someone younger", "nah hes ok but i want a woman",
                                  "no, he seems fine but i dont like football"])
def test_a_no_then_but_and_a_reason_is_the_no_and_its_reason(text: str) -> None:
    outcome = read("match_decision", text)
    assert (outcome.kind, outcome.value, outcome.also) == ("fill", "object", {"match_reason": text})


@pytest.mark.parametrize("text", ["no but maybe later", "no but she can come once", "no but is that bad"])
def test_a_no_then_but_and_a_maybe_or_a_question_is_asked_again(text: str) -> None:
    assert read("match_decision", text).kind != "fill"


@pytest.mark.parametrize("text", ["thru my foster carer", "through my carer", "via my carer", "ask my foster carer"])
def test_a_way_to_reach_said_with_through_is_that_button(text: str) -> None:
    assert read("contact_how", text).value == "carer"


@pytest.mark.parametrize("text", ["my social worker also, both", "both, my iro too", "my sw and iro both"])
def test_both_with_the_two_readers_named_is_both(text: str) -> None:
    assert read("w_share_with", text).value == ["social_worker", "iro"]


@pytest.mark.parametrize("text", ["hmm actually can i do this later with my advocate instead? stop for now",
                                  "I ask my brother first. stop please", "wait. stop please, I ask my sw first",
                                  "i need to think. cancel"])
def test_a_stop_in_any_clause_is_asked_about(text: str) -> None:
    assert is_stop_sentence(text)


@pytest.mark.parametrize("text", ["my mum said stop, so i did", "the bus stop is far. i walk"])
def test_stop_inside_a_sentence_is_not_a_wish_to_stop(text: str) -> None:
    assert not is_stop_sentence(text)


def test_a_buttons_own_title_typed_is_that_button_even_when_it_starts_with_what() -> None:
    shown = [{"title": "What kind of person", "payload": '/inform{"choice":"iv_wish"}'},
             {"title": "What you want to happen", "payload": '/inform{"choice":"cp_wants"}'}]
    assert read_answer("iv_change_which", "what kind of person", "inform", 0.5, shown).value == "iv_wish"
    assert read_answer("iv_change_which", "What you want to happen", "inform", 0.5, shown).value == "cp_wants"


@pytest.mark.parametrize("text", ["salaam i need someone on my side please", "hola can i have an advocate please",
                                  "merhaba i want a mentor please"])
def test_a_greeting_in_a_first_language_says_nothing_more_than_the_request(text: str) -> None:
    from bot.dialogue.answers import says_more

    assert not says_more(text)
