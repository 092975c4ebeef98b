"""What an admin does in the review app: staff accounts, API tokens, council settings and the audit trail.
Admins see no child's words. Each use case is one committed transaction; every change is audited by the
service it calls (``bot.services.review_admin``, ``bot.services.staff``)."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit, review_admin, staff as staff_service
from bot.services.read_models.audit_trail import audit_trail
from bot.services.read_models.staff_accounts import accounts_page
from bot.services.review_admin import CouncilSettings


def read_accounts(admin: StaffUser) -> dict[str, Any]:
    """The council's staff accounts and API tokens."""
    with session_scope() as s:
        return accounts_page(s, admin.local_authority_id)


def create_account(admin: StaffUser, username: str, display_name: str, role: str, password: str) -> None:
    """A new staff account in the admin's council (``IntegrityError`` when the username is taken)."""
    with session_scope() as s:
        staff_service.create_staff(
            s,
            username=username,
            display_name=display_name,
            role=role,
            local_authority_id=admin.local_authority_id,
            password=password,
            actor=audit.staff_actor(admin.username),
        )


def set_account_active(admin: StaffUser, staff_id: int, active: bool) -> str:
    """Deactivate or reactivate an account of the admin's council (never their own); returns its username."""
    with session_scope() as s:
        user = review_admin.set_staff_active(
            s,
            staff_id,
            active,
            audit.staff_actor(admin.username),
            admin.local_authority_id,
            by_staff_id=admin.id,
        )
        return user.username


def create_api_token(admin: StaffUser, staff_id: int, label: str) -> tuple[str, str]:
    """A new API token for an account of the admin's council: its owner's username and the token (shown once)."""
    with session_scope() as s:
        row, token = review_admin.create_api_token(
            s, staff_id, label, audit.staff_actor(admin.username), local_authority_id=admin.local_authority_id
        )
        owner = s.get(StaffUser, row.staff_id)
        return owner.username, token


def revoke_api_token(admin: StaffUser, token_id: int) -> None:
    """Revoke a token of an account of the admin's council."""
    with session_scope() as s:
        review_admin.revoke_api_token(s, token_id, audit.staff_actor(admin.username), admin.local_authority_id)


def read_council_settings(admin: StaffUser) -> CouncilSettings:
    """The admin's council's settings (defaults where none are stored)."""
    with session_scope() as s:
        return review_admin.council_settings(s, admin.local_authority_id)


def save_council_settings(admin: StaffUser, values: dict[str, object]) -> CouncilSettings:
    """Change the council's settings (``InvalidChoice`` for an unknown or out-of-range value)."""
    with session_scope() as s:
        return review_admin.update_council_settings(
            s, admin.local_authority_id, audit.staff_actor(admin.username), **values
        )


def read_audit_trail(
    *,
    actor: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Audit events, newest first, filtered; page with ``before_id``."""
    with session_scope() as s:
        return audit_trail(
            s,
            actor=actor,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            before_id=before_id,
            limit=limit,
        )
