"""A member of staff's own API tokens (make, list, revoke), and what a bearer token may do on a request.

Only the owner makes a token, for themselves: there is no use case that makes one for anyone else. An admin
lists and revokes their council's tokens (``bot.usecases.review_admin``). Rules: ``bot.services.api_tokens``.
"""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import api_tokens
from bot.services.api_tokens import ApiGrant
from bot.services.read_models.api_tokens import own_tokens_page


def read_own_tokens(staff: StaffUser) -> dict[str, Any]:
    """The staff member's tokens and the scopes their role may give one."""
    with session_scope() as s:
        return own_tokens_page(s, staff)


def create_own_token(staff: StaffUser, label: str, scopes: list[str], days: int) -> str:
    """A new token of the signed-in staff member's own (shown once); ``InvalidChoice`` when refused."""
    with session_scope() as s:
        _row, token = api_tokens.create_token(s, staff, label, scopes, days)
        return token


def revoke_own_token(staff: StaffUser, token_id: int) -> None:
    """Revoke one of the staff member's own tokens (``NotFound`` for anyone else's)."""
    with session_scope() as s:
        api_tokens.revoke_token(s, token_id, staff)


def grant_for_bearer(token: str) -> ApiGrant | None:
    """What the bearer token of an API request may do (its last use recorded), or None."""
    with session_scope() as s:
        return api_tokens.grant_for_token(s, token)
