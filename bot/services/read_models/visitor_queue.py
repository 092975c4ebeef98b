"""The IV co-ordinator's queue and a visitor match's history (issue 16).

The co-ordinator (and an admin) sees their council's visitor and mentor requests (anonymous ones sent to the
council included, marked so), every match with where it is, the checks still missing, the last visit and a
flag when more than 8 weeks have passed, and the children the procedures say should be considered for a
visitor. A child's social worker and IRO see the same for their caseload. Anything else is ``NotFound``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from bot.db.models import AuditEvent, Child, StaffUser, VisitorMatch, VisitorRequest
from bot.db.visitor_models import VisitorCheck, VisitorConsideration, VisitorContact
from bot.services import visitor_lifecycle as lifecycle
from bot.services.errors import NotFound
from bot.services.read_models.access import caseload_filter, council_condition
from bot.services.read_models.visitor_kinds import request_kind_label
from bot.services.visitor_checks import CHECK_LABELS, missing_checks

COORDINATOR_ROLES = ("iv_coordinator", "admin")
QUEUE_ROLES = COORDINATOR_ROLES + ("social_worker", "iro")
REQUEST_STAGES = {"new": "Asked for", "in_progress": "Searching", "matched": "Matched", "closed": "Closed",
                  "withdrawn": "Taken back by the child"}


def _children(staff: StaffUser) -> Any:
    """The children ``staff`` may see here: the council's for the co-ordinator and admin, else the caseload."""
    if staff.role in COORDINATOR_ROLES:
        return select(Child.id).where(Child.local_authority_id == staff.local_authority_id)
    condition = caseload_filter(staff)
    if condition is None:
        raise NotFound("no such page")
    return select(Child.id).where(condition)


def _request_row(request: VisitorRequest, decision: VisitorConsideration | None) -> dict[str, Any]:
    return {
        "id": request.id,
        "child_id": request.child_id,
        "child_name": request.child.chosen_name if request.child_id and request.child else None,
        "anonymous": request.child_id is None,
        "anon_name": request.anon_name,
        "kind": request.kind,
        "kind_label": request_kind_label(request.kind),
        "wishes": request.wishes,
        "known_person": request.known_person,
        "may_be_told": request.may_be_told,
        "status": request.status,
        "stage": REQUEST_STAGES.get(request.status, request.status),
        "created_at": request.created_at,
        "decision": None if decision is None else ("yes" if decision.should_have else "no"),
    }


def _match_row(s: Session, match: VisitorMatch, today: date) -> dict[str, Any]:
    gap = lifecycle.contact_gap(s, match, today)
    return {
        "id": match.id,
        "child_id": match.child_id,
        "child_name": match.child.chosen_name,
        "visitor_name": match.visitor_name,
        "kind": match.kind,
        "stage": lifecycle.stage(s, match),
        "missing": [CHECK_LABELS[k] for k in missing_checks(s, match.id)] if match.status == "accepted" else [],
        "last_contact": lifecycle.last_contact(s, match.id),
        "gap_days": gap,
        "overdue": gap is not None and gap > lifecycle.GAP_DAYS,
        "end_requested": match.end_requested_at is not None and match.ended_at is None,
    }


def visitor_queue(s: Session, staff: StaffUser, today: date) -> dict[str, Any]:
    """Requests, matches (live first, overdue visits first) and children to consider, for ``staff``."""
    children = _children(staff)
    if staff.role in COORDINATOR_ROLES:
        requests_where = council_condition(s, VisitorRequest, staff)
    else:
        requests_where = VisitorRequest.child_id.in_(children)
    requests = s.execute(
        select(VisitorRequest).where(requests_where).order_by(VisitorRequest.created_at.desc())
    ).scalars().all()
    rows = [_request_row(r, lifecycle.latest_consideration(s, r.child_id) if r.child_id else None)
            for r in requests]
    matches = s.execute(
        select(VisitorMatch).where(VisitorMatch.child_id.in_(children)).order_by(VisitorMatch.created_at.desc())
    ).scalars().all()
    match_rows = [_match_row(s, m, today) for m in matches]
    live = [m for m in match_rows if m["stage"].key not in ("objected", "withdrawn", "ended")]
    live.sort(key=lambda m: (not m["overdue"], not m["end_requested"]))
    closed = [m for m in match_rows if m not in live]
    consider = [
        {"child_id": c.id, "child_name": c.chosen_name, "reasons": reasons, "next_review_date": c.next_review_date}
        for c, reasons in lifecycle.children_to_consider(s, staff.local_authority_id)
        if staff.role in COORDINATOR_ROLES or s.execute(
            select(Child.id).where(Child.id == c.id, caseload_filter(staff))).first()
    ]
    return {"requests": rows, "live": live, "closed": closed, "consider": consider,
            "can_coordinate": staff.role in COORDINATOR_ROLES,
            "can_decide": staff.role in ("social_worker", "iro")}


