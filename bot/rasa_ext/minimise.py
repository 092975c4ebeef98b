"""What the tracker store does after saving a conversation's new events, so the transcript holds as little as
possible (issue 17; the rules are in ``bot.services.transcripts``):

* "delete this chat" (the action ``action_delete_chat`` ran in this turn): every event of the conversation is
  deleted, after the reply was sent; the next message starts a new conversation;
* a form's record was committed in this turn (``last_sent`` set): the turns it came from are redacted;
* phone numbers and e-mail addresses in the new user messages are masked.

A failure here is logged (never the words) and never stops the conversation: the purge deletes the transcript
at the end of its period anyway.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from rasa.shared.core.events import ActionExecuted, SlotSet
from sqlalchemy.engine import Engine

from bot.dialogue.intents import DELETE_CHAT_ACTION
from bot.services import transcripts

log = logging.getLogger(__name__)


def sent_record(new_events: Sequence[Any]) -> str | None:
    """The record this turn committed (the last ``last_sent`` value set), if any."""
    sent = [e.value for e in new_events if isinstance(e, SlotSet) and e.key == "last_sent" and e.value]
    return str(sent[-1]) if sent else None


def after_save(engine: Engine, sender_id: str, last_stored_id: int, new_events: Sequence[Any]) -> None:
    """Minimise the conversation's transcript after Rasa stored ``new_events`` (ids after ``last_stored_id``)."""
    try:
        with engine.begin() as conn:
            if any(isinstance(e, ActionExecuted) and e.action_name == DELETE_CHAT_ACTION for e in new_events):
                transcripts.delete_conversation(conn, sender_id)
                return
            transcripts.mask_new_user_turns(conn, sender_id, last_stored_id)
            record = sent_record(new_events)
            if record:
                cleared = {e.key for e in new_events if isinstance(e, SlotSet) and e.value is None}
                transcripts.redact_sent_turns(conn, sender_id, record, cleared)
    except Exception as error:  # noqa: BLE001 - never stop the conversation; the purge still applies
        log.error("Could not minimise a transcript (%s)", type(error).__name__)
