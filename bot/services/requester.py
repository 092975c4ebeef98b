"""Whose request a child's message is: the child the conversation is linked to, never a child the request names.

A conversation is linked to a child by a web sign-in code or a known SMS number (``conversation_links``);
that link, found from the conversation id Rasa was given by the channel, is the only way a request is a
child's. What the conversation shows (the ``child_id`` slot) is display state: it is compared, never used.
A request that names another child is refused: ``refuse`` adds an audit event (actor: the conversation's
reference; what was asked for and why it was refused; never the child's words) and raises ``NotYours``.
The caller (a use case) commits the event before it passes the error on, so every refusal is on the record.
"""

from __future__ import annotations

from typing import NoReturn

from sqlalchemy.orm import Session

from bot.db.models import Child
from bot.services import audit
from bot.services.children import child_for_conversation
from bot.services.errors import NotYours


def refuse(s: Session, conversation_id: str, entity_type: str, entity_id: object | None, reason: str,
           request: str) -> NoReturn:
    """Audit a refused request from this conversation (in ``s``), then raise ``NotYours``."""
    audit.record(s, audit.conversation_actor(conversation_id), "refused", entity_type, entity_id,
                 {"reason": reason, "request": request})
    s.flush()
    raise NotYours(f"{request} refused: {reason}")


def requesting_child(s: Session, conversation_id: str, claimed_child_id: str | None, request: str) -> str | None:
    """The id of the child this conversation is linked to, or None for a conversation nobody signed in to.

    ``claimed_child_id`` (the child the conversation shows) is only compared: when it names a child that
    exists and is not the conversation's child, the request is refused (``refuse``). A claimed id of no
    child at all (a record purged since the conversation began) is not another child and is ignored.
    """
    child = child_for_conversation(s, conversation_id)
    child_id = child.id if child is not None else None
    if claimed_child_id and claimed_child_id != child_id and s.get(Child, str(claimed_child_id)) is not None:
        refuse(s, conversation_id, "child", claimed_child_id, "names another child", request)
    return child_id
