"""The child's own privacy (issue 17): "delete this chat". The transcript goes (the tracker store deletes it once
this turn is saved: ``bot.rasa_ext.minimise``); what the chat sent and any alert it raised stay, and the child
is told so, kindly and truly. Said inside a form, the form's rule ends it first (scripts/make_rules.py): its
answers are not sent, and the child is told that too."""

from __future__ import annotations

import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import clear_form, in_thread, say
from actions.sent import form_was_open
from bot.dialogue.forms import FORMS
from bot.dialogue.intents import DELETE_CHAT_ACTION
from bot.usecases.transcripts import forget_chat

logger = logging.getLogger(__name__)


class DeleteChat(Action):
    def name(self) -> str:
        return DELETE_CHAT_ACTION

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        try:
            kept = await in_thread(forget_chat, tracker.sender_id)
        except SQLAlchemyError as error:
            # The chat is still deleted; an alert is never lost (it is in the case database or the spool).
            logger.warning("could not audit a chat deletion: %s", type(error).__name__)
            kept = None
        say(dispatcher, "chat_deleted", tracker)
        if form_was_open(tracker):  # said inside a form: its rule ended the form, and nothing of it was sent
            say(dispatcher, "chat_deleted_form_not_sent", tracker)
        if kept is not None and kept.records_kept:
            say(dispatcher, "chat_deleted_records_kept", tracker)
        if kept is not None and kept.alerts_kept:
            say(dispatcher, "chat_deleted_alert_kept", tracker)
        return [event for form in FORMS for event in clear_form(form)]
