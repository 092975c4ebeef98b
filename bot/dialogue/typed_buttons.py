"""A button typed instead of pressed, outside a form, read from the conversation's own events.

The web widget's proxy and the SMS channel turn "2" or a button's own words into that button's payload before
Rasa sees the message. A client talking to Rasa's REST channel directly sends the words as typed, the NLU
cannot know which buttons the bot showed, and the turn reaches `action_fallback`. That action asks
`typed_button` which button the child meant and, if one, runs the turn again as if it had been pressed
(`actions/conversation.py`). Inside a form `read_answer` does this for each question.

Plain Python, no Rasa: events are the dicts rasa-sdk's `Tracker.events` holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Collection, Mapping, Sequence

from bot.dialogue.intents import SAFETY_INTENTS
from bot.vocabulary import split_payload, typed_choice


def parse_data(text: str, intent: str, confidence: float = 1.0,
               entities: Sequence[Mapping[str, Any]] = ()) -> dict[str, Any]:
    """Parse data for a turn run again as ``intent`` (a typed button, the request a checked message made, a wish the
    child agreed to tell): what the policies pick the next action from."""
    top = {"name": intent, "confidence": confidence}
    return {"text": text, "intent": dict(top), "intent_ranking": [dict(top)], "entities": [dict(e) for e in entities]}


@dataclass(frozen=True)
class Pressed:
    """The button a typed message stands for: its payload, and the intent and entities it carries."""

    payload: str
    intent: str
    entities: list[dict[str, Any]] = field(default_factory=list)

    def parse_data(self) -> dict[str, Any]:
        """What Rasa's NLU would have given for the pressed button (so the policies pick its next action)."""
        return parse_data(self.payload, self.intent, entities=self.entities)


def parse_payload(payload: str) -> Pressed | None:
    """`/request_advocate` or `/inform{"choice":"review"}` as an intent and entities; None if not a payload."""
    parts = split_payload(payload)
    if parts is None:
        return None
    intent, values = parts
    entities = [{"entity": str(name), "value": one}
                for name, value in values.items() for one in (value if isinstance(value, list) else [value])]
    return Pressed(payload=payload.strip(), intent=intent, entities=entities)


def last_turn_buttons(events: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The buttons the bot showed in its last turn, before the latest user message (those of its last message
    that had any). Empty when that turn showed none or a new session began since: as on SMS, a number is
    then just a number."""
    seen_latest_user = False
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            if seen_latest_user:
                break  # the child's message before: the bot's turn starts after it
            seen_latest_user = True
        elif kind in ("session_started", "restart"):
            break
        elif kind == "bot" and seen_latest_user:
            buttons = (event.get("data") or {}).get("buttons")
            if buttons:
                return [dict(b) for b in buttons if isinstance(b, Mapping)]
    return []


def typed_button(
    text: str | None,
    intent: str | None,
    events: Sequence[Mapping[str, Any]],
    known_intents: Collection[str] | None = None,
) -> Pressed | None:
    """The button that `text` (the latest user message) picks by its number or its own words, or None.

    Never a payload ("/..."): the re-run message is one, so a turn is mapped once at most and nothing loops.
    Never a disclosure of harm: that is answered by the safeguarding rule, not read as a button.
    """
    text = (text or "").strip()
    if not text or text.startswith("/") or intent in SAFETY_INTENTS:
        return None
    payload = typed_choice(text, last_turn_buttons(events))
    if payload is None:
        return None
    pressed = parse_payload(payload)
    if pressed is None or pressed.intent in SAFETY_INTENTS:
        return None
    if known_intents is not None and pressed.intent not in known_intents:
        return None
    return pressed


def domain_intents(domain: Mapping[str, Any]) -> set[str]:
    """Intent names in a domain dict (entries are names or {name: properties})."""
    names: set[str] = set()
    for entry in domain.get("intents") or []:
        if isinstance(entry, str):
            names.add(entry)
        elif isinstance(entry, Mapping):
            names.update(str(k) for k in entry)
    return names
