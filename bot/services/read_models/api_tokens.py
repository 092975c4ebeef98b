"""API tokens as the token pages show them (never a token itself, nor its hash): a staff member's own
("API tokens"), and the council's (the admin's Staff page)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import StaffUser, utcnow
from bot.db.review_models import StaffApiToken
from bot.services.api_tokens import DEFAULT_DAYS, MAX_DAYS, SCOPES, scopes_for_role, tokens_of_staff


def token_view(t: StaffApiToken, username: str) -> dict[str, Any]:
    """One token: its first characters, label, owner, scopes, dates and state."""
    expired = t.expires_at <= utcnow()
    return {
        "id": t.id,
        "username": username,
        "label": t.label,
        "prefix": t.prefix,
        "scopes": t.scopes.split(),
        "created_at": t.created_at,
        "expires_at": t.expires_at,
        "last_used_at": t.last_used_at,
        "revoked": t.revoked_at is not None,
        "expired": expired,
        "active": t.revoked_at is None and not expired,
    }


def own_tokens_page(s: Session, staff: StaffUser) -> dict[str, Any]:
    """``tokens`` of ``staff`` (newest first), the ``scopes`` their role may give one, and the expiry limits."""
    return {
        "tokens": [token_view(t, staff.username) for t in tokens_of_staff(s, staff.id)],
        "scopes": {scope: SCOPES[scope] for scope in scopes_for_role(staff.role)},
        "default_days": DEFAULT_DAYS,
        "max_days": MAX_DAYS,
    }
