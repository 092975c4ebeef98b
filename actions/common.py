"""Small helpers shared by Heard's actions: database calls off the event loop, slot resets."""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable, Dict, List, TypeVar

from rasa_sdk import Tracker
from rasa_sdk.events import ActionExecuted, SlotSet, UserUttered
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy.exc import SQLAlchemyError

from bot.dialogue.forms import slots_to_clear
from bot.dialogue.messages import render
from bot.usecases.conversation import child_id_of

logger = logging.getLogger(__name__)
T = TypeVar("T")

def say(dispatcher: CollectingDispatcher, name: str, tracker: Tracker | None = None, *, simple: bool = False,
        **values: Any) -> None:
    """Send catalogue message `name`, worded for this child (simpler or older when they chose it)."""
    message = render(name, tracker.slots if tracker is not None else None, simple=simple,
                     channel=channel_of(tracker) if tracker is not None else None, **values)
    dispatcher.utter_message(text=message["text"], buttons=message["buttons"] or None)


async def in_thread(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run blocking database work without holding up other conversations."""
    return await asyncio.to_thread(fn, *args, **kwargs)


async def conversation_child(tracker: Tracker) -> str | None:
    """The id of the child this conversation is linked to (never the ``child_id`` slot, which only shows it);
    None for a conversation nobody signed in to, or when the case database is down."""
    try:
        return await in_thread(child_id_of, tracker.sender_id)
    except SQLAlchemyError as error:
        logger.warning("case database unavailable looking up the conversation's child: %s", type(error).__name__)
        return None


def latest_intent(tracker: Tracker) -> tuple[str | None, float]:
    intent = (tracker.latest_message or {}).get("intent") or {}
    return intent.get("name"), float(intent.get("confidence") or 0.0)


def channel_of(tracker: Tracker) -> str:
    name = tracker.get_latest_input_channel() or "rest"
    return "sms" if name == "twilio" or name.startswith("sms") else "web"


def clear_form(form: str, *, keep_remembered: bool = False) -> List[Dict[str, Any]]:
    """SlotSet events that forget a form's answers (after sending, or when a child stops). With
    `keep_remembered` the answers that stay true for the conversation (name, council, contact) are kept."""
    return [SlotSet(slot, value) for slot, value in slots_to_clear(form, keep_remembered=keep_remembered).items()]


def run_turn_again(tracker: Tracker, text: str, parse_data: Dict[str, Any]) -> List[Any]:
    """Events that run the turn again as if the child had sent ``text`` parsed as ``parse_data`` (as Rasa's
    TwoStageFallbackAction re-runs a clarified message): the policies then pick the next action from it."""
    return [ActionExecuted("action_listen"),
            UserUttered(text, parse_data, input_channel=tracker.get_latest_input_channel())]
