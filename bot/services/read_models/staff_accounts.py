"""The admin's accounts page: the council's staff accounts and API tokens (never a token itself). An admin
lists and revokes tokens; only a token's owner makes one."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import StaffUser
from bot.services.api_tokens import tokens_of_council
from bot.services.read_models.api_tokens import token_view


def staff_list(s: Session, local_authority_id: int) -> list[StaffUser]:
    """The council's staff accounts, by role then username."""
    return (
        s.execute(
            select(StaffUser)
            .where(StaffUser.local_authority_id == local_authority_id)
            .order_by(StaffUser.role, StaffUser.username)
        )
        .scalars()
        .all()
    )


def accounts_page(s: Session, local_authority_id: int) -> dict[str, Any]:
    """``users`` and ``tokens`` (newest first, with their owner's username) of one council."""
    users = staff_list(s, local_authority_id)
    tokens = tokens_of_council(s, local_authority_id)
    names = {u.id: u.username for u in users}
    return {
        "users": [
            {
                "id": u.id,
                "username": u.username,
                "display_name": u.display_name,
                "role": u.role,
                "active": u.active,
            }
            for u in users
        ],
        "tokens": [token_view(t, names.get(t.staff_id, "?")) for t in tokens],
    }
