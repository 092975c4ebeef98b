"""Read-side queries for the review app and its JSON API: a staff member's caseload, one child's record,
the advocacy referral queue, safeguarding alerts and the audit trail.

Every function returns plain data (dicts, lists, dates) built inside the caller's session, so the web layer
never touches a lazy relationship after the session closed. Visibility rules kept here:

* A social worker sees the children whose ``social_worker_id`` is theirs; an IRO those whose reviews they
  chair (``iro_id``). Any other child is ``NotFound`` (existence is never revealed).
* A child's wishes answers are shown only as far as the child's sharing choice allows
  (``bot.services.wishes.visible_answers``).
* A social worker sees an advocacy referral only if the child asked for them to be told
  (``tell_social_worker``); safeguarding alerts about their children are always shown to them.
* The advocacy service sees referrals of children in its council and every anonymous self-referral; the duty
  team sees alerts about children in its council and every alert from a child not signed in.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import (
    AdvocacyReferral,
    AuditEvent,
    Child,
    ConversationLink,
    SafeguardingAlert,
    StaffUser,
    VisitorMatch,
    VisitorRequest,
    WishesStatement,
    utcnow,
)
from bot.services import audit
from bot.services.errors import NotFound
from bot.services.review_admin import CouncilSettings, council_settings
from bot.services.review_timescales import STATUS_TEXT, review_timing
from bot.services.wishes import ROLE_AUDIENCE, visible_answers

CASELOAD_ROLES = ("social_worker", "iro")
# A statement without a review date counts for the upcoming review when sent within this many days.
UNDATED_STATEMENT_DAYS = 90
OPEN_REFERRAL_STATUSES = ("new", "acknowledged", "allocated")


def _caseload_filter(staff: StaffUser) -> Any:
    if staff.role == "social_worker":
        return Child.social_worker_id == staff.id
    if staff.role == "iro":
        return Child.iro_id == staff.id
    return None


def child_for_staff(s: Session, staff: StaffUser, child_id: str) -> Child:
    """The child if it is in ``staff``'s caseload, else ``NotFound`` (never tells whether it exists)."""
    condition = _caseload_filter(staff)
    if condition is None:
        raise NotFound("no such child")
    child = s.execute(select(Child).where(Child.id == child_id, condition)).scalar_one_or_none()
    if child is None:
        raise NotFound("no such child")
    return child


def _refs_by_child(s: Session, child_ids: list[str]) -> dict[str, list[str]]:
    refs: dict[str, list[str]] = defaultdict(list)
    if child_ids:
        rows = s.execute(
            select(ConversationLink.child_id, ConversationLink.conversation_ref).where(
                ConversationLink.child_id.in_(child_ids)
            )
        )
        for child_id, ref in rows:
            refs[child_id].append(ref)
    return refs


def _owned(model: Any, child_id: str, refs: list[str]) -> Any:
    """Records carrying the child's id, or sent from one of the child's conversations before sign-in."""
    condition = model.child_id == child_id
    if refs:
        condition = or_(condition, (model.child_id.is_(None)) & model.conversation_ref.in_(refs))
    return condition


def for_upcoming_review(
    statement_review_date: date | None, sent_at: datetime, next_review: date | None
) -> bool:
    """Whether a statement counts as the child's wishes for their next review."""
    if next_review is not None and statement_review_date == next_review:
        return True
    if statement_review_date is None:
        return sent_at >= utcnow() - timedelta(days=UNDATED_STATEMENT_DAYS)
    return False


def last_views(s: Session, staff: StaffUser, child_ids: list[str]) -> dict[str, datetime]:
    """When ``staff`` last opened each child's record (from the audit trail)."""
    if not child_ids:
        return {}
    rows = s.execute(
        select(AuditEvent.entity_id, func.max(AuditEvent.at))
        .where(
            AuditEvent.actor == audit.staff_actor(staff.username),
            AuditEvent.action == "read",
            AuditEvent.entity_type == "child",
            AuditEvent.entity_id.in_(child_ids),
        )
        .group_by(AuditEvent.entity_id)
    )
    result = {}
    for child_id, at in rows:
        if at is not None and at.tzinfo is None:  # in case a driver hands back a naive UTC value
            at = at.replace(tzinfo=timezone.utc)
        result[child_id] = at
    return result


