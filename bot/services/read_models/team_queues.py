"""The queues of the teams records are routed to (``bot.services.team_routing``), each for its council only
(``access.council_condition``: a signed-in child's council, or the council a child not signed in named; the
triage council also sees unrouted ones). Records of a child not signed in are marked ``anonymous``.

* IV co-ordinator (role ``iv_coordinator``): visitor and mentor requests, new first.
* Advocacy service (role ``advocacy``): wishes statements from children not signed in (the answers the child
  shared with an advocate), besides their referral queue.
* Complaints team (role ``complaints``) and admins: complaints, not yet acknowledged and overdue first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import StaffUser, VisitorRequest, WishesStatement, utcnow
from bot.db.routing_models import Complaint
from bot.services.complaints import NEXT_STATUS
from bot.services.errors import NotFound
from bot.services.phone_vault import contact_phone
from bot.services.read_models.access import council_condition, visitor_request_for_staff
from bot.services.read_models.plain_words import contact_words
from bot.services.read_models.statements import statement_view
from bot.services.read_models.visitor_kinds import request_kind_label
from bot.services.referrals import add_working_days
from bot.services.review_admin import council_settings

COMPLAINT_ROLES = ("complaints", "admin")
NUMBER_ROLES = ("complaints",)  # who may read a complaint's phone number: the team that reaches the child


def _name(record: Any) -> str | None:
    return record.child.chosen_name if record.child is not None else None


def visitor_request_queue(s: Session, staff: StaffUser) -> dict[str, Any]:
    """The council's visitor and mentor requests (new first, then oldest first), for the IV co-ordinator."""
    if staff.role != "iv_coordinator":
        raise NotFound("no such page")
    requests = s.execute(select(VisitorRequest).where(council_condition(s, VisitorRequest, staff))
                         .order_by(VisitorRequest.created_at, VisitorRequest.id)).scalars().all()
    rows = _request_rows(s, staff, requests)
    rows.sort(key=lambda r: (r["status"] != "new", not r["overdue"], r["created_at"], r["id"]))
    return {"rows": rows, "days": _action_days(s, staff)}


def _action_days(s: Session, staff: StaffUser) -> int:
    return council_settings(s, staff.local_authority_id).visitor_action_working_days


def _request_rows(s: Session, staff: StaffUser, requests: Sequence[VisitorRequest]) -> list[dict[str, Any]]:
    """The queue's row of each request: what the child asked for and how to reach them, never a number."""
    days = _action_days(s, staff)
    today = utcnow().date()
    return [{
        "id": r.id, "kind": r.kind, "kind_label": request_kind_label(r.kind), "wishes": r.wishes, "status": r.status,
        "created_at": r.created_at,
        "channel": r.channel,
        "anonymous": r.child_id is None, "child_name": _name(r), "anon_name": r.anon_name,
        "anon_local_authority": r.anon_local_authority, "contact": contact_words("contact_how", r.contact),
        "number_kept": r.contact_phone_encrypted is not None,  # never the number: on the request's own page only
        "withdrawn_at": r.withdrawn_at,
        "act_by": add_working_days(r.created_at.date(), days),
        "overdue": r.status == "new" and add_working_days(r.created_at.date(), days) < today,
    } for r in requests]


def anonymous_statements(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    """Statements from children not signed in sent to the advocacy service's council, newest first."""
    if staff.role != "advocacy":
        raise NotFound("no such page")
    statements = s.execute(
        select(WishesStatement).where(WishesStatement.child_id.is_(None),
                                      council_condition(s, WishesStatement, staff))
        .order_by(WishesStatement.sent_at.desc(), WishesStatement.id.desc())
    ).scalars().all()
    return [{**statement_view(w, "advocacy"), "anonymous": True,
             "unrouted": w.routed_council_id is None} for w in statements]


def complaint_view(c: Complaint) -> dict[str, Any]:
    today = utcnow().date()
    return {
        "id": c.id, "about": c.about, "wants": c.wants, "status": c.status, "anonymous": c.child_id is None,
        "child_name": _name(c), "anon_name": c.anon_name, "anon_local_authority": c.anon_local_authority,
        "anon_contact": contact_words("contact_how", c.anon_contact), "channel": c.channel,
        "number_kept": c.contact_phone_encrypted is not None,  # the number: complaint_detail, complaints team only
        "about_children_home": c.about_children_home,
        "about_social_worker": c.about_social_worker, "wants_advocate": c.wants_advocate,
        "referral_id": c.referral_id, "acknowledge_due": c.acknowledge_due, "created_at": c.created_at,
        "acknowledged_by": c.acknowledged_by, "acknowledged_at": c.acknowledged_at, "resolved_at": c.resolved_at,
        "note": c.note, "overdue": c.status == "new" and c.acknowledge_due < today,
        "escalated": c.escalated_at is not None, "next": list(NEXT_STATUS.get(c.status, ())),
    }


def complaint_queue(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    """The council's complaints: new first (overdue first), then by due date; for the complaints team and admins."""
    if staff.role not in COMPLAINT_ROLES:
        raise NotFound("no such page")
    complaints = s.execute(select(Complaint).where(council_condition(s, Complaint, staff))
                           .order_by(Complaint.acknowledge_due, Complaint.id)).scalars().all()
    rows = [complaint_view(c) for c in complaints]
    rows.sort(key=lambda r: (r["status"] not in ("new", "acknowledged"), r["status"] != "new", not r["overdue"],
                             r["acknowledge_due"], r["id"]))
    return rows


def complaint_for_staff(s: Session, staff: StaffUser, complaint_id: int) -> Complaint:
    """A complaint of ``staff``'s council if they are the complaints team or an admin (``NotFound`` otherwise)."""
    if staff.role not in COMPLAINT_ROLES:
        raise NotFound("no such complaint")
    complaint = s.execute(select(Complaint).where(Complaint.id == complaint_id,
                                                  council_condition(s, Complaint, staff))).scalar_one_or_none()
    if complaint is None:
        raise NotFound("no such complaint")
    return complaint


def complaint_detail(s: Session, staff: StaffUser, complaint_id: int) -> dict[str, Any]:
    """One complaint; a phone number the child gave is opened for the complaints team only (``NUMBER_ROLES``),
    never for an admin (``bot.usecases.review_team_queues.open_complaint`` audits it as ``complaint_phone``)."""
    complaint = complaint_for_staff(s, staff, complaint_id)
    view = complaint_view(complaint)
    view["phone"] = contact_phone(complaint.contact_phone_encrypted) if staff.role in NUMBER_ROLES else None
    return view


def visitor_request_detail(s: Session, staff: StaffUser, request_id: int) -> dict[str, Any]:
    """One visitor or mentor request of the IV co-ordinator's council (``NotFound`` otherwise, whether or not it
    exists), with the phone number the child gave (``bot.usecases.review_team_queues.open_visitor_request`` audits
    it as ``visitor_request_phone``)."""
    request = visitor_request_for_staff(s, staff, request_id)
    row = _request_rows(s, staff, [request])[0]
    return {**row, "known_person": request.known_person, "may_be_told": request.may_be_told,
            "local_authority": request.child.local_authority.name if request.child else request.anon_local_authority,
            "phone": contact_phone(request.contact_phone_encrypted)}
