"""One child's record: everything one member of staff may see about a child in their caseload.

Referrals and safeguarding alerts are shown to the child's social worker only (referrals only when the child
asked for them to be told); statements only as far as the child's sharing choice allows.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, Child, SafeguardingAlert, StaffUser, VisitorMatch, VisitorRequest
from bot.services.alert_visibility import visible
from bot.services.read_models.access import child_for_staff, owned
from bot.services.read_models.alert_queue import alert_view
from bot.services.read_models.child_summary import child_summary
from bot.services.read_models.referral_queue import referral_view
from bot.services.read_models.statements import child_statements
from bot.services.read_models.visitor_kinds import request_kind_label
from bot.services.review_admin import council_settings
from bot.db.visitor_models import VisitorConsideration
from bot.services import outreach


def child_record(s: Session, staff: StaffUser, child_id: str) -> dict[str, Any]:
    """Everything ``staff`` may see about one child in their caseload (``NotFound`` otherwise)."""
    child = child_for_staff(s, staff, child_id)
    social_worker = staff.role == "social_worker"
    return {
        "child": child_summary(child, council_settings(s, child.local_authority_id)),
        "statements": child_statements(s, child, staff.role),
        "referrals": _referrals(s, child) if social_worker else [],
        "alerts": _alerts(s, child, staff) if social_worker else [],
        "visitor_requests": _visitor_requests(s, child),
        "matches": [match_view(m) for m in _matches(s, child)],
        # Issue 16: the "considered" decisions and when the child was told about advocacy (both procedures).
        "visitor_decisions": [{"should_have": d.should_have, "reason": d.reason, "by": d.decided_by,
                               "at": d.decided_at} for d in _decisions(s, child)],
        "advocacy_info": [{"occasion": i.occasion, "occasion_date": i.occasion_date, "channel": i.channel,
                           "given_at": i.given_at} for i in outreach.information_given(s, child.id)],
    }


def _decisions(s: Session, child: Child) -> list[VisitorConsideration]:
    return list(s.execute(select(VisitorConsideration).where(VisitorConsideration.child_id == child.id)
                          .order_by(VisitorConsideration.decided_at.desc())).scalars())


def match_view(m: VisitorMatch) -> dict[str, Any]:
    """One proposed visitor and what the child said about them."""
    return {
        "id": m.id,
        "visitor_name": m.visitor_name,
        "description": m.description,
        "kind": m.kind,
        "status": m.status,
        "reason": m.reason,
        "preferences": m.preferences,
        "answered_at": m.answered_at,
        # An appointed visitor the child no longer wants: when they asked, and their words.
        "end_requested_at": m.end_requested_at,
        "end_request_words": m.end_request_words,
        "ended_at": m.ended_at,
        "created_at": m.created_at,
        "proposed_by": m.proposed_by.display_name if m.proposed_by else None,
    }


def _referrals(s: Session, child: Child) -> list[dict[str, Any]]:
    """The child's advocacy referrals they asked their social worker to be told of, newest first."""
    referrals = (
        s.execute(
            select(AdvocacyReferral)
            .where(owned(AdvocacyReferral, child), AdvocacyReferral.tell_social_worker.is_(True))
            .order_by(AdvocacyReferral.created_at.desc())
        )
        .scalars()
        .all()
    )
    return [referral_view(r) for r in referrals]


def _alerts(s: Session, child: Child, staff: StaffUser) -> list[dict[str, Any]]:
    """Safeguarding alerts about the child ``staff`` may see (``alert_visibility``: never one about this
    social worker, nor one restricted to others), newest first (never marked escalated here)."""
    alerts = (
        s.execute(
            select(SafeguardingAlert)
            .where(owned(SafeguardingAlert, child), visible(staff))
            .order_by(SafeguardingAlert.created_at.desc())
        )
        .scalars()
        .all()
    )
    return [alert_view(a, escalate_after=None) for a in alerts]


def _visitor_requests(s: Session, child: Child) -> list[dict[str, Any]]:
    """The child's requests for an independent visitor or mentor, newest first."""
    requests = (
        s.execute(
            select(VisitorRequest)
            .where(owned(VisitorRequest, child))
            .order_by(VisitorRequest.created_at.desc())
        )
        .scalars()
        .all()
    )
    return [
        {"id": v.id, "kind": v.kind, "kind_label": request_kind_label(v.kind), "wishes": v.wishes,
         "known_person": v.known_person, "may_be_told": v.may_be_told, "status": v.status,
         "created_at": v.created_at, "withdrawn_at": v.withdrawn_at}
        for v in requests
    ]


def _matches(s: Session, child: Child) -> list[VisitorMatch]:
    """Visitors proposed for the child, newest first."""
    return (
        s.execute(
            select(VisitorMatch)
            .where(VisitorMatch.child_id == child.id)
            .order_by(VisitorMatch.created_at.desc(), VisitorMatch.id.desc())
        )
        .scalars()
        .all()
    )
