"""Every record reaches a named team of the child's council, and a person is told that it is waiting.

Who is told (``notify_new``), for the council of the child (a child not signed in: the council they named,
``bot.services.council_routing``):

* an advocacy referral: the advocacy service (team ``advocacy``);
* a visitor or mentor request: the IV co-ordinator (team ``iv``);
* a complaint: the complaints contact (team ``complaints``); a complaint whose child wants an advocate's help
  also makes an advocacy referral, which tells the advocacy service in turn;
* a new wishes statement: the child's social worker and IRO (their ``notify_email``); a statement from a child
  not signed in goes to the advocacy service of the council the child named (it is shown in their anonymous
  queue, ``/review/anonymous``).

Where: the team's contact in the council settings (an e-mail address, or an https webhook URL), else the
server's default targets (``bot.services.alerts.notification_targets``). A notification is a row of the outbox
(``bot.services.notification_outbox``), delivered and retried with the alerts' rows. What it says is only what
is waiting, for which team, when, and a link (``record_payload``): never the child's words, name or id.

Deadlines (``escalate_overdue_records``), like an unacknowledged alert: a referral still new or acknowledged
after its ``response_due``; a visitor request still new after the council's ``visitor_action_working_days``; a
complaint not acknowledged by its ``acknowledge_due``. Each escalates once: a second, louder notification
(kind ``record_late``) to the same team, and to the duty team.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, Child, NotificationOutbox, StaffUser, VisitorRequest, utcnow
from bot.db.routing_models import Complaint
from bot.services import audit, review_links
from bot.services.alerts import notification_targets
from bot.services.referrals import add_working_days
from bot.services.review_admin import council_settings
from bot.services.team_contacts import contact_target

TEAM_NAMES = {
    "advocacy": "advocacy service",
    "iv": "IV co-ordinator",
    "complaints": "complaints team",
    "duty": "duty team",
    "social_worker": "social worker",
    "iro": "IRO",
}
# The team each kind of record goes to (a statement of a signed-in child goes to their social worker and IRO).
TEAM_FOR = {"advocacy_referral": "advocacy", "visitor_request": "iv", "complaint": "complaints",
            "wishes_statement": "advocacy"}
WHAT = {
    "advocacy_referral": "advocacy referral",
    "visitor_request": "visitor or mentor request",
    "complaint": "complaint",
    "wishes_statement": "wishes and feelings statement",
    "alert_callback": "call-back request after a safeguarding alert",
}
def council_of(s: Session, record: Any) -> int | None:
    """The council a record belongs to: the child's, else the one a child not signed in named (None: unrouted)."""
    if record.child_id is not None:
        child = s.get(Child, record.child_id)
        return child.local_authority_id if child is not None else None
    return record.routed_council_id


def _rows(targets: list[tuple[str, str | None]], record_type: str, record_id: int, team: str, kind: str,
          now: datetime) -> list[NotificationOutbox]:
    return [
        NotificationOutbox(record_type=record_type, record_id=record_id, team=team, target=target,
                           destination=destination, kind=kind, attempts=0, next_attempt_at=now, created_at=now)
        for target, destination in targets
    ]


def _team_targets(s: Session, council_id: int | None, team: str) -> list[tuple[str, str | None]]:
    settings = council_settings(s, council_id)
    own = contact_target(getattr(settings, f"{team}_contact", None))
    if own is not None:
        return [own]
    return [(t, None) for t in notification_targets(council_choice=settings.notifier)]


def _person_targets(s: Session, council_id: int | None, person: StaffUser) -> list[tuple[str, str | None]]:
    own = contact_target(person.notify_email)
    if own is not None:
        return [own]
    return [(t, None) for t in notification_targets(council_choice=council_settings(s, council_id).notifier)]


def notify_team(s: Session, record_type: str, record_id: int, council_id: int | None, team: str,
                kind: str = "record") -> list[NotificationOutbox]:
    """Queue the notifications telling ``team`` of ``council_id`` that the record is waiting."""
    rows = _rows(_team_targets(s, council_id, team), record_type, record_id, team, kind, utcnow())
    s.add_all(rows)
    return rows


