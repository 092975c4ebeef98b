"""The admin's audit trail page: their own council's audit events, newest first, filtered and paged.

An event is the council's when its actor is one of the council's staff or children, or its record is the
council's (``COUNCIL_RECORDS``: a child of the council, a record about one, a record from a child not signed in
sent to the council, a staff member, token, setting or retention pass of the council). Events of no council
(the server's own jobs, an unrouted record before an admin routes it) are in no admin's trail; the operator
reads them in the database. A new ``entity_type`` in an audit event belongs in ``COUNCIL_RECORDS`` or in
``NO_COUNCIL`` (``tests/security/test_councils.py`` checks).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import String, and_, cast, literal, or_, select, union
from sqlalchemy.orm import Session

from bot.db.models import (
    AdvocacyReferral,
    AuditEvent,
    Child,
    ConversationLink,
    SafeguardingAlert,
    SignInCode,
    StaffUser,
    VisitorMatch,
    VisitorRequest,
    WishesStatement,
)
from bot.db.concern_models import SafeguardingConcern
from bot.db.review_models import StaffApiToken
from bot.services.council_routing import triage_council_id
from bot.db.outreach_models import InformationGiven
from bot.db.routing_models import Complaint
from bot.db.visitor_models import VisitorCheck, VisitorConsideration, VisitorContact

# Event types that name no record of any one council: an SMS opt-out of a number of no child, a security alert
# about the whole server (e.g. a surge of failed sign-ins), and what a staff member asked of the API or of the
# unrouted list (those are in their council's trail through the actor).
# Not about one council's record: counts only (a transcript purge), a page with no record (the visitor queue).
NO_COUNCIL = frozenset({"sms_opt_out", "security_alert", "api_endpoint", "unrouted_records", "transcripts",
                        "visitor_queue"})


def _ids(column: Any, *where: Any) -> Any:
    return select(cast(column, String)).where(*where)


def _children(council_id: int) -> Any:
    return select(Child.id).where(Child.local_authority_id == council_id)


def _staff(council_id: int) -> Any:
    return select(StaffUser.id).where(StaffUser.local_authority_id == council_id)


def _about_children(model: Any) -> Callable[[int, bool], Any]:
    return lambda council_id, _triage: _ids(model.id, model.child_id.in_(_children(council_id)))


def _sent_to(model: Any) -> Callable[[int, bool], Any]:
    """Records about a child of the council, or from a child not signed in sent to it (or unrouted, for the
    triage council)."""

    def ids(council_id: int, triage: bool) -> Any:
        sent_here = model.routed_council_id == council_id
        if triage:
            sent_here = or_(sent_here, model.routed_council_id.is_(None))
        return _ids(model.id, or_(model.child_id.in_(_children(council_id)), and_(model.child_id.is_(None), sent_here)))

    return ids


def _council_itself(council_id: int, _triage: bool) -> Any:
    return select(literal(str(council_id), String))


def _register(council_id: int, _triage: bool) -> Any:
    """The register page (the council's id) and a refused change (the council's own id for a child)."""
    return union(select(literal(str(council_id), String)),
                 select(cast(Child.external_id, String)).where(Child.local_authority_id == council_id,
                                                               Child.external_id.is_not(None)))


def _of_matches(model: Any) -> Callable[[int, bool], Any]:
    """Checks and contacts of a visitor match of a child of the council."""
    return lambda council_id, _triage: _ids(model.id, model.match_id.in_(
        select(VisitorMatch.id).where(VisitorMatch.child_id.in_(_children(council_id)))))


COUNCIL_RECORDS: dict[str, Callable[[int, bool], Any]] = {
    "child": lambda council_id, _triage: _children(council_id),
    "caseload": lambda council_id, _triage: _ids(StaffUser.id, StaffUser.local_authority_id == council_id),
    "staff_user": lambda council_id, _triage: _ids(StaffUser.id, StaffUser.local_authority_id == council_id),
    "staff_session": lambda council_id, _triage: _ids(StaffUser.id, StaffUser.local_authority_id == council_id),
    "staff_api_token": lambda council_id, _triage: _ids(
        StaffApiToken.id, StaffApiToken.staff_id.in_(_staff(council_id))
    ),
    "advocacy_referral": _sent_to(AdvocacyReferral),
    "safeguarding_alert": _sent_to(SafeguardingAlert),
    "safeguarding_concern": _sent_to(SafeguardingConcern),
    "visitor_request": _sent_to(VisitorRequest),
    "wishes_statement": _sent_to(WishesStatement),
    "visitor_match": _about_children(VisitorMatch),
    "sign_in_code": _about_children(SignInCode),
    "conversation_link": _about_children(ConversationLink),
    "authority_settings": _council_itself,
    "retention_policy": _council_itself,
    "child_register": _register,
    "advocacy_referral_phone": _sent_to(AdvocacyReferral),
    "safeguarding_alert_phone": _sent_to(SafeguardingAlert),
    "alert_callback_phone": _sent_to(SafeguardingAlert),  # entity id: the alert's
    "visitor_request_phone": _sent_to(VisitorRequest),
    "complaint_phone": _sent_to(Complaint),
    "complaint": _sent_to(Complaint),
    "visitor_check": _of_matches(VisitorCheck),
    "visitor_contact": _of_matches(VisitorContact),
    "visitor_consideration": _about_children(VisitorConsideration),
    "information_given": _about_children(InformationGiven),
    "retention": _council_itself,
    "local_authority": _council_itself,
}


def council_events(s: Session, council_id: int) -> Any:
    """The condition on ``AuditEvent`` for the events of council ``council_id``."""
    triage = triage_council_id(s) == council_id
    staff_actors = select(literal("staff:", String) + StaffUser.username).where(
        StaffUser.local_authority_id == council_id
    )
    child_actors = select(literal("child:", String) + Child.id).where(Child.local_authority_id == council_id)
    return or_(
        AuditEvent.actor.in_(staff_actors),
        AuditEvent.actor.in_(child_actors),
        *(
            and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id.in_(ids(council_id, triage)))
            for entity_type, ids in COUNCIL_RECORDS.items()
        ),
    )


def audit_trail(
    s: Session,
    council_id: int,
    *,
    actor: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Council ``council_id``'s audit events, newest first, optionally filtered; page with ``before_id``."""
    query = select(AuditEvent).where(council_events(s, council_id))
    if actor:
        query = query.where(AuditEvent.actor == actor)
    if entity_type:
        query = query.where(AuditEvent.entity_type == entity_type)
    if entity_id:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action:
        query = query.where(AuditEvent.action == action)
    if before_id:
        query = query.where(AuditEvent.id < before_id)
    events = s.execute(query.order_by(AuditEvent.id.desc()).limit(limit)).scalars().all()
    return [
        {
            "id": e.id,
            "at": e.at,
            "actor": e.actor,
            "action": e.action,
            "entity_type": e.entity_type,
            "entity_id": e.entity_id,
            "detail": e.detail,
        }
        for e in events
    ]
