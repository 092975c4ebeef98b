"""SMS send queue use cases: one transaction each (the channel and its workers never open a session).

* ``queue_turn``: the SMS channel queues the texts answering one incoming text (``bot.channels.sms``).
* ``claim`` / ``sent`` / ``retry`` / ``failed`` / ``dropped``: the workers of ``bot.channels.sms_sender``.
* ``take_waiting_for_web``: the web widget shows what waits for a signed-in child.
The rules are in ``bot.services.outbound_queue`` and ``bot.services.child_messages``.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.db.engine import get_engine, session_scope
from bot.services import child_messages, outbound_queue
from bot.services.outbound_queue import ClaimedText

logger = logging.getLogger(__name__)


def queue_turn(phone: str, parts: list[str], options: list[dict[str, str]], *, kind: str = "reply") -> bool:
    """Queue the texts of one turn to `phone` (the last carries `options`); False when not queued (logged,
    never with the number or the words)."""
    if not parts:
        return True
    try:
        with session_scope() as s:
            outbound_queue.add_texts(s, phone, parts, options, kind=kind)
        return True
    except Exception as error:  # noqa: BLE001 - the channel answers Twilio whatever happens
        logger.error("could not queue an SMS reply: %s", type(error).__name__)
        return False


def claim(worker: str, *, with_options: bool = True, database_url: str | None = None) -> list[ClaimedText]:
    """Claim the next text that may be sent now (none, or one)."""
    with session_scope(get_engine(database_url)) as s:
        return outbound_queue.claim(s, worker, with_options=with_options)


def sent(row_id: int, worker: str, provider_id: str | None, segments: int, database_url: str | None = None) -> bool:
    with session_scope(get_engine(database_url)) as s:
        return outbound_queue.mark_sent(s, row_id, worker, provider_id=provider_id, segments=segments)


def retry(row_id: int, worker: str, error_code: str, delay: float, database_url: str | None = None) -> bool:
    with session_scope(get_engine(database_url)) as s:
        return outbound_queue.mark_retry(s, row_id, worker, error_code=error_code, delay=delay)


def failed(row_id: int, worker: str, error_code: str, database_url: str | None = None) -> bool:
    with session_scope(get_engine(database_url)) as s:
        return outbound_queue.mark_failed(s, row_id, worker, error_code=error_code)


def dropped(row_id: int, worker: str, database_url: str | None = None) -> bool:
    with session_scope(get_engine(database_url)) as s:
        return outbound_queue.mark_dropped(s, row_id, worker)


def pending(database_url: str | None = None) -> int:
    with session_scope(get_engine(database_url)) as s:
        return outbound_queue.pending_count(s)


def take_waiting_for_web(child_id: str) -> list[dict[str, Any]]:
    """Messages waiting in the widget for this child (``{"text", "buttons"}``), marked shown."""
    with session_scope() as s:
        return child_messages.take_waiting_messages(s, child_id)