def _already_told(s: Session, record_type: str, record_id: int) -> bool:
    return s.execute(
        select(NotificationOutbox.id).where(
            NotificationOutbox.record_type == record_type, NotificationOutbox.record_id == record_id,
            NotificationOutbox.kind == "record",
        ).limit(1)
    ).first() is not None


def _statement_people(s: Session, record: Any) -> list[tuple[str, StaffUser]]:
    child = s.get(Child, record.child_id)
    people = []
    for role, staff_id in (("social_worker", child.social_worker_id), ("iro", child.iro_id)):
        person = s.get(StaffUser, staff_id) if staff_id is not None else None
        if person is not None and person.active:
            people.append((role, person))
    return people


def notify_new(s: Session, record_type: str, record: Any) -> list[NotificationOutbox]:
    """Tell the receiving team (or people) of a new record, once (a retried submission tells nobody again)."""
    if _already_told(s, record_type, record.id):
        return []
    council_id = council_of(s, record)
    if record_type == "wishes_statement" and record.child_id is not None:
        rows = []
        for role, person in _statement_people(s, record):
            rows += _rows(_person_targets(s, council_id, person), record_type, record.id, role, "record", utcnow())
        s.add_all(rows)
        return rows
    return notify_team(s, record_type, record.id, council_id, TEAM_FOR[record_type])


def record_payload(row: NotificationOutbox) -> dict[str, Any]:
    """What leaves the database about a record: what it is, for which team, when, a link. Nothing the child
    wrote, no name, no child id."""
    return {
        "record": row.record_type,
        "record_id": row.record_id,
        "what": WHAT.get(row.record_type, "record"),
        "team": TEAM_NAMES.get(row.team or "", "team"),
        "time": row.created_at.isoformat(),
        "link": review_links.record(row.record_type, row.record_id, row.team),
    }


def record_text(payload: dict[str, Any]) -> str:
    """The e-mail or log text for a record notification."""
    late = payload.get("kind") == "record_late"
    state = "is past its deadline and nobody has acted (ESCALATED)" if late else "is waiting"
    return (
        f"Heard: a {payload['what']} {state} for the {payload['team']}. Open it in the review app: "
        f"{payload['link']}. This message does not contain what the child said or their name."
    )


def _overdue(s: Session, now: datetime) -> list[tuple[str, Any]]:
    today = now.date()
    found: list[tuple[str, Any]] = [("advocacy_referral", r) for r in s.execute(
        select(AdvocacyReferral).where(AdvocacyReferral.status.in_(("new", "acknowledged")),
                                       AdvocacyReferral.response_due < today,
                                       AdvocacyReferral.escalated_at.is_(None))).scalars()]
    found += [("complaint", c) for c in s.execute(
        select(Complaint).where(Complaint.status == "new", Complaint.acknowledge_due < today,
                                Complaint.escalated_at.is_(None))).scalars()]
    for request in s.execute(select(VisitorRequest).where(VisitorRequest.status == "new",
                                                          VisitorRequest.escalated_at.is_(None))).scalars():
        days = council_settings(s, council_of(s, request)).visitor_action_working_days
        if add_working_days(request.created_at.date(), days) < today:
            found.append(("visitor_request", request))
    return found


MODELS = {"advocacy_referral": AdvocacyReferral, "visitor_request": VisitorRequest, "complaint": Complaint}


def escalate_overdue_records(s: Session, now: datetime | None = None) -> list[tuple[str, int]]:
    """Records past their deadline with no action: marked escalated (once, even with several notifiers) and a
    louder notification queued to their team and to the duty team. Returns (record type, id) of each."""
    now = now or utcnow()
    escalated = []
    for record_type, record in _overdue(s, now):
        model = MODELS[record_type]
        claimed = s.execute(
            update(model).where(model.id == record.id, model.escalated_at.is_(None)).values(escalated_at=now)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount != 1:
            continue  # another server escalated it first
        council_id = council_of(s, record)
        for team in (TEAM_FOR[record_type], "duty"):
            notify_team(s, record_type, record.id, council_id, team, kind="record_late")
        audit.record(s, "system:notifier", "update", record_type, record.id, {"escalated": True})
        escalated.append((record_type, record.id))
    s.flush()
    return escalated
