""""Delete this chat" inside a form (issue 17): a plain request lets the form's rule end it unsent and delete the
chat; an answer that only mentions deleting is kept as the answer. No Rasa needed."""

from __future__ import annotations

import pytest

from bot.dialogue import messages
from bot.dialogue.answers import read_answer
from bot.dialogue.forms import FORMS
from scripts.make_rules import build_rules

ASKS = ["delete this chat", "can u delete my messages pls", "i want this chat deleted", "Wipe this chat!",
        "plz delte this chat", "forget everything i told you", "i dont want this chat saved"]
ANSWERS = ["delete the pics he sent", "i want to delete my messages from my dad", "forget it", "delete it all"]


@pytest.mark.parametrize("slot", ["adv_words", "adv_reason", "anon_name"])
@pytest.mark.parametrize("text", ASKS)
def test_a_plain_request_is_not_an_answer(slot: str, text: str):
    buttons = messages.buttons(f"ask_{slot}") if slot == "adv_reason" else None
    assert read_answer(slot, text, "delete_chat", 0.9, buttons).kind == "digress"


@pytest.mark.parametrize("text", ANSWERS)
def test_words_that_only_mention_deleting_are_kept_as_the_answer(text: str):
    out = read_answer("adv_words", text, "delete_chat", 0.9)
    assert out.kind != "digress"


def test_the_words_alone_are_not_enough_the_classifier_must_agree():
    assert read_answer("adv_words", "delete this chat", "inform", 0.9).kind != "digress"


def test_every_form_has_the_rule_that_ends_it_unsent_then_deletes_the_chat():
    rules = build_rules()
    for name in FORMS:
        rule = rules.split(f"- rule: delete chat during {name}\n", 1)[1].split("- rule:", 1)[0]
        assert f"active_loop: {name}" in rule
        assert rule.index("action_deactivate_loop") < rule.index("active_loop: null") < rule.index(
            "action_delete_chat")
