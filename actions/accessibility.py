"""Read it out, stop reading out, and say it more simply."""

from __future__ import annotations

import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.accessibility.simpler import simpler
from bot.config import get_settings
from actions.common import channel_of, conversation_child, in_thread, say
from bot.vocabulary import payload_choice
from bot.usecases import preferences

logger = logging.getLogger(__name__)


async def _set_audio(tracker: Tracker, on: bool) -> None:
    child_id = await conversation_child(tracker)
    if not child_id:
        return
    try:
        await in_thread(preferences.set_audio, child_id, on)
    except SQLAlchemyError as error:  # the slot still holds the choice for this conversation
        logger.warning("could not store audio preference: %s", type(error).__name__)


class ReadAloud(Action):
    def name(self) -> str:
        return "action_read_aloud"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        await _set_audio(tracker, True)
        say(dispatcher, "audio_on", tracker)
        if channel_of(tracker) == "sms":
            # A text message cannot play sound: offer the last message as a short link to its audio.
            url = sms_audio_link(_last_bot_text(tracker))
            if url:
                say(dispatcher, "audio_link", tracker, url=url)
        return [SlotSet("audio_on", True)]


def _last_bot_text(tracker: Tracker) -> str | None:
    return next((e.get("text") for e in reversed(tracker.events) if e.get("event") == "bot" and e.get("text")), None)


def sms_audio_link(text: str | None) -> str | None:
    """A link to the spoken version of a message the bot says (catalogue lines), when Heard has a public URL."""
    public = get_settings().web.public_url
    if not text or not public:
        return None
    from bot.accessibility.tts import EXT, get_service

    try:
        key = get_service().known_key(text)
    except ValueError:
        return None
    return f"{public}/audio/{key}.{EXT}" if key else None


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


OLDER_WORDS = ("older", "grown", "adult", "teen", "harder", "normal", "proper", "not a baby")


class SetReadingLevel(Action):
    """Easy words or older children's words for explanations, remembered for a signed-in child."""

    def name(self) -> str:
        return "action_set_reading_level"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        text = (tracker.latest_message or {}).get("text") or ""
        choice = payload_choice(text)
        if choice not in ("older", "younger"):
            lowered = text.lower()
            choice = "older" if any(word in lowered for word in OLDER_WORDS) else "younger"
        child_id = await conversation_child(tracker)
        if child_id:
            try:
                await in_thread(preferences.set_reading_level, child_id, choice)
            except SQLAlchemyError as error:
                logger.warning("could not store reading level: %s", type(error).__name__)
        events = [SlotSet("reading_level", choice)]
        say(dispatcher, f"reading_level_{choice}", tracker)
        return events
