"""A social worker's or IRO's caseload: one row per child, soonest review first, with what needs them
(wishes for the next review, new statements, open referrals, visitor requests, matches and alerts)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import (
    AdvocacyReferral,
    Child,
    ConversationLink,
    SafeguardingAlert,
    StaffUser,
    VisitorMatch,
    VisitorRequest,
    WishesStatement,
    utcnow,
)
from bot.services.alert_visibility import visible
from bot.services.read_models.access import caseload_filter, refs_by_child, sent_before_sign_in
from bot.services.read_models.child_summary import review_fields
from bot.services.read_models.last_seen import last_views
from bot.services.read_models.referral_queue import OPEN_REFERRAL_STATUSES
from bot.services.review_admin import CouncilSettings, council_settings
from bot.services.wishes import ROLE_AUDIENCE

# A statement without a review date counts for the upcoming review when sent within this many days.
UNDATED_STATEMENT_DAYS = 90
# The open-item counts of each row, in the order they are shown.
COUNT_KEYS = ("open_referrals", "open_visitor_requests", "open_matches", "open_alerts")


def for_upcoming_review(
    statement_review_date: date | None, sent_at: datetime, next_review: date | None
) -> bool:
    """Whether a statement counts as the child's wishes for their next review."""
    if next_review is not None and statement_review_date == next_review:
        return True
    if statement_review_date is None:
        return sent_at >= utcnow() - timedelta(days=UNDATED_STATEMENT_DAYS)
    return False


def caseload(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    """One row per child in ``staff``'s caseload, soonest review first."""
    condition = caseload_filter(staff)
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
    seen = last_views(s, staff, ids)
    statements = _statements_by_child(s, ids)
    counts = _open_counts(s, staff, ids)
    settings = council_settings(s, staff.local_authority_id)
    audience = ROLE_AUDIENCE.get(staff.role)
    return [
        _row(child, statements.get(child.id, []), counts, seen.get(child.id), audience, settings)
        for child in children
    ]


def _row(
    child: Child,
    statements: list[WishesStatement],
    counts: dict[str, dict[str, int]],
    last_seen: datetime | None,
    audience: str | None,
    settings: CouncilSettings,
) -> dict[str, Any]:
    return {
        "id": child.id,
        "chosen_name": child.chosen_name,
        "age_band": child.age_band,
        "next_review_date": child.next_review_date,
        "wishes_for_review": _wishes_for_review(statements, child.next_review_date, audience),
        "new_statements": sum(
            1 for st in statements if audience in st.share_with and (last_seen is None or st.sent_at > last_seen)
        ),
        **{key: counts[key].get(child.id, 0) for key in COUNT_KEYS},
        "last_viewed_at": last_seen,
        **review_fields(child, settings),
    }


def _wishes_for_review(statements: list[WishesStatement], next_review: date | None, audience: str | None) -> str:
    """``shared`` (with ``audience``), ``not_shared`` or ``none``: the child's wishes for their next review."""
    upcoming = [st for st in statements if for_upcoming_review(st.review_date, st.sent_at, next_review)]
    if any(audience in st.share_with for st in upcoming):
        return "shared"
    return "not_shared" if upcoming else "none"


def _statements_by_child(s: Session, ids: list[str]) -> dict[str, list[WishesStatement]]:
    """The statements of each child, including those sent from the child's conversations before sign-in."""
    statements: dict[str, list[WishesStatement]] = defaultdict(list)
    if not ids:
        return statements
    ref_owner = {ref: child_id for child_id, refs in refs_by_child(s, ids).items() for ref in refs}
    condition = WishesStatement.child_id.in_(ids)
    if ref_owner:
        condition = or_(condition, sent_before_sign_in(WishesStatement, ConversationLink.child_id.in_(ids)))
    query = select(WishesStatement).options(selectinload(WishesStatement.shares)).where(condition)
    for st in s.execute(query).scalars().all():
        statements[st.child_id or ref_owner.get(st.conversation_ref, "")].append(st)
    return statements


def _open_counts(s: Session, staff: StaffUser, ids: list[str]) -> dict[str, dict[str, int]]:
    """For each of ``COUNT_KEYS``, the number of open items per child. Only a social worker hears of
    advocacy referrals (when the child asked them to be told) and of safeguarding alerts."""
    counts: dict[str, dict[str, int]] = {
        "open_visitor_requests": _count_by_child(
            s, VisitorRequest, ids, VisitorRequest.status.in_(("new", "in_progress"))
        ),
        "open_matches": _count_by_child(
            s, VisitorMatch, ids, VisitorMatch.status.in_(("proposed", "accepted", "objected"))
        ),
        "open_referrals": {},
        "open_alerts": {},
    }
    if staff.role == "social_worker":
        counts["open_referrals"] = _count_by_child(
            s,
            AdvocacyReferral,
            ids,
            AdvocacyReferral.status.in_(OPEN_REFERRAL_STATUSES),
            AdvocacyReferral.tell_social_worker.is_(True),
        )
        counts["open_alerts"] = _count_by_child(
            s, SafeguardingAlert, ids, SafeguardingAlert.acknowledged_at.is_(None), visible(staff)
        )
    return counts


def _count_by_child(s: Session, model: Any, ids: list[str], *conditions: Any) -> dict[str, int]:
    """How many ``model`` records meeting ``conditions`` each child has (children with none are left out)."""
    if not ids:
        return {}
    query = (
        select(model.child_id, func.count(model.id))
        .where(model.child_id.in_(ids), *conditions)
        .group_by(model.child_id)
    )
    return {child_id: n for child_id, n in s.execute(query)}
