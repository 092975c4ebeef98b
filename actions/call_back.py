"""After a disclosure, "Yes, please" asks for a person (issue 15 item 6). In the middle of another form, that form
is paused (its answers stay in the conversation), the call-back form runs, and the child is then offered to go
back to where they were (``resume_form``). The rules: ``scripts/make_rules.py``."""

from __future__ import annotations

from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import clear_form, latest_intent, say
from bot.dialogue import submissions
from bot.dialogue.forms import CALL_BACK, CALL_BACK_OFFER_WAITING, FORMS, PAUSABLE_FORMS

PAUSED_SLOT = "paused_form"
PAUSE_ACTION = "action_pause_form"
ASK_CALL_BACK = "ask_call_back"  # the intent of asking for a person in words (its rule pauses a form: make_rules.py)


def offered_in_form(tracker: Tracker) -> bool:
    """After a disclosure: whether a person is offered by the form that is open (its next question, one question
    at a time), not by the safe answer's own buttons. Outside a form the safe answer offers one; in the call-back
    form nothing more is offered (the child is asking for a person already)."""
    return tracker.active_loop_name is not None


def call_back_offer_events(tracker: Tracker) -> List[Any]:
    """The slot that makes the open form ask "Would you like someone to talk to you today?" next."""
    return [SlotSet(CALL_BACK_OFFER_WAITING, True)] if tracker.active_loop_name in PAUSABLE_FORMS else []


def call_back_started(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Any]:
    """The call-back form's opening line and a fresh run of it (its earlier answers forgotten, name kept)."""
    for name in CALL_BACK.starts["ask_call_back"].messages:
        say(dispatcher, name, tracker)
    return clear_form(CALL_BACK.name, keep_remembered=True) + [
        SlotSet("submission_id", submissions.new_submission_id())]


class PauseForCallBack(Action):
    """A child in the middle of a form asks for a person: the form waits (its answers kept), the call-back runs."""

    def name(self) -> str:
        return PAUSE_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        paused = tracker.active_loop_name if tracker.active_loop_name in PAUSABLE_FORMS else None
        # The paused form's answers are kept: only the call-back's own slots and the run slots are reset.
        keep = {slot: tracker.get_slot(slot) for slot in ("submission_id",)}
        events: List[Any] = [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet(PAUSED_SLOT, paused)]
        if paused:
            events.append(SlotSet("paused_submission_id", keep["submission_id"]))
        # Asked for in words ("can someone call me"), a rule runs the call-back form next; after a yes to the
        # form's own offer (its validation asked for this action), nothing else would: it is started here.
        intent, _ = latest_intent(tracker)
        start = [] if intent == ASK_CALL_BACK else [FollowupAction(CALL_BACK.name)]
        return events + call_back_started(dispatcher, tracker) + start


class ResumeForm(Action):
    """Back to the form the child left for a call-back, with its answers; it asks its next question."""

    def name(self) -> str:
        return "action_resume_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        form = tracker.get_slot(PAUSED_SLOT)
        if form not in FORMS:
            say(dispatcher, "what_next", tracker)
            say(dispatcher, "menu", tracker)
            return [SlotSet(PAUSED_SLOT, None)]
        return [SlotSet(PAUSED_SLOT, None), SlotSet("submission_id", tracker.get_slot("paused_submission_id")),
                SlotSet("paused_submission_id", None), ActiveLoop(form), FollowupAction(form)]
