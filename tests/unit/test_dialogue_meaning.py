"""Issue 20: readings that keep what a child meant (plain Python, no Rasa).

- "everyone" / "not my mum" at "who can read it?" means everyone who can read it here; someone let in who cannot
  ("my iro and my advocate") is asked about again, never dropped silently;
- "what is advocate?" at a buttons question is a question about the button, never the choice of it;
- "nah" / "nope thats all" at a question that may be skipped is a skip, not an answer of "nah";
- "next tuesday" is the Tuesday of next week (tests/unit/test_dialogue_today.py).
"""

from __future__ import annotations

import pytest

from bot.dialogue import share_with
from bot.dialogue.answers import read_answer


@pytest.mark.parametrize(("text", "roles"), [
    ("everyone", ["social_worker", "iro"]),
    ("evryone xcept my mum", ["social_worker", "iro"]),
    ("not my mum", ["social_worker", "iro"]),
    ("everyone but my social worker", ["iro"]),
    ("only my iro", ["iro"]),
    ("iro and social worker", ["social_worker", "iro"]),
    ("my iro and my advocate", None),
    ("my carer", None),
    ("mum not dad", None),
])
def test_who_can_read_it_here(text: str, roles: list[str] | None) -> None:
    assert share_with.readable(text) == roles
    outcome = read_answer("w_share_with", text, None, 0.0, [])
    assert (outcome.kind, outcome.value) == (("fill", roles) if roles else ("explain", None))


@pytest.mark.parametrize("text", ["what is advocate?", "whats a mentor", "wat is an advocate"])
def test_a_question_about_a_button_is_not_its_choice(text: str) -> None:
    slot = "iv_kind" if "mentor" in text else "w_attend"
    assert read_answer(slot, text, "nlu_fallback", 0.3, []).kind == "invalid"
    assert read_answer(slot, text, "ask_about_advocate", 0.9, []).kind == "digress"
    assert read_answer("w_attend", "with an advocate", "inform", 0.9, []).value == "with_advocate"


@pytest.mark.parametrize("text", ["nah", "no", "nope thats all", "no thanks"])
def test_a_short_no_at_a_question_that_may_be_skipped_is_a_skip(text: str) -> None:
    assert (read_answer("iv_known", text, None, 0.0, []).kind, read_answer("iv_known", text, None, 0.0, []).value) \
        == ("fill", "")


@pytest.mark.parametrize("text", ["never mind", "i dont want them to know about my dad", "no one listens to me"])
def test_but_words_are_still_kept_or_asked_about(text: str) -> None:
    outcome = read_answer("w_for_iro", text, None, 0.0, [])
    assert outcome.value != ""


@pytest.mark.parametrize(("text", "more"), [
    ("i want to say stuff for my review", False),
    ("i want to say some things about my review", False),
    ("I want to tell my review that I want to stay living with Sue", True),
    ("i want an advocate cos nobody listens to me about moving school", True),
])
def test_a_start_that_only_announces_stuff_to_say_keeps_nothing(text: str, more: bool) -> None:
    from bot.dialogue.answers import says_more

    assert says_more(text) is more
