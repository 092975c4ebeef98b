"""Send a finished form: commit it, then (and only then) tell the child it is sent."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import clear_form, in_thread, say
from bot.dialogue import messages, submissions

logger = logging.getLogger(__name__)


def _question_texts() -> Dict[str, str]:
    """Each wishes question as the child saw it, stored beside the answer."""
    return {
        name.removeprefix("ask_"): entry["text"]
        for name, entry in messages.catalogue().items()
        if name.startswith("ask_w_")
    }


async def send(form: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
    """Commit the form's record; on failure keep every answer and offer to try again."""
    slots = dict(tracker.slots)
    sender = tracker.sender_id
    try:
        if form == "advocate_form":
            due = await in_thread(submissions.submit_referral, sender, slots)
            due_text = f"{due:%A} {due.day} {due:%B}" if due else "soon"
            say(dispatcher, "referral_sent", tracker, due_date=due_text)
        elif form == "wishes_form":
            await in_thread(submissions.submit_wishes, sender, slots, _question_texts())
            say(dispatcher, "wishes_sent", tracker)
        elif form == "visitor_form":
            await in_thread(submissions.submit_visitor_request, sender, slots)
            say(dispatcher, "visitor_request_sent", tracker)
        elif form == "match_form":
            accepted = await in_thread(submissions.submit_match_answer, sender, slots)
            say(dispatcher, "match_accepted" if accepted else "match_objected", tracker)
        else:
            raise ValueError(form)
    except (SQLAlchemyError, OSError) as error:
        # Nothing is said to be sent; the draft stays in the conversation's slots.
        logger.warning("could not store %s: %s", form, type(error).__name__)
        say(dispatcher, "submit_failed", tracker)
        return [SlotSet("pending_submit", form)]
    events = clear_form(form)
    if form == "match_form":
        events += [SlotSet("has_pending_match", False), SlotSet("match_id", None), SlotSet("match_label", None)]
    return events


class SubmitAction(Action):
    form: str = ""
    action_name: str = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        return await send(self.form, dispatcher, tracker, domain)


class SubmitReferral(SubmitAction):
    form, action_name = "advocate_form", "action_submit_referral"


class SubmitWishes(SubmitAction):
    form, action_name = "wishes_form", "action_submit_wishes"


class SubmitVisitorRequest(SubmitAction):
    form, action_name = "visitor_form", "action_submit_visitor_request"


class SubmitMatchAnswer(SubmitAction):
    form, action_name = "match_form", "action_submit_match_answer"


class RetrySend(Action):
    def name(self) -> str:
        return "action_retry_send"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        form = tracker.get_slot("pending_submit")
        if not form:
            say(dispatcher, "nothing_to_retry", tracker)
            say(dispatcher, "menu", tracker)
            return []
        return await send(form, dispatcher, tracker, domain)
