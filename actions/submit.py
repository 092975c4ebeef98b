"""Send a finished form: commit it, then (and only then) tell the child it is sent."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import channel_of, clear_form, in_thread, say
from actions.conversation import child_events, lookup
from bot.dialogue import submissions
from bot.dialogue.forms import FORMS

logger = logging.getLogger(__name__)


RECENT_TURNS = 8


def recent_turns(events: List[Dict[str, Any]]) -> List[Dict[str, str]]:
    """The last few things the child and the bot said (for a call-back after a disclosure), verbatim."""
    turns = [{"who": "child" if e.get("event") == "user" else "bot", "text": str(e.get("text") or "")}
             for e in events if e.get("event") in ("user", "bot") and e.get("text")]
    return turns[-RECENT_TURNS:]


async def send(form: str, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
    """Commit the form's record through its use case (named in the form registry), then say it is sent; on
    failure keep every answer and offer to try again."""
    spec = FORMS[form]
    submit = getattr(submissions, spec.submit)
    try:
        slots = {**tracker.slots, submissions.TURNS_KEY: recent_turns(tracker.events),
                 submissions.CHANNEL_KEY: channel_of(tracker),
                 submissions.PHONE_KEY: (tracker.latest_message.get("metadata") or {}).get("phone_token")}
        sent = await in_thread(submit, tracker.sender_id, slots)
    except (SQLAlchemyError, OSError) as error:
        # Nothing is said to be sent; the draft stays in the conversation's slots.
        logger.warning("could not store %s: %s", form, type(error).__name__)
        say(dispatcher, "submit_failed", tracker)
        return [SlotSet("pending_submit", form)]
    say(dispatcher, sent.message, tracker, **sent.values)
    if not sent.stored:
        # Refused (and audited): nothing was sent. Forget the draft and show who the conversation really is.
        say(dispatcher, "menu", tracker)
        return clear_form(form) + [SlotSet("pending_submit", None)] + child_events(await lookup(tracker))
    # What was sent is remembered, so a "stop" or "I changed my mind" now gets a true answer (it is sent) and a
    # way to take it back (actions/sent.py).
    remembered = [SlotSet("last_sent", sent.record)] if sent.record else []
    if form == "callback_form" and tracker.get_slot("paused_form"):  # issue 15: back to where they were?
        say(dispatcher, "back_to_form", tracker)
    # Name, council and contact stay known for the rest of the conversation (not asked again by the next form).
    kept = clear_form(form, keep_remembered=True)
    return kept + [SlotSet(slot, value) for slot, value in spec.clears_after_send.items()] + remembered


class SubmitAction(Action):
    form: str = ""
    action_name: str = ""

    def name(self) -> str:
        return self.action_name

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        return await send(self.form, dispatcher, tracker, domain)


# One submit action per form in the registry, named by its `submit_action`.
SUBMIT_ACTIONS: Dict[str, type] = {
    spec.name: type(f"Submit_{spec.name}", (SubmitAction,), {"form": spec.name, "action_name": spec.submit_action})
    for spec in FORMS.values()
}


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
