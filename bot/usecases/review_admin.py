"""What an admin does in the review app: staff accounts, revoking API tokens, council settings, routing
records of children not signed in, and their council's audit trail. Admins see no child's words. Each use
case is one committed transaction; every change is audited by the service it calls
(``bot.services.review_admin``, ``bot.services.staff``, ``bot.services.api_tokens``,
``bot.services.council_routing``)."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import api_tokens, audit, council_routing, review_admin, staff as staff_service, team_routing
from bot.services.errors import NotFound
from bot.services.read_models.audit_trail import audit_trail
from bot.services.read_models.staff_accounts import accounts_page
from bot.services.read_models.unrouted import may_route, unrouted_page
from bot.services.review_admin import CouncilSettings
from bot.usecases.review_reads import Asked, Seen, guarded, staff_read


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


def revoke_api_token(admin: StaffUser, token_id: int) -> None:
    """Revoke a token of an account of the admin's council (an admin never makes a token for anyone)."""
    with session_scope() as s:
        api_tokens.revoke_token(s, token_id, admin)


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
    admin: StaffUser,
    *,
    actor: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """The admin's council's audit events, newest first, filtered; page with ``before_id``."""
    with session_scope() as s:
        return audit_trail(
            s,
            admin.local_authority_id,
            actor=actor,
            entity_type=entity_type,
            entity_id=entity_id,
            action=action,
            before_id=before_id,
            limit=limit,
        )


def read_unrouted(admin: StaffUser) -> dict[str, Any]:
    """Referrals and alerts of children not signed in that matched no council (no child's words), for the
    admins who route them; audited as a read of the list."""
    return staff_read(
        admin,
        lambda s: unrouted_page(s, admin),
        lambda page: [Seen("read", "unrouted_records", None, {"records": len(page["rows"])})],
    )


def route_unrouted(admin: StaffUser, entity_type: str, record_id: int, council_id: int) -> None:
    """Send an unrouted referral or alert to a council (``NotFound`` when the admin may not, or it is not an
    unrouted record); audited."""
    asked = Asked(entity_type, record_id, {"change": "route", "council": council_id})
    with guarded(admin, asked), session_scope() as s:
        if not may_route(s, admin):
            raise NotFound("no such unrouted record")
        council_routing.route_record(s, entity_type, record_id, council_id, audit.staff_actor(admin.username))
        if entity_type in team_routing.TEAM_FOR:  # the council's team is told it is waiting (alerts: duty already)
            team_routing.notify_team(s, entity_type, record_id, council_id, team_routing.TEAM_FOR[entity_type])
