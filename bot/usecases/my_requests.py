"""A child asks what is happening with their requests (issue 15 item 5). The child is the conversation's own
(``bot.services.children.child_for_conversation``), never a slot; a conversation nobody signed in to has none.
Read only; the child reading their own records is not a staff read (nothing to audit)."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.services.children import child_for_conversation
from bot.services.read_models.my_requests import my_requests


def requests_of_conversation(conversation_id: str) -> list[dict[str, Any]] | None:
    """The conversation's child's requests (``my_requests``), or None when nobody signed in."""
    with session_scope() as session:
        child = child_for_conversation(session, conversation_id)
        return None if child is None else my_requests(session, child.id)
