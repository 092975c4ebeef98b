"""Which records a member of staff may see, and which records belong to a child.

Anything outside a staff member's reach is ``NotFound``, exactly like a record that does not exist. Records
of a child not signed in belong to no one's caseload: they reach the council they were sent to
(``bot.services.council_routing``), never every council.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.orm import Session

from bot.db.models import (
    AdvocacyReferral,
    AuditEvent,
    Child,
    ConversationLink,
    SafeguardingAlert,
    StaffUser,
    VisitorMatch,
    VisitorRequest,
)
from bot.services.alert_visibility import visible
from bot.services.council_routing import triage_council_id
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


def council_condition(s: Session, model: Any, staff: StaffUser) -> Any:
    """Records about a child of ``staff``'s council, or from a child not signed in that were sent to it; the
    triage council (``council_routing.triage_council_id``) also gets those sent to no council (unrouted)."""
    in_my_council = select(Child.id).where(Child.local_authority_id == staff.local_authority_id)
    sent_here = model.routed_council_id == staff.local_authority_id
    triage = triage_council_id(s)
    # A disclosure must always reach a person: with no triage council, every duty team sees an unrouted alert.
    if triage == staff.local_authority_id or (triage is None and model is SafeguardingAlert):
        sent_here = or_(sent_here, model.routed_council_id.is_(None))
    return or_(model.child_id.in_(in_my_council), and_(model.child_id.is_(None), sent_here))


def _council_record(s: Session, staff: StaffUser, model: Any, record_id: int, role: str, what: str) -> Any:
    """The record of ``model`` with ``record_id`` if ``staff`` has ``role`` and the record is their council's
    (``NotFound`` otherwise, worded the same whichever check failed)."""
    if staff.role != role:
        raise NotFound(f"no such {what}")
    record = s.execute(
        select(model).where(model.id == record_id, council_condition(s, model, staff))
    ).scalar_one_or_none()
    if record is None:
        raise NotFound(f"no such {what}")
    return record


def referral_for_staff(s: Session, staff: StaffUser, referral_id: int) -> AdvocacyReferral:
    """A referral the advocacy service may handle (``NotFound`` otherwise)."""
    return _council_record(s, staff, AdvocacyReferral, referral_id, "advocacy", "referral")


def visitor_request_for_staff(s: Session, staff: StaffUser, request_id: int) -> VisitorRequest:
    """A visitor or mentor request the IV co-ordinator of its council may handle (``NotFound`` otherwise)."""
    return _council_record(s, staff, VisitorRequest, request_id, "iv_coordinator", "visitor request")


def alert_for_staff(s: Session, staff: StaffUser, alert_id: int) -> SafeguardingAlert:
    """An alert the duty team may acknowledge (``NotFound`` otherwise, also when it is restricted to others)."""
    alert = _council_record(s, staff, SafeguardingAlert, alert_id, "duty", "alert")
    if s.execute(select(SafeguardingAlert.id).where(SafeguardingAlert.id == alert.id, visible(staff))).first() is None:
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


def sent_before_sign_in(model: Any, which_links: Any) -> Any:
    """Records sent by a child not signed in from a conversation that one of ``which_links`` (a condition on
    ``ConversationLink``) now links to a child: the child's own, sent before they signed in. Not when the
    conversation was re-linked to another child since the record was sent (a shared phone or computer: the
    record may be the first child's), nor when the record was sent to another council than the child's."""
    relinked_since = (
        select(AuditEvent.id)
        .where(
            AuditEvent.entity_type == "conversation_link",
            AuditEvent.action == "update",
            AuditEvent.entity_id == cast(ConversationLink.id, String),
            AuditEvent.at > model.created_at,
        )
        .exists()
    )
    links = (
        select(ConversationLink.conversation_ref)
        .join(Child, Child.id == ConversationLink.child_id)
        .where(
            which_links,
            ~relinked_since,
            or_(model.routed_council_id.is_(None), model.routed_council_id == Child.local_authority_id),
        )
    )
    return and_(model.child_id.is_(None), model.conversation_ref.in_(links))


def owned(model: Any, child: Child) -> Any:
    """Records carrying the child's id, or sent from one of the child's conversations before sign-in."""
    return or_(model.child_id == child.id, sent_before_sign_in(model, ConversationLink.child_id == child.id))
