"""Possible harm (issue 14): a gentle check-in when a message might be about harm, the child's answer to it, and
a message in a language Heard cannot read yet.

The check-in always shows Childline and 999 and asks "Is someone hurting you, or making you feel unsafe?"
(Yes / No / Not sure). It is recorded as a low-priority concern for the duty lead's daily list
(``bot.usecases.concerns``). Yes or not sure: the disclosure answer and an urgent alert, with the child's words
from the message that was checked. No: a kind reply, then what they were doing (the form carries on, its draft
kept; outside a form, what the checked message also asked for, such as an advocate, with its words, else the
menu). The rules (``scripts/make_rules.py``) send whatever the child says straight
after a check-in here.
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Mapping

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.call_back import call_back_offer_events, offered_in_form
from actions.common import channel_of, conversation_child, in_thread, latest_intent, run_turn_again, say
from bot.dialogue import check_in
from bot.dialogue.forms import starting_intents
from bot.dialogue.intents import CHECK_IN_ACTION, CHECK_IN_ANSWER_ACTION, LANGUAGE_ACTION
from bot.dialogue.messages import catalogue
from bot.usecases.alerts import raise_safeguarding_alert
from bot.usecases.concerns import answer_check_in, record_concern

logger = logging.getLogger(__name__)

CONCERN_SLOT = "harm_check_id"


async def _child(tracker: Tracker) -> str | None:
    try:
        return await conversation_child(tracker)
    except Exception:  # noqa: BLE001 - a concern or an alert is recorded whatever happens
        return None


async def _record(tracker: Tracker, message: Mapping[str, Any], tier: str) -> int | None:
    """Record the latest message as a concern; its id, or None when it could not be recorded."""
    detection = message.get("harm_detection") or {}
    try:
        return await in_thread(
            record_concern,
            conversation_id=tracker.sender_id,
            child_id=await _child(tracker),
            channel=channel_of(tracker),
            text=message.get("text") or "",
            tier=tier,
            source=detection.get("source") or "classifier",
            category=detection.get("category"),
            cue=detection.get("cue"),
            language=detection.get("language"),
        )
    except Exception:  # noqa: BLE001 - the child's reply must go out whatever happens
        logger.exception("safeguarding concern could not be recorded")
        return None


def checked_message(events: List[Dict[str, Any]]) -> Dict[str, Any]:
    """The child's message the check-in asked about: the user message before the latest one."""
    seen_latest = False
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if seen_latest:
            return {"text": event.get("text") or "", **(event.get("parse_data") or {})}
        seen_latest = True
    return {}


async def note_answer(tracker: Tracker, answer: str, alert_id: int | None = None) -> List[Any]:
    """Record the answer on the open check-in's concern (if any) and close it."""
    concern_id = tracker.get_slot(CONCERN_SLOT)
    if not concern_id:
        return []
    try:
        await in_thread(answer_check_in, int(concern_id), tracker.sender_id, answer, alert_id)
    except Exception:  # noqa: BLE001
        logger.exception("check-in answer could not be recorded")
    return [SlotSet(CONCERN_SLOT, None)]


class HarmCheckIn(Action):
    """Childline and 999, and a gentle question; the message is recorded as a concern."""

    def name(self) -> str:
        return CHECK_IN_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        say(dispatcher, "check_in", tracker)  # the safe numbers first, whatever happens below
        concern_id = await _record(tracker, tracker.latest_message or {}, "concern")
        return [SlotSet(CONCERN_SLOT, str(concern_id) if concern_id is not None else None)]


class HarmCheckAnswer(Action):
    """Yes or not sure: the disclosure answer and an alert. No, or anything else: kindly back to what they
    were doing."""

    def name(self) -> str:
        return CHECK_IN_ANSWER_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        message = tracker.latest_message or {}
        intent, _ = latest_intent(tracker)
        answer = check_in.read_answer(message.get("text"), intent) or check_in.UNCLEAR
        in_form = tracker.active_loop_name is not None
        if answer in check_in.ALERT_ANSWERS:
            say(dispatcher, "safeguarding", tracker)
            # Inside a form a person is offered as its next question, one question at a time.
            say(dispatcher, "safeguarding_told" if offered_in_form(tracker) else "safeguarding_offer", tracker)
            alert_id = await self._alert(tracker, answer)
            return await note_answer(tracker, answer, alert_id) + call_back_offer_events(tracker)
        say(dispatcher, "check_in_no" if answer == check_in.NO else "check_in_unclear", tracker)
        events = await note_answer(tracker, answer)
        if in_form:
            return events
        asked = check_in.asked_for(checked_message(tracker.events), starting_intents())
        if answer == check_in.NO and asked is not None:
            # Back to what they were doing: the turn runs again as the request the checked message made, with the
            # child's own words (as action_fallback re-runs a typed button).
            return [*events, *run_turn_again(tracker, asked["text"], asked)]
        say(dispatcher, "menu", tracker)
        return events

    @staticmethod
    async def _alert(tracker: Tracker, answer: str) -> int | None:
        checked = checked_message(tracker.events)
        detection = checked.get("harm_detection") or {}
        try:
            return await in_thread(
                raise_safeguarding_alert,
                conversation_id=tracker.sender_id,
                child_id=await _child(tracker),
                channel=channel_of(tracker),
                text=checked.get("text") or (tracker.latest_message or {}).get("text") or "",
                category=detection.get("category"),
                cue=f"check-in answer: {answer.replace('_', ' ')}",
            )
        except Exception:  # noqa: BLE001 - the child's reply has gone out; the error is logged
            logger.exception("safeguarding alert could not be recorded")
            return None


class OtherLanguage(Action):
    """Lines in the child's language (when Heard has them) and in English; a person reads the message with an
    interpreter (it is recorded as a concern)."""

    def name(self) -> str:
        return LANGUAGE_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        message = tracker.latest_message or {}
        code = (message.get("harm_detection") or {}).get("language")
        if code and f"other_language_{code}" in catalogue():
            say(dispatcher, f"other_language_{code}", tracker)
        say(dispatcher, "other_language", tracker)
        await _record(tracker, message, "language")
        return []
