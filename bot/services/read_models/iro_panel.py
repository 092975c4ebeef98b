"""The IRO panel: for each child whose reviews an IRO chairs, the next review, whether the child shared wishes
for it, open advocacy referrals (status and footing only, never the child's words) and the statements a worker
marked "wishes differ from the plan"."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import AdvocacyReferral, Child, StaffUser, WishesStatement
from bot.services.plan_marks import plan_mark_view
from bot.services.read_models.access import owned
from bot.services.read_models.caseload import for_upcoming_review
from bot.services.read_models.plain_words import review_words
from bot.services.read_models.referral_queue import OPEN_REFERRAL_STATUSES
from bot.services.staff_referrals import origin_view
from bot.services.wishes import visible_answers


def _statements(s: Session, child: Child) -> list[WishesStatement]:
    return (
        s.execute(
            select(WishesStatement)
            .options(selectinload(WishesStatement.shares), selectinload(WishesStatement.answers))
            .where(owned(WishesStatement, child), WishesStatement.withdrawn_at.is_(None))
            .order_by(WishesStatement.sent_at.desc(), WishesStatement.id.desc())
        ).scalars().all()
    )


def _open_referrals(s: Session, child: Child) -> list[dict[str, Any]]:
    referrals = s.execute(
        select(AdvocacyReferral)
        .where(owned(AdvocacyReferral, child), AdvocacyReferral.status.in_(OPEN_REFERRAL_STATUSES))
        .order_by(AdvocacyReferral.created_at)
    ).scalars().all()
    return [
        {"id": r.id, "status": r.status, "reason": r.reason, "created_at": r.created_at,
         "response_due": r.response_due, **{k: v for k, v in origin_view(r).items()
                                             if k in ("referred_by", "origin_kind")}}
        for r in referrals
    ]


def _wishes_for_review(child: Child, statements: list[WishesStatement]) -> str:
    upcoming = [st for st in statements if for_upcoming_review(st.review_date, st.sent_at, child.next_review_date)]
    if any("iro" in st.share_with for st in upcoming):
        return "shared"
    return "not_shared" if upcoming else "none"


def iro_panel(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    """One row per child whose reviews ``staff`` (an IRO) chairs, soonest review first; [] for other roles."""
    if staff.role != "iro":
        return []
    children = s.execute(
        select(Child).where(Child.iro_id == staff.id)
        .order_by(Child.next_review_date.is_(None), Child.next_review_date, Child.chosen_name, Child.id)
    ).scalars().all()
    rows = []
    for child in children:
        statements = _statements(s, child)
        differs = [
            {"statement_id": st.id, "review_date": st.review_date, "review_label": st.review_label,
             "review_for": review_words(st.review_label, st.review_date),
             **(plan_mark_view(st) or {})}
            for st in statements
            if visible_answers(st, "iro") and st.plan_mark is not None and st.plan_mark.differs
        ]
        rows.append({
            "id": child.id, "chosen_name": child.chosen_name, "next_review_date": child.next_review_date,
            "social_worker": child.social_worker.display_name if child.social_worker else None,
            "wishes_for_review": _wishes_for_review(child, statements),
            "open_referrals": _open_referrals(s, child),
            "differs_from_plan": differs,
        })
    return rows
