"""A social worker refers a child for advocacy (issue 15, item 3): with the child's agreement recorded (who
asked, when, how the child agreed), or for non-instructed advocacy where the child cannot instruct an advocate
(age, disability, communication), with the reason.

The referral is an ordinary ``AdvocacyReferral`` of the child (the advocacy service's queue shows it like a
self-referral, marked "referred by <worker>" or "non-instructed") with a ``ReferralOrigin`` row saying who made
it and on what footing. Audited; the caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import REFERRAL_REASONS, AdvocacyReferral, Child, ReferralStatusChange, StaffUser, utcnow
from bot.db.worker_models import AGREEMENT_WAYS, NON_INSTRUCTED_GROUNDS, REFERRAL_ORIGIN_KINDS, ReferralOrigin
from bot.services import audit
from bot.services.errors import InvalidChoice
from bot.services.idempotency import insert_once
from bot.services.referrals import add_working_days
from bot.services.text import check_text


@dataclass(frozen=True)
class StaffReferral:
    """What the worker filled in. ``words``: what the advocate needs to know (the child's words where possible)."""

    kind: str
    reason: str
    words: str
    asked_by: str | None = None
    agreed_on: date | None = None
    agreed_how: str | None = None
    grounds: str | None = None
    non_instructed_reason: str | None = None


def check_referral(form: StaffReferral, today: date) -> list[str]:
    """What is missing or wrong, in plain words (empty when it can be sent)."""
    problems = []
    if form.kind not in REFERRAL_ORIGIN_KINDS:
        problems.append("Choose whether the child asked for an advocate or cannot instruct one.")
    if form.reason not in REFERRAL_REASONS:
        problems.append("Choose what the advocacy is for.")
    if not form.words.strip():
        problems.append("Say what the advocate needs to know.")
    limit = get_settings().max_text
    if len(form.words) > limit or len(form.non_instructed_reason or "") > limit:
        problems.append(f"Keep each box to {limit} characters.")
    if form.kind == "instructed":
        if not (form.asked_by or "").strip():
            problems.append("Say who asked the child.")
        if form.agreed_on is None or form.agreed_on > today:
            problems.append("Give the day the child agreed (not a future day).")
        if form.agreed_how not in AGREEMENT_WAYS:
            problems.append("Say how the child agreed.")
    elif form.kind == "non_instructed":
        if form.grounds not in NON_INSTRUCTED_GROUNDS:
            problems.append("Say why the child cannot instruct an advocate.")
        if not (form.non_instructed_reason or "").strip():
            problems.append("Explain why the child cannot instruct an advocate.")
    return problems


def refer_child(s: Session, staff: StaffUser, child: Child, form: StaffReferral, idempotency_key: str
                ) -> AdvocacyReferral:
    """Record the referral for ``child`` (checked by the caller: ``check_referral``). The same
    ``idempotency_key`` again (a double click) returns the first referral."""
    if check_referral(form, utcnow().date()):
        raise InvalidChoice("the referral is incomplete")
    check_text(form.words, "words")
    check_text(form.non_instructed_reason, "non_instructed_reason")
    actor = audit.staff_actor(staff.username)
    ref = audit.conversation_ref(f"staff-referral:{staff.username}")
    now = utcnow()
    instructed = form.kind == "instructed"

    def build() -> AdvocacyReferral:
        referral = AdvocacyReferral(
            child_id=child.id, conversation_ref=ref, reason=form.reason, words=form.words.strip(),
            tell_social_worker=True, status="new", idempotency_key=idempotency_key, created_at=now,
            updated_at=now, response_due=add_working_days(now.date(), get_settings().referral_response_days),
        )
        referral.history.append(ReferralStatusChange(actor=actor, from_status=None, to_status="new", at=now))
        referral.origin = ReferralOrigin(
            kind=form.kind, referred_by_id=staff.id, created_at=now,
            asked_by=form.asked_by.strip()[:200] if instructed and form.asked_by else None,
            agreed_on=form.agreed_on if instructed else None,
            agreed_how=form.agreed_how if instructed else None,
            non_instructed_grounds=None if instructed else form.grounds,
            non_instructed_reason=None if instructed else (form.non_instructed_reason or "").strip(),
        )
        return referral

    referral, created = insert_once(s, AdvocacyReferral, idempotency_key, ref, build)
    if created:
        audit.record(s, actor, "create", "advocacy_referral", referral.id,
                     {"reason": form.reason, "referred_by_staff": True, "kind": form.kind})
    return referral


def origin_view(referral: AdvocacyReferral) -> dict[str, object]:
    """How a referral came: from the child (``referred_by`` None) or from a worker, and on what footing."""
    origin = getattr(referral, "origin", None)
    if origin is None:
        return {"referred_by": None, "origin_kind": "self"}
    return {
        "referred_by": origin.referred_by.display_name if origin.referred_by else None,
        "origin_kind": origin.kind,
        "asked_by": origin.asked_by,
        "agreed_on": origin.agreed_on,
        "agreed_how": origin.agreed_how,
        "non_instructed_grounds": origin.non_instructed_grounds,
        "non_instructed_reason": origin.non_instructed_reason,
    }
