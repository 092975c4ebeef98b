"""Independent visitors and mentors from first thought to last visit (issue 16; section 2 of both procedures).

Who moves what:

* **considered**: the social worker or IRO records a best-interests decision, at or before a review, that the
  child should (or need not) have a visitor, with the reason in words (``record_consideration``);
* **searching**: the IV co-ordinator starts looking, once the child should have one (``start_search``);
* **proposed** → the child's answer: yes, no with a reason (final: ``bot.services.visitors.answer_match``), or
  "I want to meet them first" (``child_wants_to_meet_first``);
* **checks**: DBS certificate, references, children's services and probation checks
  (``bot.services.visitor_checks``); ``bot.services.visitors.appoint`` refuses until all four are there;
* **appointed / active**: the co-ordinator logs visits and contact (``log_contact``); about monthly is expected
  and a gap of more than 8 weeks shows on the queue (``contact_gap``);
* **reviewed** (``record_review``) → **ended** (``end_match``: by the child, the visitor, the council, or
  ageing out; a care leaver may keep their visitor, so nothing ends at 18 by itself).

Every step is audited (never with the child's words). A child's "no" at any step stays a no: an objected match
can never be appointed (database triggers, migration 0001), and an ended one takes no more visits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.db.models import Child, StaffUser, VisitorMatch, VisitorRequest, utcnow
from bot.db.visitor_models import CONTACT_KINDS, DECIDER_ROLES, ENDED_BY, VisitorConsideration, VisitorContact
from bot.services import audit
from bot.services.children import get_child
from bot.services.errors import InvalidChoice, InvalidTransition, NotFound
from bot.services.text import check_text
from bot.services.visitor_checks import missing_checks
from bot.services.visitors import get_match

GAP_DAYS = 56  # more than 8 weeks without a visit or contact shows on the co-ordinator's queue
LIVE_STATUSES = ("proposed", "accepted", "appointed")


@dataclass(frozen=True)
class Stage:
    """Where a match is, in words staff read on the queue."""

    key: str
    label: str


def _staff(s: Session, username: str) -> StaffUser:
    staff = s.execute(select(StaffUser).where(StaffUser.username == username)).scalar_one_or_none()
    if staff is None or not staff.active:
        raise NotFound("no such staff user")
    return staff


def _required(text: str | None, field: str) -> str:
    if text is None or not text.strip():
        raise InvalidChoice(f"{field} is required")
    return check_text(text.strip(), field)


def record_consideration(
    s: Session,
    *,
    child_id: str,
    should_have: bool,
    reason: str,
    decided_by: str,
    review_date: date | None = None,
    request_id: int | None = None,
) -> VisitorConsideration:
    """The child's social worker or IRO records "considered: yes / no, because …". Only a social worker or IRO of
    the child's council may decide (``InvalidChoice`` otherwise); the reason is required."""
    child = get_child(s, child_id)
    staff = _staff(s, decided_by)
    if staff.role not in DECIDER_ROLES or staff.local_authority_id != child.local_authority_id:
        raise InvalidChoice("only the child's council's social worker or IRO records this decision")
    if request_id is not None:
        request = s.get(VisitorRequest, request_id)
        if request is None or request.child_id != child.id:
            raise NotFound("no such visitor request for this child")
    decision = VisitorConsideration(
        child_id=child.id,
        request_id=request_id,
        should_have=bool(should_have),
        reason=_required(reason, "reason"),
        review_date=review_date,
        decided_by=staff.username,
        decided_role=staff.role,
        decided_at=utcnow(),
    )
    s.add(decision)
    s.flush()
    audit.record(s, audit.staff_actor(staff.username), "create", "visitor_consideration", decision.id,
                 {"child": child.id, "should_have": decision.should_have})
    return decision


def latest_consideration(s: Session, child_id: str) -> VisitorConsideration | None:
    return s.execute(
        select(VisitorConsideration)
        .where(VisitorConsideration.child_id == child_id)
        .order_by(VisitorConsideration.decided_at.desc(), VisitorConsideration.id.desc())
        .limit(1)
    ).scalar_one_or_none()


def start_search(s: Session, request_id: int, actor: str) -> VisitorRequest:
    """The co-ordinator starts looking for a visitor for a request (new → in_progress). A known child's request
    needs a "yes" decision first (the best-interests decision is the worker's, not the co-ordinator's)."""
    request = s.get(VisitorRequest, request_id)
    if request is None:
        raise NotFound("no such visitor request")
    if request.status != "new":
        raise InvalidTransition(f"a {request.status} request cannot start a search")
    if request.child_id is not None:
        decision = latest_consideration(s, request.child_id)
        if decision is None or not decision.should_have:
            raise InvalidTransition("the social worker or IRO has not decided that a visitor should be found")
    request.status = "in_progress"
    s.flush()
    audit.record(s, actor, "update", "visitor_request", request.id, {"status": ["new", "in_progress"]})
    return request


def child_wants_to_meet_first(s: Session, match: VisitorMatch, actor: str) -> VisitorMatch:
    """The child wants to meet the proposed person before saying yes or no: recorded, the match stays waiting
    for their answer. Only a match still waiting for an answer."""
    if match.status != "proposed":
        raise InvalidTransition(f"a {match.status} match is not waiting for an answer")
    match.meet_first_at = match.meet_first_at or utcnow()
    match.updated_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_match", match.id, {"meet_first": True})
    return match


