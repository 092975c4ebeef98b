"""What a social worker or IRO does on a child's record: issue a sign-in code, propose a visitor, record a
review, set the date the child came into care, appoint or withdraw a visitor. Each is one committed
transaction; the child must be in the staff member's caseload (``NotFound`` otherwise, audited as a
``refused_read`` by ``review_reads.guarded``)."""

from __future__ import annotations

from datetime import date

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit, review_timescales, signin, visitors
from bot.services.errors import InvalidTransition, MatchObjected
from bot.services.read_models.access import child_for_staff, match_for_staff
from bot.usecases.review_reads import Asked, guarded


class MatchRefused(Exception):
    """A visitor match cannot be appointed or withdrawn; ``message`` says why, for the child's page."""

    def __init__(self, child_id: str, message: str) -> None:
        super().__init__(message)
        self.child_id = child_id
        self.message = message


def issue_code_for_child(staff: StaffUser, child_id: str) -> str:
    """A new one-time sign-in code for a child in ``staff``'s caseload (shown once)."""
    with guarded(staff, Asked("child", child_id, {"change": "sign_in_code"})), session_scope() as s:
        child_for_staff(s, staff, child_id)
        return signin.issue_code(s, child_id, staff.username)


def propose_visitor(
    staff: StaffUser, child_id: str, name: str, description: str | None, kind: str
) -> None:
    """Propose an independent visitor or mentor; the child is asked about them in the chat."""
    with guarded(staff, Asked("child", child_id, {"change": "propose_visitor"})), session_scope() as s:
        child_for_staff(s, staff, child_id)
        visitors.propose_match(s, child_id, staff.username, name, description, kind)


def record_review(staff: StaffUser, child_id: str, held_on: date, next_on: date | None) -> date | None:
    """Record a Looked After Review as held; returns the next review date (``next_on`` or the latest allowed)."""
    with guarded(staff, Asked("child", child_id, {"change": "review_held"})), session_scope() as s:
        child_for_staff(s, staff, child_id)
        child = review_timescales.record_review_held(
            s, child_id, held_on, audit.staff_actor(staff.username), next_review_date=next_on
        )
        return child.next_review_date


def set_entered_care(staff: StaffUser, child_id: str, entered_on: date) -> None:
    """The date the child came into care (for the first review's deadline)."""
    with guarded(staff, Asked("child", child_id, {"change": "entered_care_on"})), session_scope() as s:
        child_for_staff(s, staff, child_id)
        review_timescales.set_entered_care(s, child_id, entered_on, audit.staff_actor(staff.username))


def decide_match(staff: StaffUser, match_id: int, action: str) -> tuple[str, str]:
    """``action`` "appoint" or "withdraw" a visitor match of a child in the caseload; returns the child's id
    and what happened. Raises ``MatchRefused`` (nothing changed) when the child said no or has not said yes."""
    with guarded(staff, Asked("visitor_match", match_id, {"change": action})), session_scope() as s:
        match = match_for_staff(s, staff, match_id)
        actor = audit.staff_actor(staff.username)
        child_id, child_name = match.child_id, match.child.chosen_name
        try:
            if action == "appoint":
                visitors.appoint(s, match_id, actor)
                return child_id, f"{match.visitor_name} is now appointed."
            visitors.withdraw(s, match_id, actor)
            return child_id, f"{match.visitor_name} was withdrawn."
        except MatchObjected:
            reason = f' Their reason: "{match.reason}"' if match.reason else ""
            raise MatchRefused(
                child_id,
                f"{match.visitor_name} cannot be appointed: {child_name} said no to this match.{reason}",
            ) from None
        except InvalidTransition as error:
            text = (
                f"{match.visitor_name} cannot be appointed yet: {child_name} has not said yes."
                if action == "appoint" and match.status == "proposed"
                else str(error)
            )
            raise MatchRefused(child_id, text) from None
