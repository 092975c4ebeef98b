"""An intent whose action cannot be undone stands only when the child's words ask for it (bot/nlu/intent_gate.py):
DIET read "how do you get rid of hiccups" as delete_chat, and the chat was deleted."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.dialogue.child_says import names_deleting_the_chat
from bot.nlu.intent_gate import IntentNeedsWords

ROOT = Path(__file__).resolve().parents[2]


def delete_chat_examples() -> list[str]:
    data = yaml.safe_load((ROOT / "data" / "nlu" / "privacy.yml").read_text(encoding="utf-8"))
    block = next(item for item in data["nlu"] if item.get("intent") == "delete_chat")
    return [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]


def test_every_way_the_model_learnt_to_ask_still_asks() -> None:
    examples = delete_chat_examples()
    assert len(examples) >= 30
    assert [e for e in examples if not names_deleting_the_chat(e)] == []


@pytest.mark.parametrize("text", ["delete", "Delete this chat!", "wipe it pls",
                                  "delete my chat cos my mum reads my phone", "can u forget what i told u",
                                  "clear my history", "i dont want this chat saved"])
def test_asking_to_delete(text: str) -> None:
    assert names_deleting_the_chat(text)


@pytest.mark.parametrize("text", ["how do you get rid of hiccups", "forget it", "dont delete my chat",
                                  "my brother deleted my messages", "can you clear this up for me",
                                  "delete the pics he sent", "clear", "my friends are all going to town saturday and i"
                                  " gotta ask my social worker if i can go. takes ages"])
def test_not_asking_to_delete(text: str) -> None:
    assert not names_deleting_the_chat(text)


def parsed(text: str, ranking: list[tuple[str, float]]) -> Message:
    message = Message(data={TEXT: text})
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    message.set(INTENT, dict(entries[0]))
    message.set(INTENT_RANKING_KEY, entries)
    return message


def test_a_guess_the_words_do_not_bear_out_gives_way_to_the_next_intent_or_the_fallback() -> None:
    gate = IntentNeedsWords()
    sure_next = parsed("how do you get rid of hiccups", [("delete_chat", 0.6), ("out_of_scope", 0.35)])
    unsure_next = parsed("how do you get rid of hiccups", [("delete_chat", 0.6), ("out_of_scope", 0.1)])
    gate.process([sure_next, unsure_next])
    assert sure_next.get(INTENT)["name"] == "out_of_scope"
    assert unsure_next.get(INTENT)["name"] == "nlu_fallback"
    assert all(e["name"] != "delete_chat" for e in sure_next.get(INTENT_RANKING_KEY))


def test_asking_in_words_and_other_intents_and_buttons_are_left_alone() -> None:
    gate = IntentNeedsWords()
    asked = parsed("pls delete this chat", [("delete_chat", 0.9), ("stop", 0.05)])
    other = parsed("how do you get rid of hiccups", [("out_of_scope", 0.9), ("delete_chat", 0.05)])
    button = parsed("/delete_chat", [("delete_chat", 1.0)])
    gate.process([asked, other, button])
    assert [m.get(INTENT)["name"] for m in (asked, other, button)] == ["delete_chat", "out_of_scope", "delete_chat"]