def set_may_be_told(s: Session, match: VisitorMatch, words: str, actor: str) -> VisitorMatch:
    """What the child says their visitor may be told about them (verbatim, a later answer added after the
    earlier one). Not on a closed or ended match."""
    if match.status not in LIVE_STATUSES or match.ended_at is not None:
        raise InvalidTransition("this visitor match is closed")
    words = _required(words, "may_be_told")
    match.may_be_told = f"{match.may_be_told}\n---\n{words}" if match.may_be_told else words
    match.updated_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_match", match.id, {"fields": ["may_be_told"]})
    return match


def _active(match: VisitorMatch) -> None:
    if match.status != "appointed" or match.ended_at is not None:
        raise InvalidTransition("only an appointed visitor whose time has not ended")


def log_contact(s: Session, *, match_id: int, contact_on: date, kind: str, actor: str,
                today: date | None = None) -> VisitorContact:
    """The co-ordinator logs a visit or other contact of an appointed visitor. Refused on a match that is not
    appointed or has ended, for an unknown kind, and for a date in the future."""
    match = get_match(s, match_id)
    _active(match)
    if kind not in CONTACT_KINDS:
        raise InvalidChoice("kind must be one of " + ", ".join(CONTACT_KINDS))
    if contact_on > (today or utcnow().date()):
        raise InvalidChoice("a contact cannot be logged before it happens")
    contact = VisitorContact(match_id=match.id, contact_on=contact_on, kind=kind, logged_by=actor,
                             logged_at=utcnow())
    s.add(contact)
    s.flush()
    audit.record(s, actor, "create", "visitor_contact", contact.id, {"match": match.id, "kind": kind})
    return contact


def last_contact(s: Session, match_id: int) -> date | None:
    return s.execute(
        select(func.max(VisitorContact.contact_on)).where(VisitorContact.match_id == match_id)
    ).scalar_one_or_none()


def contact_gap(s: Session, match: VisitorMatch, today: date) -> int | None:
    """Days since the last visit or contact (since appointment when none yet) of an active match; None when the
    match is not active."""
    if match.status != "appointed" or match.ended_at is not None:
        return None
    last = last_contact(s, match.id)
    since = last or match.updated_at.date()
    return (today - since).days


def record_review(s: Session, match_id: int, actor: str) -> VisitorMatch:
    """The match was reviewed (with the child, at or before their review)."""
    match = get_match(s, match_id)
    _active(match)
    match.reviewed_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_match", match.id, {"reviewed": True})
    return match


def end_match(s: Session, *, match_id: int, ended_by: str, reason: str, actor: str) -> VisitorMatch:
    """An appointed visitor's time ends: by the child, the visitor, the council, or ageing out. The reason is
    required; an ended match takes no more visits and is no longer the child's visitor."""
    if ended_by not in ENDED_BY:
        raise InvalidChoice("ended_by must be one of " + ", ".join(ENDED_BY))
    reason = _required(reason, "reason")
    match = get_match(s, match_id)
    _active(match)
    match.ended_at = utcnow()
    match.ended_by = ended_by
    match.end_reason = reason
    match.updated_at = match.ended_at
    s.flush()
    audit.record(s, actor, "update", "visitor_match", match.id, {"ended_by": ended_by})
    return match


STAGES = {
    "objected": "The child said no",
    "withdrawn": "Withdrawn",
    "ended": "Ended",
    "meet_first": "The child wants to meet them first",
    "proposed": "Waiting for the child's answer",
    "checks": "The child said yes: checks to finish",
    "ready": "The child said yes: checks done, ready to appoint",
    "active": "Appointed",
}


def stage(s: Session, match: VisitorMatch) -> Stage:
    """Where ``match`` is in the lifecycle."""
    if match.status in ("objected", "withdrawn"):
        key = match.status
    elif match.ended_at is not None:
        key = "ended"
    elif match.status == "proposed":
        key = "meet_first" if match.meet_first_at else "proposed"
    elif match.status == "accepted":
        key = "checks" if missing_checks(s, match.id) else "ready"
    else:
        key = "active"
    return Stage(key, STAGES[key])


CONSIDER_REASONS = {
    "no_parent_contact": "No contact with a parent in the last 12 months",
    "residential": "Lives in a children's home",
    "secure": "Lives in secure accommodation",
    "communication": "Has communication needs",
}


def reasons_to_consider(child: Child) -> list[str]:
    """Why the procedures say a visitor should be considered for this child, in words (none: no flag)."""
    if child.legal_status not in (None, "looked_after"):
        return []
    keys = []
    if child.parental_contact_last_12m is False:
        keys.append("no_parent_contact")
    if child.placement_type in ("residential", "secure"):
        keys.append(child.placement_type)
    if child.communication_needs and child.communication_needs.strip():
        keys.append("communication")
    return [CONSIDER_REASONS[k] for k in keys]


def children_to_consider(s: Session, council_id: int, now: datetime | None = None) -> list[tuple[Child, list[str]]]:
    """Children of ``council_id`` the procedures say should be considered for a visitor, with no live match and
    no decision recorded in the last 12 months (a decision is made again at least yearly)."""
    now = now or utcnow()
    year_ago = now.replace(year=now.year - 1) if not (now.month == 2 and now.day == 29) else now.replace(
        year=now.year - 1, day=28)
    live = select(VisitorMatch.child_id).where(VisitorMatch.status.in_(LIVE_STATUSES),
                                               VisitorMatch.ended_at.is_(None))
    decided = select(VisitorConsideration.child_id).where(VisitorConsideration.decided_at >= year_ago)
    children = s.execute(
        select(Child)
        .where(Child.local_authority_id == council_id, Child.id.not_in(live), Child.id.not_in(decided))
        .order_by(Child.next_review_date.is_(None), Child.next_review_date, Child.chosen_name)
    ).scalars().all()
    flagged = [(child, reasons_to_consider(child)) for child in children]
    return [(child, reasons) for child, reasons in flagged if reasons]
