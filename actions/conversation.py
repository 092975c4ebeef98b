"""Starting, steering and stopping a conversation: greeting, forms, questions, fallbacks."""

from __future__ import annotations

import logging
from typing import Any, Dict, List

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import channel_of, clear_form, in_thread, latest_intent, run_turn_again, say
from actions.sent import say_already_sent, say_stopped, sent_earlier
from bot.dialogue import identity, submissions, typed_buttons
from bot.dialogue import answers, child_says, everyday, messages
from bot.dialogue.forms import FORMS, form_of_intent, remembered, remembered_label
from bot.dialogue.intents import EXPLAIN_MESSAGES, REPLIES, SENT_ACTIONS, reply_intent
from bot.services.council_hours import phrase, server_hours
from bot.usecases import council_hours
from bot.usecases import child_requests
from bot.usecases.conversation import VisitorMatchInfo, current_visitor_match
from bot.usecases.sms_outbound import take_waiting_for_web

logger = logging.getLogger(__name__)
WITHDRAW_INTENT = next(intent for intent, action in SENT_ACTIONS.items() if action == "action_withdraw_sent")


def child_events(context: identity.ChildContext | None) -> List[Any]:
    """The slots that show who is talking (display state only: every use case works the child out from the
    conversation itself, never from these)."""
    if context is None:
        return [SlotSet("child_id", None), SlotSet("child_name", None), SlotSet("has_pending_match", False),
                SlotSet("match_id", None), SlotSet("match_label", None)]
    return [
        SlotSet("child_id", context.child_id),
        SlotSet("child_name", context.name),
        SlotSet("audio_on", context.audio_on),
        SlotSet("reading_level", context.reading_level),
        SlotSet("next_review", context.next_review),
        SlotSet("has_pending_match", context.match_id is not None),
        SlotSet("match_id", context.match_id),
        SlotSet("match_label", context.match_label),
    ]


async def lookup(tracker: Tracker) -> identity.ChildContext | None:
    """Who is talking, from the conversation (its id, as the channel gave it to Rasa); None when nobody signed
    in or the case database is down."""
    try:
        return await in_thread(identity.who_is_talking, tracker.sender_id, channel_of(tracker))
    except SQLAlchemyError as error:
        logger.warning("case database unavailable at session start: %s", type(error).__name__)
        return None


async def look_up_now(tracker: Tracker) -> tuple[identity.ChildContext | None, bool]:
    """Who is talking, read from the case database now: (context, True); (None, False) when it is down."""
    try:
        return await in_thread(identity.who_is_talking, tracker.sender_id, channel_of(tracker)), True
    except SQLAlchemyError as error:
        logger.warning("case database unavailable looking up who is talking: %s", type(error).__name__)
        return None, False


async def reading_hours(tracker: Tracker) -> str:
    """When a person reads what this child sends: their council's hours ("on working days, 9am to 5pm"); the
    server's setting when the case database is down."""
    try:
        return await in_thread(council_hours.reading_hours_phrase, tracker.sender_id)
    except SQLAlchemyError as error:
        logger.warning("case database unavailable reading the council's hours: %s", type(error).__name__)
        return phrase(server_hours())


