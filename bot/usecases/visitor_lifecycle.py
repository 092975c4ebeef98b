"""The IV co-ordinator's queue and a match's steps (issue 16): each a use case in one transaction, reads
audited, refusals (``NotFound``) audited as refused."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.db.engine import session_scope
from bot.db.models import StaffUser, VisitorRequest
from bot.services import audit, visitor_checks, visitors
from bot.services import visitor_lifecycle as lifecycle
from bot.services.errors import NotFound
from bot.services.read_models import visitor_queue as reads
from bot.services.read_models.access import council_condition
from bot.usecases.review_reads import Asked, Seen, child_read, guarded, staff_read
from bot.usecases.progress_news import tell_child


def read_queue(staff: StaffUser, today: date) -> dict[str, Any]:
    """The queue; every request, match and flagged child shown is audited as read."""

    def seen(data: dict[str, Any]) -> list[Seen]:
        rows = [Seen("read", "visitor_request", r["id"]) for r in data["requests"]]
        rows += [Seen("read", "visitor_match", m["id"]) for m in data["live"] + data["closed"]]
        return rows + [child_read(c["child_id"], {"via": "visitor_queue"}) for c in data["consider"]]

    return staff_read(staff, lambda s: reads.visitor_queue(s, staff, today), seen,
                      asked=Asked("visitor_queue", None))


def read_match(staff: StaffUser, match_id: int, today: date) -> dict[str, Any]:
    return staff_read(staff, lambda s: reads.match_history(s, staff, match_id, today),
                      lambda _data: [Seen("read", "visitor_match", match_id)],
                      asked=Asked("visitor_match", match_id))


def _on_match(staff: StaffUser, match_id: int, change: str, act: Any) -> None:
    with guarded(staff, Asked("visitor_match", match_id, {"change": change})), session_scope() as s:
        reads.match_for_lifecycle(s, staff, match_id)
        if staff.role not in reads.COORDINATOR_ROLES:
            raise NotFound("no such visitor match")
        act(s, audit.staff_actor(staff.username))


def record_checks(staff: StaffUser, match_id: int, completed: dict[str, date]) -> None:
    _on_match(staff, match_id, "checks", lambda s, actor: visitor_checks.record_checks(
        s, match_id=match_id, completed=completed, actor=actor))


def log_contact(staff: StaffUser, match_id: int, contact_on: date, kind: str) -> None:
    _on_match(staff, match_id, "contact", lambda s, actor: lifecycle.log_contact(
        s, match_id=match_id, contact_on=contact_on, kind=kind, actor=actor))


def record_review(staff: StaffUser, match_id: int) -> None:
    _on_match(staff, match_id, "reviewed", lambda s, actor: lifecycle.record_review(s, match_id, actor))


def end_match(staff: StaffUser, match_id: int, ended_by: str, reason: str) -> None:
    _on_match(staff, match_id, "end", lambda s, actor: lifecycle.end_match(
        s, match_id=match_id, ended_by=ended_by, reason=reason, actor=actor))


def appoint(staff: StaffUser, match_id: int) -> None:
    _on_match(staff, match_id, "appoint", lambda s, actor: visitors.appoint(s, match_id, actor))


def start_search(staff: StaffUser, request_id: int) -> None:
    """The co-ordinator starts looking for a visitor for a request of their council."""
    with guarded(staff, Asked("visitor_request", request_id, {"change": "searching"})), session_scope() as s:
        visible = s.query(VisitorRequest.id).filter(
            VisitorRequest.id == request_id, council_condition(s, VisitorRequest, staff)).first()
        if visible is None or staff.role not in reads.COORDINATOR_ROLES:
            raise NotFound("no such visitor request")
        request = lifecycle.start_search(s, request_id, audit.staff_actor(staff.username))
        tell_child(s, request.child_id, kind="visitor", record_id=request.id, status=request.status)


def record_consideration(staff: StaffUser, child_id: str, should_have: bool, reason: str,
                         review_date: date | None) -> None:
    """The child's social worker or IRO records "considered: yes / no, because …"."""
    with guarded(staff, Asked("child", child_id, {"change": "visitor_consideration"})), session_scope() as s:
        reads.child_for_decision(s, staff, child_id)
        lifecycle.record_consideration(s, child_id=child_id, should_have=should_have, reason=reason,
                                       decided_by=staff.username, review_date=review_date)
