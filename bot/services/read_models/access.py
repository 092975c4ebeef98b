"""Which records a member of staff may see, and which records belong to a child.

Anything outside a staff member's reach is ``NotFound``, exactly like a record that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, Child, ConversationLink, SafeguardingAlert, StaffUser, VisitorMatch
from bot.services.errors import NotFound

CASELOAD_ROLES = ("social_worker", "iro")


def caseload_filter(staff: StaffUser) -> Any:
    """The condition on ``Child`` for ``staff``'s caseload; None for roles without one."""
    if staff.role == "social_worker":
        return Child.social_worker_id == staff.id
    if staff.role == "iro":
        return Child.iro_id == staff.id
    return None


def child_for_staff(s: Session, staff: StaffUser, child_id: str) -> Child:
    """The child if it is in ``staff``'s caseload, else ``NotFound`` (never tells whether it exists)."""
    condition = caseload_filter(staff)
    if condition is None:
        raise NotFound("no such child")
    child = s.execute(select(Child).where(Child.id == child_id, condition)).scalar_one_or_none()
    if child is None:
        raise NotFound("no such child")
    return child


def match_for_staff(s: Session, staff: StaffUser, match_id: int) -> VisitorMatch:
    """A visitor match of a child in ``staff``'s caseload (``NotFound`` otherwise)."""
    match = s.get(VisitorMatch, match_id)
    if match is None:
        raise NotFound("no such visitor match")
    child_for_staff(s, staff, match.child_id)
    return match


def council_condition(model: Any, staff: StaffUser) -> Any:
    """Records about a child of ``staff``'s council, or from a child not signed in."""
    in_my_council = select(Child.id).where(Child.local_authority_id == staff.local_authority_id)
    return or_(model.child_id.is_(None), model.child_id.in_(in_my_council))


def referral_for_staff(s: Session, staff: StaffUser, referral_id: int) -> AdvocacyReferral:
    """A referral the advocacy service may handle (``NotFound`` otherwise)."""
    if staff.role != "advocacy":
        raise NotFound("no such referral")
    referral = s.execute(
        select(AdvocacyReferral).where(
            AdvocacyReferral.id == referral_id, council_condition(AdvocacyReferral, staff)
        )
    ).scalar_one_or_none()
    if referral is None:
        raise NotFound("no such referral")
    return referral


def alert_for_staff(s: Session, staff: StaffUser, alert_id: int) -> SafeguardingAlert:
    """An alert the duty team may acknowledge (``NotFound`` otherwise)."""
    if staff.role != "duty":
        raise NotFound("no such alert")
    alert = s.execute(
        select(SafeguardingAlert).where(
            SafeguardingAlert.id == alert_id, council_condition(SafeguardingAlert, staff)
        )
    ).scalar_one_or_none()
    if alert is None:
        raise NotFound("no such alert")
    return alert


def refs_by_child(s: Session, child_ids: list[str]) -> dict[str, list[str]]:
    """The conversation refs linked to each child."""
    refs: dict[str, list[str]] = defaultdict(list)
    if child_ids:
        rows = s.execute(
            select(ConversationLink.child_id, ConversationLink.conversation_ref).where(
                ConversationLink.child_id.in_(child_ids)
            )
        )
        for child_id, ref in rows:
            refs[child_id].append(ref)
    return refs


def owned(model: Any, child_id: str, refs: list[str]) -> Any:
    """Records carrying the child's id, or sent from one of the child's conversations before sign-in."""
    condition = model.child_id == child_id
    if refs:
        condition = or_(condition, (model.child_id.is_(None)) & model.conversation_ref.in_(refs))
    return condition
