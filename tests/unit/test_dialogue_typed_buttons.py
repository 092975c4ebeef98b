"""A button typed instead of pressed outside a form ("1" at the menu over Rasa's REST channel); no Rasa needed."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue import messages
from bot.dialogue.typed_buttons import (
    Pressed,
    domain_intents,
    last_turn_buttons,
    parse_payload,
    typed_button,
)
from tests.tools.domain import load_domain

DOMAIN = load_domain()
MENU = messages.buttons("menu")
HELP = messages.buttons("help")


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": "nlu_fallback", "confidence": 0.2}}}


def bot(text: str, buttons: list[dict] | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "data": {"buttons": buttons} if buttons else {}}


def listen() -> dict[str, Any]:
    return {"event": "action", "name": "action_listen"}


def after_menu(typed: str) -> list[dict[str, Any]]:
    return [user("hi"), bot("Hi, I am Heard."), bot("What would you like to do?", MENU), listen(), user(typed)]


@pytest.mark.parametrize(
    ("typed", "payload"),
    [
        ("1", "/request_advocate"),
        (" 2. ", "/share_wishes"),
        ("six", "/talk_to_person"),
        ("get someone on my side", "/request_advocate"),
        ("What do the words mean", "/help"),
    ],
)
def test_a_number_or_a_title_of_the_last_buttons_is_that_button(typed: str, payload: str) -> None:
    pressed = typed_button(typed, "nlu_fallback", after_menu(typed), domain_intents(DOMAIN))
    assert pressed is not None and pressed.payload == payload
    assert pressed.intent == payload[1:] and pressed.entities == []


@pytest.mark.parametrize("typed", ["7", "0", "someone on my side", "hello", "", "   "])
def test_anything_else_is_not_a_button(typed: str) -> None:
    assert typed_button(typed, "nlu_fallback", after_menu(typed)) is None


def test_a_payload_is_never_mapped_again_so_a_turn_maps_once() -> None:
    assert typed_button("/request_advocate", "request_advocate", after_menu("/request_advocate")) is None
    # Even a payload that is also a button's number or words after its punctuation is dropped.
    assert typed_button("/1", "nlu_fallback", after_menu("/1")) is None


def test_a_disclosure_is_never_read_as_a_button() -> None:
    assert typed_button("1", "disclose_harm", after_menu("1")) is None
    harmful = [bot("Pick one", [{"title": "x", "payload": "/disclose_harm"}]), listen(), user("1")]
    assert typed_button("1", "nlu_fallback", harmful) is None


def test_an_intent_the_assistant_does_not_know_is_not_run() -> None:
    odd = [bot("Pick one", [{"title": "x", "payload": "/launch_rockets"}]), listen(), user("1")]
    assert typed_button("1", "nlu_fallback", odd, domain_intents(DOMAIN)) is None
    assert typed_button("1", "nlu_fallback", odd) == Pressed("/launch_rockets", "launch_rockets")


def test_entities_come_from_the_payloads_json() -> None:
    events = [bot("Words", HELP), listen(), user("8")]
    pressed = typed_button("8", "nlu_fallback", events, domain_intents(DOMAIN))
    assert pressed == Pressed('/choose_reading_level{"choice":"older"}', "choose_reading_level",
                              [{"entity": "choice", "value": "older"}])
    assert pressed.parse_data() == {
        "text": '/choose_reading_level{"choice":"older"}',
        "intent": {"name": "choose_reading_level", "confidence": 1.0},
        "intent_ranking": [{"name": "choose_reading_level", "confidence": 1.0}],
        "entities": [{"entity": "choice", "value": "older"}],
    }


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("/request_advocate", Pressed("/request_advocate", "request_advocate")),
        ('/inform{"choice":"review"}', Pressed('/inform{"choice":"review"}', "inform",
                                               [{"entity": "choice", "value": "review"}])),
        ('/inform{"choice":["a","b"]}', Pressed('/inform{"choice":["a","b"]}', "inform",
                                                [{"entity": "choice", "value": "a"},
                                                 {"entity": "choice", "value": "b"}])),
        ('/inform{"choice":', None),
        ('/inform["x"]', None),
        ("request_advocate", None),
        ("1", None),
    ],
)
def test_parse_payload(payload: str, expected: Pressed | None) -> None:
    assert parse_payload(payload) == expected


def test_only_the_bots_last_turn_counts() -> None:
    # The last turn said something with no buttons: as on SMS, a number is then just a number.
    events = after_menu("what is an iro")[:-1] + [user("what is an iro"), bot("IRO means ..."), listen(), user("1")]
    assert last_turn_buttons(events) == []
    assert typed_button("1", "nlu_fallback", events) is None
    # Of the last turn's messages, the last one with buttons counts.
    events = [user("hi"), bot("a", HELP), bot("b", MENU), bot("no buttons"), listen(), user("1")]
    assert last_turn_buttons(events) == MENU


def test_a_new_session_forgets_the_old_buttons() -> None:
    events = [bot("What would you like to do?", MENU), listen(), {"event": "action", "name": "action_session_start"},
              {"event": "session_started"}, listen(), user("1")]
    assert last_turn_buttons(events) == []


def test_a_turn_run_again_after_a_typed_button_keeps_its_own_buttons() -> None:
    # "1" at the menu was run again as /help: the help buttons are now the last turn's.
    events = after_menu("1") + [
        {"event": "action", "name": "action_fallback"}, {"event": "rewind"}, listen(), user("/help"),
        {"event": "action", "name": "action_digress"}, bot("I can help you with four things.", HELP), listen(),
        user("2"),
    ]
    assert typed_button("2", "nlu_fallback", events).payload == "/ask_about_review"


def test_domain_intents_reads_names_and_mappings() -> None:
    assert {"request_advocate", "inform", "disclose_harm"} <= domain_intents(DOMAIN)
    assert domain_intents({"intents": ["a", {"b": {"use_entities": []}}]}) == {"a", "b"}
    assert domain_intents({}) == set()