def match_for_lifecycle(s: Session, staff: StaffUser, match_id: int) -> VisitorMatch:
    """A match ``staff`` may see here (``NotFound`` otherwise, whether or not it exists)."""
    if staff.role not in QUEUE_ROLES:
        raise NotFound("no such visitor match")
    match = s.execute(
        select(VisitorMatch).where(VisitorMatch.id == match_id, VisitorMatch.child_id.in_(_children(staff)))
    ).scalar_one_or_none()
    if match is None:
        raise NotFound("no such visitor match")
    return match


def child_for_decision(s: Session, staff: StaffUser, child_id: str) -> Child:
    """A child of ``staff``'s caseload whose visitor decision they may record."""
    condition = caseload_filter(staff)
    child = None if condition is None else s.execute(
        select(Child).where(Child.id == child_id, condition)).scalar_one_or_none()
    if child is None:
        raise NotFound("no such child")
    return child


def match_history(s: Session, staff: StaffUser, match_id: int, today: date) -> dict[str, Any]:
    """One match: where it is, the child's words about it, checks, contacts, decisions and every audited step."""
    match = match_for_lifecycle(s, staff, match_id)
    checks = s.execute(select(VisitorCheck).where(VisitorCheck.match_id == match.id)
                       .order_by(VisitorCheck.kind)).scalars().all()
    contacts = s.execute(select(VisitorContact).where(VisitorContact.match_id == match.id)
                         .order_by(VisitorContact.contact_on.desc())).scalars().all()
    decisions = s.execute(select(VisitorConsideration).where(VisitorConsideration.child_id == match.child_id)
                          .order_by(VisitorConsideration.decided_at.desc())).scalars().all()
    check_ids = [c.id for c in checks]
    contact_ids = [c.id for c in contacts]
    steps = s.execute(
        select(AuditEvent).where(or_(
            and_(AuditEvent.entity_type == "visitor_match", AuditEvent.entity_id == str(match.id)),
            and_(AuditEvent.entity_type == "visitor_check", AuditEvent.entity_id.in_([str(i) for i in check_ids])),
            and_(AuditEvent.entity_type == "visitor_contact",
                 AuditEvent.entity_id.in_([str(i) for i in contact_ids])),
        ), AuditEvent.action != "read").order_by(AuditEvent.id)
    ).scalars().all()
    return {
        "match": _match_row(s, match, today) | {
            "description": match.description, "reason": match.reason, "preferences": match.preferences,
            "may_be_told": match.may_be_told, "end_request_words": match.end_request_words,
            "ended_by": match.ended_by, "end_reason": match.end_reason, "reviewed_at": match.reviewed_at,
            "meet_first_at": match.meet_first_at, "status": match.status,
        },
        "checks": [{"label": CHECK_LABELS[c.kind], "completed_on": c.completed_on, "reference": c.reference,
                    "recorded_by": c.recorded_by} for c in checks],
        "missing_kinds": missing_checks(s, match.id),
        "contacts": [{"on": c.contact_on, "kind": c.kind, "logged_by": c.logged_by} for c in contacts],
        "decisions": [{"should_have": d.should_have, "reason": d.reason, "by": d.decided_by,
                       "role": d.decided_role, "at": d.decided_at, "review_date": d.review_date}
                      for d in decisions],
        "steps": [{"at": e.at, "actor": e.actor, "action": e.action, "what": e.entity_type, "detail": e.detail}
                  for e in steps],
        "can_coordinate": staff.role in COORDINATOR_ROLES,
        "check_labels": CHECK_LABELS,
    }