async def answer_everyday(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Everyday words outside a form answered kindly (``bot.dialogue.everyday``): the truth about Heard, a wish
    offered to the review, a feeling named. False when the message is none of these."""
    found = everyday.read_everyday((tracker.latest_message or {}).get("text"))
    if found is None:
        return False
    if found.kind == everyday.ABOUT_HEARD:
        say(dispatcher, "how_heard_works", tracker, hours=await reading_hours(tracker))
        say(dispatcher, "menu", tracker)
    elif found.kind == everyday.FEELING:
        say(dispatcher, "feeling_reply", tracker, feeling=found.words)
        say(dispatcher, "menu", tracker)
    else:  # a wish, or missing someone: offered to the review, the words kept if they say yes
        if found.kind == everyday.MISSING:
            say(dispatcher, "missing_reply", tracker, who=found.words)
        say(dispatcher, "wish_offer", tracker)
    return True


def answer_small_talk(dispatcher: CollectingDispatcher, tracker: Tracker, questions: bool = True) -> bool:
    """A sentence nothing else placed, outside a form (``everyday.small_talk``): something told is thanked, with the
    truth that Heard is a computer; something asked (when ``questions``) is one Heard cannot help with. Then the
    menu. False when the message is too short to tell ("Sorry, I did not get that")."""
    kind = everyday.small_talk((tracker.latest_message or {}).get("text"))
    if kind is None or (kind == everyday.QUESTION and not questions):
        return False
    say(dispatcher, "chat_reply" if kind == everyday.CHAT else "out_of_scope", tracker)
    say(dispatcher, "menu", tracker)
    return True


async def answer_everyday_words(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Everyday words answered as such (``answer_everyday``, else ``answer_small_talk``); False when neither."""
    return await answer_everyday(dispatcher, tracker) or answer_small_talk(dispatcher, tracker)


def asks_about_heard(tracker: Tracker) -> bool:
    found = everyday.read_everyday((tracker.latest_message or {}).get("text"))
    return found is not None and found.kind == everyday.ABOUT_HEARD


def request_in_words(tracker: Tracker) -> List[Any] | None:
    """A plain request the classifier did not place ("can i have an advocate"): the turn runs again as that
    request, with the child's words (the form keeps what they say more). None when it is no such request."""
    text = str((tracker.latest_message or {}).get("text") or "")
    intent = everyday.asked_for_service(text)
    if intent is None or tracker.active_loop_name is not None:
        return None
    return [UserUtteranceReverted(), *run_turn_again(tracker, text, typed_buttons.parse_data(text, intent))]


def take_back_in_words(tracker: Tracker) -> List[Any] | None:
    """"i want to take back my review answers", "undo my wishes" outside a form, whatever the classifier made of it
    (a wish to start the wishes form, a question about reviews, nothing): the turn runs again as taking back what
    was sent (``action_withdraw_sent`` asks first, or says there is nothing of that kind to take back). None when the
    words ask no such thing."""
    text = str((tracker.latest_message or {}).get("text") or "")
    if text.startswith("/") or tracker.active_loop_name is not None or child_says.take_back_request(text) is None:
        return None
    return [UserUtteranceReverted(), *run_turn_again(tracker, text, typed_buttons.parse_data(text, WITHDRAW_INTENT))]


class SessionStart(Action):
    """Links the conversation to a child when a worker's sign-in code or a known SMS number says who."""

    def name(self) -> str:
        return "action_session_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        context = await lookup(tracker)
        return [SessionStarted(), *child_events(context), ActionExecuted("action_listen")]


async def waiting_messages(child_id: str | None) -> List[Dict[str, Any]]:
    """The messages waiting in the widget for this child (marked shown); none when the database is down (they
    stay waiting for the next time)."""
    if not child_id:
        return []
    try:
        return await in_thread(take_waiting_for_web, child_id)
    except SQLAlchemyError as error:
        logger.warning("waiting messages not read: %s", type(error).__name__)
        return []


class Greet(Action):
    def name(self) -> str:
        return "action_greet"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        # Looked up every time, never only from the slots set at session start: the child may have signed in
        # since, and a visitor proposed since the conversation began is offered now.
        context, known = await look_up_now(tracker)
        if known:
            events: List[Any] = child_events(context)
            name = context.name if context else None
            pending = bool(context and context.match_id)
        else:  # the case database is down: what the conversation showed before
            events = []
            name = tracker.get_slot("child_name")
            pending = bool(tracker.get_slot("has_pending_match"))
        say(dispatcher, "greet", tracker, child_greeting=f" {name}" if name else "")
        # Honest words (issue 15): a computer, nobody reads as it happens, and when a person does.
        say(dispatcher, "how_heard_works", tracker, hours=await reading_hours(tracker))
        # What Heard said first while the widget was closed (news of a request, a proposed match, a review coming:
        # bot.services.child_messages), shown once. A waiting match question stands for the match offer.
        waiting = await waiting_messages(context.child_id if known and context else None)
        for message in waiting:
            dispatcher.utter_message(text=message["text"], buttons=message["buttons"] or None)
        if waiting and waiting[-1]["buttons"]:
            return events
        if pending and not any(b.get("payload") == "/check_match" for m in waiting for b in m["buttons"]):
            say(dispatcher, "pending_match_greet", tracker)
        else:
            say(dispatcher, "menu", tracker)
        return events


class StartForm(Action):
    """Begins a fresh form: forgets old answers and gives this submission its own id."""

    def name(self) -> str:
        return "action_start_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        intent, _ = latest_intent(tracker)
        form = form_of_intent(intent)
        if form is None:
            return []
        taking_back = take_back_in_words(tracker)
        if taking_back is not None:
            return taking_back  # "i want to take back my review answers" is not a new statement
        start = FORMS[form].starts[str(intent)]
        for name in start.messages:
            say(dispatcher, name, tracker)
        # Nothing said first is lost: a reason or a wish in the starting message is kept as its answer.
        text = (tracker.latest_message or {}).get("text")
        guess_buttons = messages.buttons(f"ask_{start.guess_slot}") if start.guess_slot else []
        first = answers.first_answers(start.words_slot, start.guess_slot, text, guess_buttons)
        if start.words_slot in first:
            say(dispatcher, "kept_first_words", tracker)
        known = remembered(tracker.slots, form)
        if known:
            say(dispatcher, "remembered_answers", tracker, facts=remembered_label(known))
        return (
            clear_form(form, keep_remembered=True)
            + [SlotSet("submission_id", submissions.new_submission_id())]
            + [SlotSet(slot, value) for slot, value in {**first, **start.preset}.items()]
        )


class Digress(Action):
    """Answers a question asked in the middle of anything; a form then carries on."""

    def name(self) -> str:
        return "action_digress"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        intent, _ = latest_intent(tracker)
        in_form = tracker.active_loop_name is not None
        again = take_back_in_words(tracker) or request_in_words(tracker)
        if again is not None:
            return again  # "i need an advocate because ...": a request, not a question about advocates
        if intent == "help" and not in_form and await answer_everyday(dispatcher, tracker):
            return []  # "are you a robot": the truth about Heard, not the help menu
        if intent == "talk_to_person" and not in_form and asks_about_heard(tracker):
            await answer_everyday(dispatcher, tracker)
            return []  # "wait are you a real human?": the truth (a computer), not the talk-to-a-person answer
        if intent == "help":
            say(dispatcher, "help_in_form" if in_form else "help", tracker)
        elif intent == "ask_about_visitor" and "mentor" in (tracker.latest_message.get("text") or "").lower():
            say(dispatcher, "explain_mentor", tracker)
        elif intent in EXPLAIN_MESSAGES:
            say(dispatcher, EXPLAIN_MESSAGES[intent], tracker)
        else:
            say(dispatcher, "default", tracker)
        if not in_form and intent == "talk_to_person":
            say(dispatcher, "menu", tracker)
        return []


class StopForm(Action):
    """Ends a form without sending it. With no form open, after something was sent in this conversation, it
    says so truthfully and offers to take it back (actions/sent.py), never "Nothing was sent"."""

    def name(self) -> str:
        return "action_stop_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        events: List[Any] = []
        for form in FORMS:
            events += clear_form(form)
        sent = sent_earlier(tracker)
        if sent:
            say_already_sent(dispatcher, tracker, sent)
            return events
        return events + await say_stopped(dispatcher, tracker)  # "Nothing was sent" only when nothing was


MATCH_SLOTS = ("has_pending_match", "match_id", "match_label")


async def current_match(tracker: Tracker) -> VisitorMatchInfo | None:
    """The conversation's child's visitor (waiting for an answer, said yes to, or appointed), from the case
    database; None when there is none, nobody signed in, or the database is down."""
    try:
        return await in_thread(current_visitor_match, tracker.sender_id)
    except SQLAlchemyError as error:
        logger.warning("case database unavailable looking up a visitor: %s", type(error).__name__)
        return None


def open_match_form(context: identity.ChildContext | None, match: VisitorMatchInfo, objecting: bool) -> List[Any]:
    """Events that start the match form for ``match`` (its answer checked again when it is sent)."""
    events = [e for e in child_events(context) if e["name"] not in MATCH_SLOTS]
    events += clear_form("match_form") + [
        SlotSet("has_pending_match", True),
        SlotSet("match_id", match.match_id),
        SlotSet("match_label", match.label),
        SlotSet("submission_id", submissions.new_submission_id()),
    ]
    if objecting:
        events.append(SlotSet("match_decision", "object"))
    return events


async def end_appointed_visitor(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """The child no longer wants their appointed visitor: recorded for their social worker, who talks to them."""
    words = (tracker.latest_message or {}).get("text")
    try:
        recorded = await in_thread(child_requests.ask_to_end_visitor, tracker.sender_id, words)
    except child_requests.TextTooLong:
        say(dispatcher, "text_too_long", tracker)
        return
    except SQLAlchemyError as error:
        logger.warning("could not record the end of a visitor: %s", type(error).__name__)
        say(dispatcher, "end_visitor_failed", tracker)
        return
    say(dispatcher, "visitor_end_requested" if recorded else "no_pending_match", tracker)


class CheckMatch(Action):
    """A child asks about, or says no to, their visitor. A proposed visitor gets the match form (yes or no); a
    no to one they said yes to, not yet appointed, gets it too (an objection stops the appointment); a no to
    their appointed visitor is recorded for their social worker. Always read from the case database."""

    def name(self) -> str:
        return "action_check_match"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        intent, _ = latest_intent(tracker)
        objecting = intent == "object_visitor"
        context = await lookup(tracker)
        match = await current_match(tracker) if context is not None else None
        if match is not None and (match.status == "proposed" or (objecting and match.status == "accepted")):
            return open_match_form(context, match, objecting)
        if match is None:
            # "i dont like peas" (no visitor named, none proposed): everyday words, answered as such
            answered = not everyday.mentions_visitor((tracker.latest_message or {}).get("text")) and (
                await answer_everyday_words(dispatcher, tracker))
            if not answered:
                say(dispatcher, "no_pending_match", tracker)
        elif objecting and match.status == "appointed":
            await end_appointed_visitor(dispatcher, tracker)
        else:
            said_yes = match.status == "accepted"
            say(dispatcher, "match_said_yes" if said_yes else "match_is_yours", tracker, label=match.label)
        return [SlotSet("has_pending_match", False)]


class Fallback(Action):
    """Says kindly it did not understand, unless the child typed a button ("1", or its words) outside a form:
    then the turn runs again as if that button was pressed, as Rasa's TwoStageFallbackAction re-runs a
    clarified message (the re-run message is the button's payload, which is never mapped again)."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        if tracker.active_loop_name is None:
            intent, _ = latest_intent(tracker)
            known = typed_buttons.domain_intents(domain or {})
            pressed = typed_buttons.typed_button(
                (tracker.latest_message or {}).get("text"), intent, tracker.events, known or None
            )
            if pressed is not None:
                return [UserUtteranceReverted(), *run_turn_again(tracker, pressed.payload, pressed.parse_data())]
            again = take_back_in_words(tracker) or request_in_words(tracker)
            if again is not None:
                return again
            if await answer_everyday_words(dispatcher, tracker):
                return []
        say(dispatcher, "default", tracker)
        if tracker.active_loop_name is None:
            say(dispatcher, "menu", tracker)
        return []


class Reply(Action):
    def name(self) -> str:
        return "action_reply"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        intent, confidence = latest_intent(tracker)
        wish = everyday.wish_to_tell(tracker.events) if intent == "affirm" else None
        if wish:
            # Yes to "do you want to tell your review?": the wishes form starts with the child's words kept.
            return run_turn_again(tracker, wish, typed_buttons.parse_data(wish, "share_wishes"))
        answered = reply_intent(intent, confidence)
        everyday_words = answered in ("goodbye", "out_of_scope") and tracker.active_loop_name is None
        again = (take_back_in_words(tracker) or request_in_words(tracker)) if everyday_words else None
        if again is not None:
            return again
        if everyday_words and await answer_everyday(dispatcher, tracker):
            return []  # "i want a later bedtime" is a wish, not a goodbye, however sure the classifier is
        if answered == "out_of_scope" and tracker.active_loop_name is None and answer_small_talk(
                dispatcher, tracker, questions=False):
            return []  # "went on the biggest rollercoaster": thanked for telling, not "I can't help with that"
        for name in REPLIES.get(answered or "", ["default", "menu"]):
            say(dispatcher, name, tracker)
        return []
