"""The answer to a disclosure of harm: safe help at once, and a person told."""

from __future__ import annotations

import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.call_back import call_back_offer_events, offered_in_form
from actions.check_in import note_answer
from actions.common import channel_of, conversation_child, in_thread, say
from bot.usecases.alerts import raise_safeguarding_alert

logger = logging.getLogger(__name__)


class SafeguardingResponse(Action):
    """Believe, give Childline and 999, raise an alert. A form's draft is kept, not sent."""

    def name(self) -> str:
        return "action_safeguarding_response"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        # Say the safe words first: nothing below may stop the child from getting them.
        say(dispatcher, "safeguarding", tracker)
        # Inside a form a person is offered as its next question, one question at a time (actions/call_back.py).
        say(dispatcher, "safeguarding_told" if offered_in_form(tracker) else "safeguarding_offer", tracker)
        message = tracker.latest_message or {}
        detection = message.get("harm_detection") or {}
        try:
            child_id = await conversation_child(tracker)  # the conversation's child, never a slot's
        except Exception:  # noqa: BLE001 - whatever happens, the alert is raised
            child_id = None
        alert_id = None
        try:
            alert_id = await in_thread(
                raise_safeguarding_alert,
                conversation_id=tracker.sender_id,
                child_id=child_id,
                channel=channel_of(tracker),
                text=message.get("text") or "",
                category=detection.get("category"),
                cue=detection.get("cue") or detection.get("source"),
            )
        except Exception:  # noqa: BLE001 - the child's reply must go out whatever happens
            logger.exception("safeguarding alert could not be recorded")
        # told more after a check-in
        return await note_answer(tracker, "disclosed", alert_id) + call_back_offer_events(tracker)
