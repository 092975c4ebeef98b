"""A name or a council is a name or a place, and a button payload is only one of the buttons shown (issue 20;
found by trying the advocate form over REST as a child and as an attacker would). No Rasa needed."""

from __future__ import annotations

import pytest

from bot.dialogue import messages
from bot.dialogue.answers import plausible_short_answer, read_answer
from bot.dialogue.forms import question


def read(slot: str, text: str, intent: str = "inform", confidence: float = 0.5, buttons=None):
    shown = messages.buttons(f"ask_{slot}") if buttons is None else buttons
    return read_answer(slot, text, intent, confidence, shown)


# ---------------------------------------------------------------- names and councils


@pytest.mark.parametrize("text", ["Sam", "sam jones", "my name is Sam Jones", "im jade", "i'm Jade", "call me JJ",
                                  "no1", "Jade 💖", "Mary-Jane O'Neil", "its kai", "hi its sam", "Sam x"])
def test_a_name_is_kept_as_typed(text: str) -> None:
    outcome = read("anon_name", text)
    assert (outcome.kind, outcome.value) == ("fill", text)


@pytest.mark.parametrize("text", ["Leeds", "leeds city council", "i think its kent", "North Yorkshire County Council",
                                  "the wirral", "Bath and North East Somerset", "im in manchester",
                                  "london borough of camden"])
def test_a_council_is_kept_as_typed(text: str) -> None:
    outcome = read("anon_council", text)
    assert (outcome.kind, outcome.value) == ("fill", text)


@pytest.mark.parametrize("slot,text", [
    ("anon_name", "Maya, but my friends say May"),
    ("anon_name", "its Tomasz but everyone calls me Tom, either is ok"),
    ("anon_name", "you can just put my nickname which is Bee"),
    ("anon_council", "essex, but i live in london now"),
    ("anon_council", "i used to be with Bristol but now its somewhere else i think"),
    ("anon_council", "the council that looks after me is in wales"),
])
def test_a_sentence_that_gives_the_name_or_place_is_kept_as_typed(slot: str, text: str) -> None:
    outcome = read("anon_council", text)
    assert (outcome.kind, outcome.value) == ("fill", text)


@pytest.mark.parametrize("slot,text", [
    ("anon_name", "i miss my nan"),
    ("anon_name", "my cat is called mittens btw"),
    ("anon_name", "we went to the park today"),
    ("anon_name", "i had pizza for tea and it was nice"),
    ("anon_council", "i live with my foster carer now"),
    ("anon_council", "the one near my old school"),
    ("anon_council", "im sad today"),
    ("anon_name", "i want to go home"),
])
def test_a_sentence_that_is_not_a_name_or_place_is_asked_back_never_kept(slot: str, text: str) -> None:
    assert not plausible_short_answer(text)
    assert read(slot, text).kind == "ask_back"


@pytest.mark.parametrize("text", ["i dont know which council it is", "not sure", "dont know"])
def test_not_knowing_the_council_is_its_i_dont_know_button(text: str) -> None:
    assert (read("anon_council", text).kind, read("anon_council", text).value) == ("fill", "unknown")


def test_only_name_and_council_are_short_questions() -> None:
    assert question("anon_name").short and question("anon_council").short
    assert not question("adv_words").short  # the child's own words: any sentence is the answer
    assert read("adv_words", "i miss my nan").value == "i miss my nan"


# ---------------------------------------------------------------- a payload is one of the buttons shown


@pytest.mark.parametrize("payload", ['/inform{"choice":"yes"}', '/inform{"child_id":"1","choice":"yes"}',
                                     '/inform{"choice":"review"}', '/inform{"choice":"<script>alert(1)</script>"}'])
def test_a_forged_payload_at_an_open_question_is_not_an_answer(payload: str) -> None:
    assert read("anon_council", payload).kind == "invalid"
    assert read("anon_name", payload).kind == "invalid"


def test_a_payload_of_a_button_shown_is_the_answer() -> None:
    assert (read("anon_council", '/inform{"choice":"unknown"}').kind,
            read("anon_council", '/inform{"choice":"unknown"}').value) == ("fill", "unknown")
    assert read("anon_name", '/inform{"choice":"unknown"}').kind == "invalid"  # no "I don't know" for a name
    assert read("adv_reason", '/inform{"choice":"review"}').value == "review"
    assert read("adv_reason", '/inform{"choice":"yes"}').kind == "invalid"


def test_a_date_payload_is_a_real_day_or_i_dont_know() -> None:
    assert read("w_review_date", '/inform{"choice":"2027-01-15"}', buttons=[]).value == "2027-01-15"
    assert read("w_review_date", '/inform{"choice":"unknown"}', buttons=[]).value == "unknown"
    for forged in ('/inform{"choice":"yes"}', '/inform{"choice":"2027-02-30"}', '/inform{"choice":"soon"}'):
        assert read("w_review_date", forged, buttons=[]).kind == "invalid"


# ---------------------------------------------------------------- what reaches Heard from a channel

def test_a_payload_reaches_heard_only_when_it_was_offered() -> None:
    from bot.vocabulary import as_sent

    offered = [{"title": "Yes", "payload": '/inform{"choice":"yes"}'}]
    assert as_sent('/inform{"choice":"yes"}', offered) == '/inform{"choice":"yes"}'
    assert as_sent("/greet", []) == "/greet"  # the widget's own greeting
    assert as_sent('/inform{"choice":"no"}', offered) == 'inform{"choice":"no"}'
    assert as_sent("/disclose_harm", offered) == "disclose_harm"
    assert as_sent("/ my name is Tayla", None) == "my name is Tayla"
    assert as_sent("hello /restart", None) == "hello /restart"
    assert as_sent("///", None) == ""
