"""Read it out, stop reading out, and say it more simply."""

from __future__ import annotations

import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from accessibility.simpler import simpler
from actions.common import in_thread, say
from bot.dialogue import identity

logger = logging.getLogger(__name__)


async def _set_audio(tracker: Tracker, on: bool) -> None:
    child_id = tracker.get_slot("child_id")
    if not child_id:
        return
    try:
        await in_thread(identity.set_audio, child_id, on)
    except SQLAlchemyError as error:  # the slot still holds the choice for this conversation
        logger.warning("could not store audio preference: %s", type(error).__name__)


class ReadAloud(Action):
    def name(self) -> str:
        return "action_read_aloud"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        await _set_audio(tracker, True)
        say(dispatcher, "audio_on", tracker)
        return [SlotSet("audio_on", True)]


class AudioOff(Action):
    def name(self) -> str:
        return "action_audio_off"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        await _set_audio(tracker, False)
        say(dispatcher, "audio_off", tracker)
        return [SlotSet("audio_on", False)]


class SaySimpler(Action):
    def name(self) -> str:
        return "action_say_simpler"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        last = next(
            (e.get("text") for e in reversed(tracker.events) if e.get("event") == "bot" and e.get("text")),
            None,
        )
        if tracker.active_loop_name:
            # The form asks its question again straight after this, in its simpler form.
            say(dispatcher, "ok_simpler", tracker)
            return [SlotSet("simple_next", True)]
        if not last:
            say(dispatcher, "menu", tracker)
            return []
        dispatcher.utter_message(text=simpler(last))
        return []
