"""The advocacy service's referral queue: overdue referrals first, then by response deadline."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, StaffUser, utcnow
from bot.services.read_models.access import council_condition, referral_for_staff
from bot.services.read_models.plain_words import choice_words, contact_words
from bot.services.phone_vault import contact_phone
from bot.services.referrals import NEXT_STATUS
from bot.services.staff_referrals import origin_view

OPEN_REFERRAL_STATUSES = ("new", "acknowledged", "allocated")
# The queue's "open" tab also shows referrals the child took back, until staff close them (so nobody misses it).
QUEUE_OPEN_STATUSES = OPEN_REFERRAL_STATUSES + ("withdrawn",)


def referral_view(r: AdvocacyReferral) -> dict[str, Any]:
    """One referral with its deadline state (overdue, due today) and its status history."""
    today = utcnow().date()
    return {
        "id": r.id,
        "child_id": r.child_id,
        "child_name": r.child.chosen_name if r.child else None,
        "anonymous": r.child_id is None,
        "unrouted": r.child_id is None and r.routed_council_id is None,  # seen by the triage council
        "anon_name": r.anon_name,
        "anon_local_authority": r.anon_local_authority,
        "local_authority": r.child.local_authority.name if r.child else r.anon_local_authority,
        "reason": r.reason,
        "words": r.words,
        "contact_how": contact_words("contact_how", r.contact_how),  # the button's words, or the child's own
        "number_kept": r.contact_phone_encrypted is not None,  # never the number: referral_detail only
        "contact_when": choice_words("contact_when", r.contact_when),
        "channel": r.channel,  # web | sms (None before migration 0015)
        "tell_social_worker": r.tell_social_worker,
        "status": r.status,
        "withdrawn_at": r.withdrawn_at,  # the child took it back ("Withdrawn by the child on ...")
        "response_due": r.response_due,
        "overdue": r.status in ("new", "acknowledged") and r.response_due < today,
        "due_today": r.status in ("new", "acknowledged") and r.response_due == today,
        "created_at": r.created_at,
        **origin_view(r),  # "referred by <worker>" / "non-instructed" (bot.services.staff_referrals)
        "history": [
            {"from": h.from_status, "to": h.to_status, "at": h.at, "actor": h.actor, "note": h.note}
            for h in r.history
        ],
    }


def referral_queue(s: Session, staff: StaffUser, *, show: str = "open") -> list[dict[str, Any]]:
    """The advocacy queue: overdue first, then by response deadline, then those the child took back (open
    until staff close them). ``show``: open | closed | all."""
    query = select(AdvocacyReferral).where(council_condition(s, AdvocacyReferral, staff))
    if show == "open":
        query = query.where(AdvocacyReferral.status.in_(QUEUE_OPEN_STATUSES))
    elif show == "closed":
        query = query.where(AdvocacyReferral.status == "closed")
    referrals = s.execute(query.order_by(AdvocacyReferral.response_due, AdvocacyReferral.id)).scalars().all()
    rows = [referral_view(r) for r in referrals]
    rows.sort(key=lambda r: (r["status"] == "closed", r["status"] == "withdrawn", not r["overdue"], r["response_due"],
                             r["id"]))
    return rows


def referral_detail(s: Session, staff: StaffUser, referral_id: int) -> dict[str, Any]:
    """One referral the advocacy service may handle (``NotFound`` otherwise), with the statuses it may move
    to next."""
    referral = referral_for_staff(s, staff, referral_id)  # the advocacy service only
    view = referral_view(referral)
    view["next"] = list(NEXT_STATUS.get(referral.status, ()))
    # "Text me at this number" by SMS (issue 19), or a number the child typed (sealed since 0022): the number,
    # opened for the advocacy service on this page only (``bot.usecases.review_queues.open_referral`` audits it as
    # a read of ``advocacy_referral_phone``).
    view["phone"] = contact_phone(referral.contact_phone_encrypted)
    return view
