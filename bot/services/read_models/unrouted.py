"""The admin's "Unrouted" page: referrals and safeguarding alerts from children not signed in that went to no
council (the name the child gave matched none) and wait to be routed.

Shown to the admins of the triage council (``council_routing.triage_council_id``) or, when there is none, to
the admins of every council. No child's words: what it is, when it came, and the council name the child typed
(the one thing needed to route it).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, SafeguardingAlert, StaffUser, VisitorRequest, WishesStatement
from bot.db.routing_models import Complaint
from bot.services.council_routing import councils, triage_council_id

NAMED_LIMIT = 80  # characters of the council name the child typed


def may_route(s: Session, admin: StaffUser) -> bool:
    """Whether ``admin`` routes unrouted records: an admin of the triage council, or of any when none."""
    triage = triage_council_id(s)
    return admin.role == "admin" and (triage is None or triage == admin.local_authority_id)


def _rows(s: Session, model: Any, entity_type: str, label: str) -> list[dict[str, Any]]:
    records = (
        s.execute(
            select(model)
            .where(model.child_id.is_(None), model.routed_council_id.is_(None))
            .order_by(model.created_at, model.id)
        )
        .scalars()
        .all()
    )
    return [
        {
            "entity_type": entity_type,
            "id": r.id,
            "what": label,
            "created_at": r.created_at,
            "named": (getattr(r, "anon_local_authority", None) or "")[:NAMED_LIMIT],
        }
        for r in records
    ]


def unrouted_page(s: Session, admin: StaffUser) -> dict[str, Any]:
    """``rows`` (oldest first) and the ``councils`` to route them to; nothing when ``admin`` may not route."""
    if not may_route(s, admin):
        return {"rows": [], "councils": {}, "may_route": False}
    rows = _rows(s, SafeguardingAlert, "safeguarding_alert", "Safeguarding alert")
    rows += _rows(s, AdvocacyReferral, "advocacy_referral", "Advocacy referral")
    rows += _rows(s, VisitorRequest, "visitor_request", "Visitor or mentor request")
    rows += _rows(s, Complaint, "complaint", "Complaint")
    rows += _rows(s, WishesStatement, "wishes_statement", "Wishes and feelings statement")
    rows.sort(key=lambda r: (r["created_at"], r["entity_type"], r["id"]))
    return {"rows": rows, "councils": councils(s), "may_route": True}
