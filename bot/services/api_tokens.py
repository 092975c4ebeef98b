"""Bearer tokens for the review app's JSON API: each one is its owner's, reads only what its scopes allow, and
stops working when it expires, is revoked, or its owner is deactivated.

* Only the owner makes a token, for themselves (``create_token`` takes no other staff member: an admin who
  made a token for a social worker could read her caseload as her). An admin lists and revokes their
  council's tokens, never makes one for anyone else.
* Scopes (``SCOPES``): each API endpoint needs one; a staff member can only ask for those their role can use
  (``scopes_for_role``). The role is checked again on every request.
* Expiry: ``DEFAULT_DAYS`` (90) unless the owner chooses 1 to ``MAX_DAYS`` (365) days.
* Only an HMAC of the token is stored (keyed with ``HEARD_SECRET_KEY``), with its first characters
  (``prefix``) to tell tokens apart; the token itself is shown once, when it is made.

Every change is audited; the caller commits.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import StaffUser, utcnow
from bot.db.review_models import StaffApiToken
from bot.services import audit
from bot.services.errors import InvalidChoice, NotFound

TOKEN_PREFIX = "hrd_"  # noqa: S105 (a marker, not a secret)
DEFAULT_DAYS = 90
MAX_DAYS = 365
# scope -> what it reads (shown to the owner when they choose)
SCOPES = {
    "read:caseload": "your caseload: the list of children, with dates and counts (no child's words)",
    "read:records": "one child's whole record, as you see it in the review app (the child's words too)",
    "read:statements": "the wishes and feelings statements the child shared with you",
    "read:referrals": "the advocacy referral queue (the child's words too)",
    "write:children": "add and change children of your council in the child register (no child's words)",
}
ROLE_SCOPES = {
    "social_worker": ("read:caseload", "read:records", "read:statements", "write:children"),
    "iro": ("read:caseload", "read:records", "read:statements"),
    "advocacy": ("read:referrals",),
    "admin": ("write:children",),
}


@dataclass(frozen=True)
class ApiGrant:
    """What a valid bearer token lets a request do: whose it is, which token, and its scopes."""

    staff: StaffUser
    token_id: int
    scopes: frozenset[str]


def scopes_for_role(role: str) -> tuple[str, ...]:
    """The scopes a staff member in ``role`` may give their own token (none for duty leads; admins only write
    the child register)."""
    return ROLE_SCOPES.get(role, ())


def _token_hash(token: str) -> str:
    return audit.keyed_hash("api-token", token)


def _checked_scopes(owner: StaffUser, scopes: list[str]) -> list[str]:
    wanted = sorted(set(scopes))
    if not wanted:
        raise InvalidChoice("Choose at least one thing the token may read.")
    allowed = scopes_for_role(owner.role)
    if any(scope not in allowed for scope in wanted):
        raise InvalidChoice("Your role cannot give a token that scope.")
    return wanted


def create_token(
    s: Session, owner: StaffUser, label: str, scopes: list[str], days: int = DEFAULT_DAYS
) -> tuple[StaffApiToken, str]:
    """A new token of ``owner``'s own (the signed-in staff member): the row and the token, to show once.

    Raises ``InvalidChoice`` for no scope, a scope the role cannot have, or an expiry outside 1..365 days."""
    wanted = _checked_scopes(owner, scopes)
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise InvalidChoice(f"A token lasts from 1 to {MAX_DAYS} days.")
    user = s.get(StaffUser, owner.id)
    if user is None or not user.active:
        raise NotFound("no such staff user")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    actor = audit.staff_actor(user.username)
    row = StaffApiToken(
        staff_id=user.id,
        label=(label or "API token").strip()[:200] or "API token",
        token_hash=_token_hash(token),
        prefix=token[:10],
        scopes=" ".join(wanted),
        created_by=actor,
        created_at=now,
        expires_at=now + timedelta(days=days),
    )
    s.add(row)
    s.flush()
    audit.record(
        s, actor, "create", "staff_api_token", row.id, {"scopes": wanted, "expires_at": row.expires_at.isoformat()}
    )
    return row, token


def revoke_token(s: Session, token_id: int, by: StaffUser) -> StaffApiToken:
    """Revoke a token: its owner may, and so may an admin of the owner's council (``NotFound`` otherwise)."""
    row = s.get(StaffApiToken, token_id)
    owner = s.get(StaffUser, row.staff_id) if row is not None else None
    own = owner is not None and owner.id == by.id
    admin = owner is not None and by.role == "admin" and owner.local_authority_id == by.local_authority_id
    if row is None or not (own or admin):
        raise NotFound("no such token")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        s.flush()
        audit.record(
            s, audit.staff_actor(by.username), "update", "staff_api_token", row.id,
            {"revoked": True, "owner": owner.username},
        )
    return row


def grant_for_token(s: Session, token: str, now: datetime | None = None) -> ApiGrant | None:
    """What a bearer token may do, or None (unknown, revoked, expired, or its owner deactivated). Records
    when it was last used."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = s.execute(
        select(StaffApiToken).where(StaffApiToken.token_hash == _token_hash(token))
    ).scalar_one_or_none()
    now = now or utcnow()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    user = s.get(StaffUser, row.staff_id)
    if user is None or not user.active:
        return None
    row.last_used_at = now
    return ApiGrant(user, row.id, frozenset(row.scopes.split()))


def tokens_of_staff(s: Session, staff_id: int) -> list[StaffApiToken]:
    """One staff member's tokens, newest first."""
    query = select(StaffApiToken).where(StaffApiToken.staff_id == staff_id).order_by(StaffApiToken.id.desc())
    return s.execute(query).scalars().all()


def tokens_of_council(s: Session, local_authority_id: int) -> list[StaffApiToken]:
    """The tokens of a council's staff, newest first."""
    return (
        s.execute(
            select(StaffApiToken)
            .join(StaffUser, StaffUser.id == StaffApiToken.staff_id)
            .where(StaffUser.local_authority_id == local_authority_id)
            .order_by(StaffApiToken.id.desc())
        )
        .scalars()
        .all()
    )