def caseload(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    """One row per child in ``staff``'s caseload, soonest review first."""
    condition = _caseload_filter(staff)
    if condition is None:
        return []
    children = (
        s.execute(
            select(Child)
            .where(condition)
            .order_by(Child.next_review_date.is_(None), Child.next_review_date, Child.chosen_name, Child.id)
        )
        .scalars()
        .all()
    )
    ids = [c.id for c in children]
    refs = _refs_by_child(s, ids)
    ref_owner = {ref: child_id for child_id, rs in refs.items() for ref in rs}
    seen = last_views(s, staff, ids)
    audience = ROLE_AUDIENCE.get(staff.role)

    statements: dict[str, list[WishesStatement]] = defaultdict(list)
    if ids:
        condition_st = WishesStatement.child_id.in_(ids)
        if ref_owner:
            condition_st = or_(
                condition_st,
                WishesStatement.child_id.is_(None) & WishesStatement.conversation_ref.in_(list(ref_owner)),
            )
        for st in (
            s.execute(
                select(WishesStatement).options(selectinload(WishesStatement.shares)).where(condition_st)
            )
            .scalars()
            .all()
        ):
            statements[st.child_id or ref_owner.get(st.conversation_ref, "")].append(st)

    def counts(query: Any) -> dict[str, int]:
        return {child_id: n for child_id, n in s.execute(query)} if ids else {}

    referral_q = select(AdvocacyReferral.child_id, func.count(AdvocacyReferral.id)).where(
        AdvocacyReferral.child_id.in_(ids), AdvocacyReferral.status.in_(OPEN_REFERRAL_STATUSES)
    )
    referrals = (
        counts(
            referral_q.where(AdvocacyReferral.tell_social_worker.is_(True)).group_by(
                AdvocacyReferral.child_id
            )
        )
        if staff.role == "social_worker"
        else {}
    )
    visitor_reqs = counts(
        select(VisitorRequest.child_id, func.count(VisitorRequest.id))
        .where(VisitorRequest.child_id.in_(ids), VisitorRequest.status.in_(("new", "in_progress")))
        .group_by(VisitorRequest.child_id)
    )
    matches = counts(
        select(VisitorMatch.child_id, func.count(VisitorMatch.id))
        .where(VisitorMatch.child_id.in_(ids), VisitorMatch.status.in_(("proposed", "accepted", "objected")))
        .group_by(VisitorMatch.child_id)
    )
    alerts = (
        counts(
            select(SafeguardingAlert.child_id, func.count(SafeguardingAlert.id))
            .where(SafeguardingAlert.child_id.in_(ids), SafeguardingAlert.acknowledged_at.is_(None))
            .group_by(SafeguardingAlert.child_id)
        )
        if staff.role == "social_worker"
        else {}
    )
    settings = council_settings(s, staff.local_authority_id)
    rows = []
    for child in children:
        mine = statements.get(child.id, [])
        upcoming = [
            st for st in mine if for_upcoming_review(st.review_date, st.sent_at, child.next_review_date)
        ]
        shared_with_me = [st for st in upcoming if audience in st.share_with]
        last_seen = seen.get(child.id)
        new = [
            st for st in mine if audience in st.share_with and (last_seen is None or st.sent_at > last_seen)
        ]
        rows.append(
            {
                "id": child.id,
                "chosen_name": child.chosen_name,
                "age_band": child.age_band,
                "next_review_date": child.next_review_date,
                "wishes_for_review": "shared" if shared_with_me else ("not_shared" if upcoming else "none"),
                "new_statements": len(new),
                "open_referrals": referrals.get(child.id, 0),
                "open_visitor_requests": visitor_reqs.get(child.id, 0),
                "open_matches": matches.get(child.id, 0),
                "open_alerts": alerts.get(child.id, 0),
                "last_viewed_at": last_seen,
                **review_fields(child, settings),
            }
        )
    return rows


def statement_view(statement: WishesStatement, role: str) -> dict[str, Any]:
    answers = visible_answers(statement, role)
    return {
        "id": statement.id,
        "review_date": statement.review_date,
        "review_label": statement.review_label,
        "drafted_at": statement.drafted_at,
        "sent_at": statement.sent_at,
        "share_with": statement.share_with,
        "visible": bool(answers),
        "answers": [
            {
                "position": a.position,
                "question_key": a.question_key,
                "question": a.question_text,
                "answer": a.answer,
            }
            for a in answers
        ],
    }


def child_statements(s: Session, child: Child, role: str) -> list[dict[str, Any]]:
    refs = _refs_by_child(s, [child.id]).get(child.id, [])
    statements = (
        s.execute(
            select(WishesStatement)
            .options(selectinload(WishesStatement.answers), selectinload(WishesStatement.shares))
            .where(_owned(WishesStatement, child.id, refs))
            .order_by(WishesStatement.sent_at.desc(), WishesStatement.id.desc())
        )
        .scalars()
        .all()
    )
    return [statement_view(st, role) for st in statements]


def statement_for_staff(s: Session, staff: StaffUser, child_id: str, statement_id: int) -> dict[str, Any]:
    """One statement of a child in ``staff``'s caseload (``NotFound`` otherwise)."""
    child = child_for_staff(s, staff, child_id)
    for st in child_statements(s, child, staff.role):
        if st["id"] == statement_id:
            return {"child": child_summary(child), "statement": st}
    raise NotFound("no such statement")


def review_fields(child: Child, settings: CouncilSettings) -> dict[str, Any]:
    """The statutory timescale check for the child's next review (see ``review_timescales``)."""
    timing = review_timing(child, settings)
    return {
        "review_due_by": timing.due_by,
        "review_status": timing.status,
        "review_status_text": STATUS_TEXT[timing.status],
        "last_review_on": child.last_review_on,
        "reviews_held": child.reviews_held or 0,
        "entered_care_on": child.entered_care_on,
    }


def child_summary(child: Child, settings: CouncilSettings | None = None) -> dict[str, Any]:
    extra = review_fields(child, settings) if settings is not None else {}
    return {
        **extra,
        "id": child.id,
        "chosen_name": child.chosen_name,
        "age_band": child.age_band,
        "next_review_date": child.next_review_date,
        "channel": child.channel,
        "social_worker": child.social_worker.display_name if child.social_worker else None,
        "iro": child.iro.display_name if child.iro else None,
        "local_authority": child.local_authority.name if child.local_authority else None,
    }


def referral_view(r: AdvocacyReferral) -> dict[str, Any]:
    today = utcnow().date()
    return {
        "id": r.id,
        "child_id": r.child_id,
        "child_name": r.child.chosen_name if r.child else None,
        "anonymous": r.child_id is None,
        "anon_name": r.anon_name,
        "anon_local_authority": r.anon_local_authority,
        "local_authority": r.child.local_authority.name if r.child else r.anon_local_authority,
        "reason": r.reason,
        "words": r.words,
        "contact_how": r.contact_how,
        "contact_when": r.contact_when,
        "tell_social_worker": r.tell_social_worker,
        "status": r.status,
        "response_due": r.response_due,
        "overdue": r.status in ("new", "acknowledged") and r.response_due < today,
        "due_today": r.status in ("new", "acknowledged") and r.response_due == today,
        "created_at": r.created_at,
        "history": [
            {"from": h.from_status, "to": h.to_status, "at": h.at, "actor": h.actor, "note": h.note}
            for h in r.history
        ],
    }


def child_record(s: Session, staff: StaffUser, child_id: str) -> dict[str, Any]:
    """Everything ``staff`` may see about one child in their caseload (``NotFound`` otherwise)."""
    child = child_for_staff(s, staff, child_id)
    refs = _refs_by_child(s, [child.id]).get(child.id, [])
    record: dict[str, Any] = {
        "child": child_summary(child, council_settings(s, child.local_authority_id)),
        "statements": child_statements(s, child, staff.role),
    }
    if staff.role == "social_worker":
        referrals = (
            s.execute(
                select(AdvocacyReferral)
                .where(
                    _owned(AdvocacyReferral, child.id, refs), AdvocacyReferral.tell_social_worker.is_(True)
                )
                .order_by(AdvocacyReferral.created_at.desc())
            )
            .scalars()
            .all()
        )
        record["referrals"] = [referral_view(r) for r in referrals]
        alerts = (
            s.execute(
                select(SafeguardingAlert)
                .where(_owned(SafeguardingAlert, child.id, refs))
                .order_by(SafeguardingAlert.created_at.desc())
            )
            .scalars()
            .all()
        )
        record["alerts"] = [alert_view(a, escalate_after=None) for a in alerts]
    else:
        record["referrals"] = []
        record["alerts"] = []
    requests = (
        s.execute(
            select(VisitorRequest)
            .where(_owned(VisitorRequest, child.id, refs))
            .order_by(VisitorRequest.created_at.desc())
        )
        .scalars()
        .all()
    )
    record["visitor_requests"] = [
        {"id": v.id, "kind": v.kind, "wishes": v.wishes, "status": v.status, "created_at": v.created_at}
        for v in requests
    ]
    matches = (
        s.execute(
            select(VisitorMatch)
            .where(VisitorMatch.child_id == child.id)
            .order_by(VisitorMatch.created_at.desc(), VisitorMatch.id.desc())
        )
        .scalars()
        .all()
    )
    record["matches"] = [match_view(m) for m in matches]
    return record


def match_view(m: VisitorMatch) -> dict[str, Any]:
    return {
        "id": m.id,
        "visitor_name": m.visitor_name,
        "description": m.description,
        "kind": m.kind,
        "status": m.status,
        "reason": m.reason,
        "preferences": m.preferences,
        "answered_at": m.answered_at,
        "created_at": m.created_at,
        "proposed_by": m.proposed_by.display_name if m.proposed_by else None,
    }


def match_for_staff(s: Session, staff: StaffUser, match_id: int) -> VisitorMatch:
    """A visitor match of a child in ``staff``'s caseload (``NotFound`` otherwise)."""
    match = s.get(VisitorMatch, match_id)
    if match is None:
        raise NotFound("no such visitor match")
    child_for_staff(s, staff, match.child_id)
    return match


def _la_condition(model: Any, staff: StaffUser) -> Any:
    in_my_council = select(Child.id).where(Child.local_authority_id == staff.local_authority_id)
    return or_(model.child_id.is_(None), model.child_id.in_(in_my_council))


def referral_queue(s: Session, staff: StaffUser, *, show: str = "open") -> list[dict[str, Any]]:
    """The advocacy queue: overdue first, then by response deadline. ``show``: open | closed | all."""
    query = select(AdvocacyReferral).where(_la_condition(AdvocacyReferral, staff))
    if show == "open":
        query = query.where(AdvocacyReferral.status.in_(OPEN_REFERRAL_STATUSES))
    elif show == "closed":
        query = query.where(AdvocacyReferral.status == "closed")
    referrals = s.execute(query.order_by(AdvocacyReferral.response_due, AdvocacyReferral.id)).scalars().all()
    rows = [referral_view(r) for r in referrals]
    rows.sort(key=lambda r: (r["status"] == "closed", not r["overdue"], r["response_due"], r["id"]))
    return rows


def referral_for_staff(s: Session, staff: StaffUser, referral_id: int) -> AdvocacyReferral:
    """A referral the advocacy service may handle (``NotFound`` otherwise)."""
    if staff.role != "advocacy":
        raise NotFound("no such referral")
    referral = s.execute(
        select(AdvocacyReferral).where(
            AdvocacyReferral.id == referral_id, _la_condition(AdvocacyReferral, staff)
        )
    ).scalar_one_or_none()
    if referral is None:
        raise NotFound("no such referral")
    return referral


def alert_view(a: SafeguardingAlert, escalate_after: timedelta | None) -> dict[str, Any]:
    now = utcnow()
    open_ = a.acknowledged_at is None
    return {
        "id": a.id,
        "child_id": a.child_id,
        "child_name": a.child.chosen_name if a.child else None,
        "channel": a.channel,
        "text": a.text,
        "category": a.category,
        "created_at": a.created_at,
        "age_minutes": int((now - a.created_at).total_seconds() // 60),
        "open": open_,
        "escalated": bool(open_ and escalate_after is not None and now - a.created_at >= escalate_after),
        "acknowledged_by": a.acknowledged_by,
        "acknowledged_at": a.acknowledged_at,
        "ack_note": a.ack_note,
    }


def alert_queue(
    s: Session, staff: StaffUser, *, escalate_after: timedelta, acknowledged_limit: int = 50
) -> list[dict[str, Any]]:
    """Open alerts (escalated first, oldest first), then the latest acknowledged ones."""
    condition = _la_condition(SafeguardingAlert, staff)
    open_alerts = (
        s.execute(
            select(SafeguardingAlert)
            .where(condition, SafeguardingAlert.acknowledged_at.is_(None))
            .order_by(SafeguardingAlert.created_at, SafeguardingAlert.id)
        )
        .scalars()
        .all()
    )
    done = (
        s.execute(
            select(SafeguardingAlert)
            .where(condition, SafeguardingAlert.acknowledged_at.is_not(None))
            .order_by(SafeguardingAlert.acknowledged_at.desc())
            .limit(acknowledged_limit)
        )
        .scalars()
        .all()
    )
    rows = [alert_view(a, escalate_after) for a in open_alerts]
    rows.sort(key=lambda r: (not r["escalated"], r["created_at"], r["id"]))
    return rows + [alert_view(a, escalate_after) for a in done]


def alert_for_staff(s: Session, staff: StaffUser, alert_id: int) -> SafeguardingAlert:
    if staff.role != "duty":
        raise NotFound("no such alert")
    alert = s.execute(
        select(SafeguardingAlert).where(
            SafeguardingAlert.id == alert_id, _la_condition(SafeguardingAlert, staff)
        )
    ).scalar_one_or_none()
    if alert is None:
        raise NotFound("no such alert")
    return alert


def audit_trail(
    s: Session,
    *,
    actor: str | None = None,
    entity_type: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Audit events, newest first, optionally filtered; page with ``before_id``."""
    query = select(AuditEvent)
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


def staff_list(s: Session, local_authority_id: int) -> list[StaffUser]:
    return (
        s.execute(
            select(StaffUser)
            .where(StaffUser.local_authority_id == local_authority_id)
            .order_by(StaffUser.role, StaffUser.username)
        )
        .scalars()
        .all()
    )


def statements_since(s: Session, staff: StaffUser, since: datetime | None) -> list[dict[str, Any]]:
    """Statements of every child in ``staff``'s caseload sent after ``since`` (visible answers only)."""
    condition = _caseload_filter(staff)
    if condition is None:
        return []
    children = s.execute(select(Child).where(condition)).scalars().all()
    result = []
    for child in children:
        for st in child_statements(s, child, staff.role):
            if since is None or st["sent_at"] > since:
                result.append({"child_id": child.id, **st})
    result.sort(key=lambda st: (st["sent_at"], st["id"]))
    return result
