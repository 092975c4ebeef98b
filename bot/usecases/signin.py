"""Web sign-in: a staff member (or the CLI) issues a one-time code; the child types it into the chat.

A wrong code is counted against the rate key even though the sign-in fails: the failed attempt is
committed before ``InvalidCode`` reaches the caller, so the limit (5 per 15 minutes) holds.
"""

from __future__ import annotations

from datetime import datetime

from bot.db.engine import session_scope
from bot.services import signin
from bot.services.errors import InvalidCode


def issue_sign_in_code(child_id: str, issued_by: str | None) -> str:
    """A new 6-digit code for the child (shown once; only its HMAC is stored). ``issued_by`` is a staff
    username, or None for the system."""
    with session_scope() as session:
        return signin.issue_code(session, child_id, issued_by)


def redeem_sign_in_code(
    code: str, conversation_id: str, rate_key: str, *, channel: str = "web", now: datetime | None = None
) -> str:
    """Link the conversation to the code's child; returns the child's id.

    Raises ``RateLimited`` (too many failures for ``rate_key``) or ``InvalidCode`` (wrong, expired or used
    code; the failed attempt is committed first)."""
    refused: InvalidCode | None = None
    with session_scope() as session:
        try:
            child_id = str(signin.redeem_code(session, code, conversation_id, rate_key, channel=channel, now=now).id)
        except InvalidCode as error:
            refused = error  # leave the block normally: the failed attempt commits with it
    if refused is not None:
        raise refused
    return child_id
