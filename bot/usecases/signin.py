"""Web sign-in: a staff member (or the CLI) issues a one-time code; the child types it into the chat.

A wrong code is counted even though the sign-in fails: the failure is committed before ``InvalidCode``
reaches the caller, so the limits (per address, across the deployment) hold. The chat asks
``web_conversation_status`` before continuing a conversation, so one whose link staff ended is never
continued. Staff see and end codes on the child's page (``sign_in_panel``, ``end_sign_in``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit, signin
from bot.services.errors import InvalidCode, NotFound
from bot.services.read_models.access import child_for_staff
from bot.services.read_models.sign_in_codes import sign_in_codes

normalise_code = signin.normalise_code  # the edge checks the shape before asking the database
SignInPaused = signin.SignInPaused  # a RateLimited across the whole deployment
SIGNED_IN, ANONYMOUS, ENDED = signin.SIGNED_IN, signin.ANONYMOUS, signin.ENDED


@dataclass(frozen=True)
class SignedIn:
    """A code was accepted: whose it is, and whether to ask the child about words from before sign-in."""

    child_id: str
    ask_about_earlier: bool


def issue_sign_in_code(child_id: str, issued_by: str | None) -> str:
    """A new code for the child, grouped like ``K7QM-4TXR`` (shown once; only its keyed hash is stored).
    ``issued_by`` is a staff username, or None for the system."""
    with session_scope() as session:
        return signin.issue_code(session, child_id, issued_by)


def redeem_sign_in_code(
    code: str,
    conversation_id: str,
    address: str,
    *,
    earlier_conversation_id: str | None = None,
    channel: str = "web",
    now: datetime | None = None,
) -> SignedIn:
    """Link ``conversation_id`` (new, made by the server) to the code's child.

    ``earlier_conversation_id``: the conversation the browser had before (where the child wrote something);
    it is set aside, not linked, until the child answers (``decide_earlier_conversation``).
    Raises ``RateLimited`` (too many wrong codes from ``address`` or everywhere) or ``InvalidCode`` (the
    failure is committed first)."""
    refused: InvalidCode | None = None
    with session_scope() as session:
        try:
            child = signin.redeem_code(session, code, conversation_id, address, channel=channel, now=now)
            ask = bool(earlier_conversation_id) and signin.hold_earlier(
                session, conversation_id, str(earlier_conversation_id)
            )
            result = SignedIn(child_id=str(child.id), ask_about_earlier=ask)
        except InvalidCode as error:
            refused = error  # leave the block normally: the failure commits with it
    if refused is not None:
        raise refused
    return result


def decide_earlier_conversation(conversation_id: str, earlier_conversation_id: str, keep: bool) -> bool:
    """The child said whether the words from before sign-in were theirs (only the first answer counts).
    True when the earlier conversation is now linked to the child (then continue it, not the new one)."""
    with session_scope() as session:
        return signin.decide_earlier(session, conversation_id, earlier_conversation_id, keep)


def web_conversation_status(conversation_id: str) -> str:
    """``signed_in``, ``anonymous`` or ``ended`` (staff ended its link: start a new conversation instead)."""
    with session_scope() as session:
        return signin.web_conversation_status(session, conversation_id)


def sign_in_panel(staff: StaffUser, child_id: str) -> list[dict[str, Any]]:
    """The child's sign-in codes for the child's page: who made each, and what became of it."""
    with session_scope() as session:
        child_for_staff(session, staff, child_id)
        return sign_in_codes(session, child_id, can_end=staff.role == "social_worker")


def end_sign_in(staff: StaffUser, child_id: str, code_id: int) -> str:
    """A social worker cancels an unused code or ends the link of the conversation it signed in (audited).
    Returns ``cancelled`` or ``ended``. ``NotFound`` outside the caseload or for another child's code."""
    if staff.role != "social_worker":
        raise NotFound("no such child")
    with session_scope() as session:
        child_for_staff(session, staff, child_id)
        return signin.end_code(session, child_id, code_id, audit.staff_actor(staff.username))
