""""What's happening with my advocate?" (issue 15 item 5): the status of each of the child's requests in simple
words, with the first name of an allocated advocate or a proposed visitor and when to expect contact."""

from __future__ import annotations

import logging
from typing import Any, List

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from actions.common import in_thread, say
from bot.dialogue.status_lines import status_message
from bot.services.read_models.my_requests import due_in_words
from bot.usecases.my_requests import requests_of_conversation

logger = logging.getLogger(__name__)


class RequestStatus(Action):
    def name(self) -> str:
        return "action_request_status"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> List[Any]:
        try:
            rows = await in_thread(requests_of_conversation, tracker.sender_id)
        except SQLAlchemyError as error:
            logger.warning("case database unavailable reading a child's requests: %s", type(error).__name__)
            say(dispatcher, "status_unavailable", tracker)
            return []
        if rows is None:
            say(dispatcher, "status_not_signed_in", tracker)
        elif not rows:
            say(dispatcher, "status_none", tracker)
        for row in rows or []:
            name = status_message(row)
            if name:
                say(dispatcher, name, tracker, first_name=row.get("name") or "", due=due_in_words(row.get("due")))
        say(dispatcher, "menu", tracker)
        return []
