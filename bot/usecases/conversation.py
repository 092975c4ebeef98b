"""Who is talking: the child linked to a conversation (web sign-in, or an SMS number we know).

The conversation id is the one the channel gave Rasa (the web chat's conversation, or the SMS number's keyed
hash); it is the only source of who a child is. Slots only show it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.db.engine import session_scope
from bot.db.models import VisitorMatch
from bot.services import children, visitors


@dataclass(frozen=True)
class ChildContext:
    """What the dialogue knows about a recognised child."""

    child_id: str
    name: str
    audio_on: bool
    reading_level: str
    next_review: str | None
    match_id: str | None
    match_label: str | None


@dataclass(frozen=True)
class VisitorMatchInfo:
    """The visitor a child means by "my visitor" (``visitors.current_match``) and where it has got to."""

    match_id: str
    label: str
    status: str  # proposed (waiting for their answer) | accepted (said yes, not appointed yet) | appointed


def _label(match: VisitorMatch) -> str:
    return match.visitor_name + (f", {match.description}" if match.description else "")


def current_visitor_match(conversation_id: str) -> VisitorMatchInfo | None:
    """The conversation's child's visitor: one waiting for their answer, else one they said yes to, else their
    appointed visitor; None for a conversation nobody signed in to, or a child with none of these."""
    with session_scope() as session:
        child = children.child_for_conversation(session, conversation_id)
        match = visitors.current_match(session, child.id) if child is not None else None
        if match is None:
            return None
        return VisitorMatchInfo(match_id=str(match.id), label=_label(match), status=match.status)


def child_id_of(conversation_id: str) -> str | None:
    """The id of the child this conversation is linked to (web sign-in or SMS number), or None: the only way
    an action learns whose record to act on (never a slot, which says only what the conversation shows)."""
    with session_scope() as session:
        child = children.child_for_conversation(session, conversation_id)
        return child.id if child is not None else None


def who_is_talking(conversation_id: str, channel: str) -> ChildContext | None:
    """The signed-in or recognised child for this conversation, or None for an anonymous one. An SMS
    number that is a child's is linked to the conversation (committed)."""
    with session_scope() as session:
        child = children.child_for_conversation(session, conversation_id)
        if child is None and channel == "sms":
            child = children.match_sms_sender(session, conversation_id)
            if child is not None:
                children.link_conversation(session, conversation_id, child, "sms")
        if child is None:
            return None
        match = visitors.pending_match(session, child.id)
        label = _label(match) if match is not None else None
        return ChildContext(
            child_id=child.id,
            name=child.chosen_name,
            audio_on=bool(child.audio_on),
            reading_level=child.reading_level or "younger",
            next_review=child.next_review_date.isoformat() if child.next_review_date else None,
            match_id=str(match.id) if match is not None else None,
            match_label=label,
        )
