"""After a form is sent (issue 20): a "stop" then is told the truth, and the child may take it back.

The submit actions remember what was sent in the ``last_sent`` slot (``"<record type>:<id>"``). A "stop",
"cancel" or "I changed my mind" with no form open and something sent gets "Your request was already sent." and
two buttons: take it back (``withdraw_sent``) or keep it (``keep_sent``); "take it back" typed without that
question first gets the question (``take_back_chosen``). Taking it back is one use case
(``bot.usecases.child_requests.withdraw_sent``), which checks that the record is this conversation's child's
(or, not signed in, this conversation's own): the slot only says which record is meant. The child is told it
was taken back only once that is committed.
"""

from __future__ import annotations

import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import in_thread, say
from bot.dialogue import child_says, typed_buttons
from bot.usecases import child_requests
from bot.usecases.sent_before import latest_sent

logger = logging.getLogger(__name__)

LAST_SENT = "last_sent"
TAKE_BACK = "/withdraw_sent"  # the button's payload
WISHES = "wishes_statement:"
OUTCOME_MESSAGES = {"withdrawn": "withdrawn", "already": "already_withdrawn", "too_late": "withdraw_too_late"}
# "I cannot find {what} to take back", for each kind of record a child can name.
NOTHING_OF_KIND = {child_says.TAKE_BACK_WISHES: "any answers for your review",
                   child_says.TAKE_BACK_ADVOCATE: "an ask for an advocate",
                   child_says.TAKE_BACK_VISITOR: "an ask for a visitor"}


def form_was_open(tracker: Tracker) -> bool:
    """A form was running when the child asked to stop: this turn's rule ended it (``action_deactivate_loop``
    sets the active loop to null after the child's message), or it is still active."""
    if tracker.active_loop_name:
        return True
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            return False
        if event.get("event") == "active_loop" and event.get("name") is None:
            return True
    return False


def sent_earlier(tracker: Tracker) -> str | None:
    """What this conversation sent, when a "stop" comes with no form open (None: nothing, or a form was open)."""
    sent = tracker.get_slot(LAST_SENT)
    return str(sent) if sent and not form_was_open(tracker) else None


def take_back_chosen(tracker: Tracker) -> bool:
    """The child chose "take it back": pressed it (or typed its number), or typed it in answer to the question
    that offered it. Typed out of the blue ("cancel my request"), the question is asked first, so a message the
    classifier misreads never takes anything back."""
    text = str((tracker.latest_message or {}).get("text") or "").strip()
    if text.startswith(TAKE_BACK):
        return True
    return any(b.get("payload") == TAKE_BACK for b in typed_buttons.last_turn_buttons(tracker.events or []))


def say_already_sent(dispatcher: CollectingDispatcher, tracker: Tracker, sent: str) -> None:
    """"Your request was already sent." with the buttons to take it back or keep it."""
    say(dispatcher, "already_sent_wishes" if sent.startswith(WISHES) else "already_sent", tracker)


async def sent_before(tracker: Tracker, record_type: str | None = None) -> tuple[str | None, bool]:
    """What this conversation's child sent before and has not taken back (of ``record_type`` only, when given),
    from the case database (a new session remembers nothing): (its ``last_sent`` name or None, True); (None, False)
    when the database is down."""
    try:
        return await in_thread(latest_sent, tracker.sender_id, record_type), True
    except (SQLAlchemyError, OSError) as error:
        logger.warning("could not look up what was sent before: %s", type(error).__name__)
        return None, False


async def say_stopped(dispatcher: CollectingDispatcher, tracker: Tracker) -> List[Any]:
    """A "stop" told the truth. Nothing ever sent: "Nothing was sent". Something sent (in this chat, or before
    it): the form that was open was not sent, or nothing in this chat was, and what was sent before is still
    sent, with the buttons to take it back or keep it (remembered in ``last_sent`` for them)."""
    form_open = form_was_open(tracker)
    earlier = tracker.get_slot(LAST_SENT)
    known = True
    if not earlier:
        earlier, known = await sent_before(tracker)
    if earlier is None and known:
        say(dispatcher, "stopped", tracker)
        say(dispatcher, "menu", tracker)
        return []
    say(dispatcher, "stopped_this_one" if form_open else "stopped_nothing_in_this_chat", tracker)
    if earlier is None:  # the database is down: only what is sure is said
        say(dispatcher, "menu", tracker)
        return []
    say(dispatcher, "sent_before_wishes" if str(earlier).startswith(WISHES) else "sent_before", tracker)
    return [SlotSet(LAST_SENT, str(earlier))]


def named_to_take_back(tracker: Tracker) -> str | None:
    """The kind of record the child's words ask to take back ("take back my review answers": a wishes statement);
    None when they name none (a button, "take it back")."""
    text = str((tracker.latest_message or {}).get("text") or "")
    return None if text.startswith("/") else child_says.take_back_request(text) or None


async def offer_named(dispatcher: CollectingDispatcher, tracker: Tracker, record_type: str) -> List[Any]:
    """"take back my review answers": the question to take back the latest record of that kind the child sent (never
    another kind), or, when there is none, that there is nothing of it to take back."""
    sent, known = await sent_before(tracker, record_type)
    if sent:
        say_already_sent(dispatcher, tracker, sent)
        return [SlotSet(LAST_SENT, sent)]
    if not known:  # the database is down: nothing is said to be there or not
        say(dispatcher, "withdraw_check_failed", tracker)
        return []
    say(dispatcher, "nothing_sent_to_take_back", tracker, what=NOTHING_OF_KIND[record_type])
    say(dispatcher, "menu", tracker)
    return []


class WithdrawSent(Action):
    """Takes back what this conversation sent, and says so only when it is done."""

    def name(self) -> str:
        return "action_withdraw_sent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        sent = tracker.get_slot(LAST_SENT)
        named = named_to_take_back(tracker)
        if named and not str(sent or "").startswith(f"{named}:"):
            return await offer_named(dispatcher, tracker, named)
        if not sent:  # a new session: what was sent before, if anything, is offered (never taken back unasked)
            sent, _known = await sent_before(tracker)
            if not sent:
                say(dispatcher, "nothing_to_withdraw", tracker)
                say(dispatcher, "menu", tracker)
                return []
            say_already_sent(dispatcher, tracker, sent)
            return [SlotSet(LAST_SENT, sent)]
        if not take_back_chosen(tracker):
            say_already_sent(dispatcher, tracker, str(sent))
            return []
        try:
            outcome = await in_thread(child_requests.withdraw_sent, tracker.sender_id, sent)
        except child_requests.NotYours:  # audited by the use case; nothing changed
            say(dispatcher, "withdraw_refused", tracker)
            say(dispatcher, "menu", tracker)
            return [SlotSet(LAST_SENT, None)]
        except (SQLAlchemyError, OSError) as error:
            logger.warning("could not withdraw: %s", type(error).__name__)
            say(dispatcher, "withdraw_failed", tracker)  # still sent; the slot stays for "Try again"
            return []
        message = OUTCOME_MESSAGES[outcome]
        if message == "withdrawn" and str(sent).startswith(WISHES):
            message = "withdrawn_wishes"
        say(dispatcher, message, tracker)
        say(dispatcher, "menu", tracker)
        return [SlotSet(LAST_SENT, None)]


class KeepSent(Action):
    """The child keeps what they sent."""

    def name(self) -> str:
        return "action_keep_sent"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        say(dispatcher, "kept_sent" if tracker.get_slot(LAST_SENT) else "what_next", tracker)
        say(dispatcher, "menu", tracker)
        return []
