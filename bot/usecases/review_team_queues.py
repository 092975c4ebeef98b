"""The teams' queues of issue 15 (``read_models.team_queues``): what the IV co-ordinator, the advocacy service
(anonymous statements) and the complaints team see, each record shown audited as read
(``review_reads.staff_read``); what they do (each one committed transaction); and a duty lead restricting who
sees an alert. Anything outside the staff member's role or council is ``NotFound`` (404), audited as refused."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import alert_visibility, audit, complaints
from bot.services.read_models.access import alert_for_staff
from bot.services.read_models.alert_viewers import viewer_choices
from bot.services.read_models.team_queues import (
    anonymous_statements,
    complaint_detail,
    complaint_for_staff,
    complaint_queue,
    visitor_request_detail,
    visitor_request_queue,
)
from bot.usecases.review_reads import Asked, Seen, guarded, staff_read
from bot.usecases.progress_news import tell_child


def read_visitor_requests(staff: StaffUser) -> dict[str, Any]:
    """The IV co-ordinator's queue (``rows``, ``days``); every request shown is audited as read."""
    return staff_read(staff, lambda s: visitor_request_queue(s, staff),
                      lambda data: [Seen("read", "visitor_request", r["id"]) for r in data["rows"]])


def read_anonymous_statements(staff: StaffUser) -> list[dict[str, Any]]:
    """Statements from children not signed in, for the advocacy service; each shown is audited as read."""
    return staff_read(staff, lambda s: anonymous_statements(s, staff),
                      lambda rows: [Seen("read", "wishes_statement", r["id"]) for r in rows])


def read_complaints(staff: StaffUser) -> list[dict[str, Any]]:
    """The complaints queue; every complaint shown is audited as read."""
    return staff_read(staff, lambda s: complaint_queue(s, staff),
                      lambda rows: [Seen("read", "complaint", r["id"]) for r in rows])


def open_visitor_request(staff: StaffUser, request_id: int) -> dict[str, Any]:
    """One visitor or mentor request, for the IV co-ordinator of its council (``NotFound`` otherwise); audited,
    and the phone number the child gave, shown here only, audited as ``visitor_request_phone`` each time."""
    return staff_read(staff, lambda s: visitor_request_detail(s, staff, request_id),
                      lambda view: [Seen("read", "visitor_request", request_id)]
                      + ([Seen("read", "visitor_request_phone", request_id)] if view.get("phone") else []),
                      asked=Asked("visitor_request", request_id))


def open_complaint(staff: StaffUser, complaint_id: int) -> dict[str, Any]:
    """One complaint (``NotFound`` outside the role or council); audited, and the phone number the child gave
    (complaints team only), audited as ``complaint_phone`` each time it is shown."""
    return staff_read(staff, lambda s: complaint_detail(s, staff, complaint_id),
                      lambda view: [Seen("read", "complaint", complaint_id)]
                      + ([Seen("read", "complaint_phone", complaint_id)] if view.get("phone") else []),
                      asked=Asked("complaint", complaint_id))


def change_complaint_status(staff: StaffUser, complaint_id: int, to_status: str, note: str | None) -> None:
    """Acknowledge or resolve a complaint (``InvalidTransition``, ``TextTooLong`` when refused); the child is told
    on their channel."""
    with guarded(staff, Asked("complaint", complaint_id, {"change": to_status})), session_scope() as s:
        complaint_for_staff(s, staff, complaint_id)
        complaint = complaints.change_status(s, complaint_id, to_status, audit.staff_actor(staff.username), note)
        tell_child(s, complaint.child_id, kind="complaint", record_id=complaint.id, status=to_status,
                   due=complaint.acknowledge_due)


def restrict_alert(staff: StaffUser, alert_id: int, staff_ids: list[int]) -> list[int]:
    """A duty lead restricts who sees an alert to ``staff_ids`` and themself (``InvalidChoice`` for anyone who
    cannot see the alert at all: ``read_models.alert_viewers``); recorded and audited; returns who may see it now."""
    with guarded(staff, Asked("safeguarding_alert", alert_id, {"change": "restrict"})), session_scope() as s:
        alert = alert_for_staff(s, staff, alert_id)
        allowed = [person["id"] for person in viewer_choices(s, alert, staff)]
        return alert_visibility.restrict(s, alert, staff, staff_ids, allowed)
