"""What this conversation's child sent before this chat and has not taken back (``bot.services.sent_before``):
read in one short transaction, for a "stop" or "I changed my mind" in a new session (``actions/sent.py``)."""

from __future__ import annotations

from bot.db.engine import session_scope
from bot.services import sent_before


def latest_sent(conversation_id: str, record_type: str | None = None) -> str | None:
    """``"<record type>:<id>"`` of the latest record sent before and not taken back (of ``record_type`` only, when
    given), or None."""
    with session_scope() as s:
        return sent_before.latest_sent(s, conversation_id, record_type)
