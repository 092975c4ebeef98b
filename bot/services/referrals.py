"""Advocacy referrals: a child asks for an advocate. The child's words are kept verbatim.

Status: new -> acknowledged -> allocated -> closed (closing is allowed from any open state). The child may take
an open referral back (``withdraw_by_child``: withdrawn, final for the child; staff close it once they have
seen it). Every change is kept in ``ReferralStatusChange`` and the audit log.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import REFERRAL_REASONS, AdvocacyReferral, ReferralStatusChange, utcnow
from bot.services import audit, children, phone_vault
from bot.services.children import known_child_id
from bot.services.council_routing import route_anonymous
from bot.services.errors import InvalidChoice, InvalidTransition, NotFound
from bot.services.idempotency import insert_once
from bot.services.text import check_text

NEXT_STATUS = {
    "new": ("acknowledged", "closed"),
    "acknowledged": ("allocated", "closed"),
    "allocated": ("closed",),
    "withdrawn": ("closed",),  # the child took it back; staff close it once they have seen it
}
# What a child may still take back (a closed referral is finished).
CHILD_MAY_WITHDRAW = ("new", "acknowledged", "allocated")


@lru_cache(maxsize=64)
def _england_bank_holidays(year: int) -> frozenset[date]:
    """England's bank holidays in ``year``, with the substitute days when one falls on a weekend."""
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday in England (e.g. Christmas, Good Friday, Easter Monday)."""
    return day.weekday() < 5 and day not in _england_bank_holidays(day.year)


def add_working_days(start: date, days: int) -> date:
    """``start`` plus ``days`` working days: Monday to Friday, skipping England's bank holidays.

    When a bank holiday falls on a weekend, the substitute day (e.g. Monday 28 December 2026 for Boxing Day)
    is skipped too.
    """
    current = start
    while days > 0:
        current += timedelta(days=1)
        if is_working_day(current):
            days -= 1
    return current


def submit_referral(
    s: Session,
    *,
    idempotency_key: str,
    conversation_id: str,
    child_id: str | None,
    reason: str,
    words: str,
    contact_how: str | None,
    contact_when: str | None,
    tell_social_worker: bool,
    anon_name: str | None = None,
    local_authority: str | None = None,
    phone_token: str | None = None,
) -> AdvocacyReferral:
    """Record a referral. The same ``idempotency_key`` again returns the first referral (no duplicate).
    ``phone_token`` ("text me at this number" by SMS) and any number in ``contact_how`` are kept sealed for the
    advocacy service (``phone_vault.contact_to_keep``); ``contact_how`` keeps the way only.
    Raises ``TextTooLong`` (any text over ``settings.max_text``), ``InvalidChoice`` (unknown reason),
    ``IdempotencyConflict`` (key used by another conversation)."""
    if reason not in REFERRAL_REASONS:
        raise InvalidChoice("unknown referral reason")
    check_text(words, "words", required=True)
    for name, value in (("contact_how", contact_how), ("contact_when", contact_when), ("anon_name", anon_name)):
        check_text(value, name)
    child_id = known_child_id(s, child_id)
    ref = audit.conversation_ref(conversation_id)
    now = utcnow()
    actor = audit.actor_for(child_id, conversation_id)
    routed = None if child_id else route_anonymous(s, local_authority, ref)  # the council the child named
    contact = phone_vault.contact_to_keep(conversation_id, check_text(contact_how, "contact_how"), phone_token)

    def build() -> AdvocacyReferral:
        referral = AdvocacyReferral(
            child_id=child_id,
            routed_council_id=routed,
            anon_name=None if child_id else anon_name,
            anon_local_authority=None if child_id else local_authority,
            conversation_ref=ref,
            channel=children.channel_of_conversation(conversation_id),
            reason=reason,
            words=check_text(words, "words"),
            contact_how=contact.words,  # the way; any number is sealed below
            contact_when=check_text(contact_when, "contact_when"),
            tell_social_worker=bool(tell_social_worker),
            contact_phone_encrypted=contact.phone_encrypted,
            status="new",
            response_due=add_working_days(now.date(), get_settings().referral_response_days),
            idempotency_key=idempotency_key,
            created_at=now,
            updated_at=now,
        )
        referral.history.append(ReferralStatusChange(actor=actor, from_status=None, to_status="new", at=now))
        return referral

    referral, created = insert_once(s, AdvocacyReferral, idempotency_key, ref, build)
    if created:
        audit.record(s, actor, "create", "advocacy_referral", referral.id, {"reason": reason})
    return referral


def get_referral(s: Session, referral_id: int) -> AdvocacyReferral:
    referral = s.get(AdvocacyReferral, referral_id)
    if referral is None:
        raise NotFound("no such referral")
    return referral


def change_status(
    s: Session, referral_id: int, to_status: str, actor: str, note: str | None = None,
    advocate_first_name: str | None = None,
) -> AdvocacyReferral:
    """Move a referral on: new -> acknowledged -> allocated -> closed; close from any open state.

    ``actor`` is an audit actor such as ``staff:adv.dev``. Raises ``InvalidTransition`` otherwise. On allocation,
    ``advocate_first_name`` (first name only: the first word, at most 60 letters) is what the child is told.
    """
    check_text(note, "note")
    first_name = (advocate_first_name or "").strip().split(" ")[0][:60] or None
    referral = get_referral(s, referral_id)
    allowed = NEXT_STATUS.get(referral.status, ())
    if to_status not in allowed:
        raise InvalidTransition(f"a referral cannot go from {referral.status} to {to_status}")
    now = utcnow()
    from_status = referral.status
    referral.status = to_status
    referral.updated_at = now
    if to_status == "allocated" and first_name:
        referral.advocate_first_name = first_name
    referral.history.append(
        ReferralStatusChange(actor=actor, from_status=from_status, to_status=to_status, at=now, note=note)
    )
    s.flush()
    audit.record(s, actor, "update", "advocacy_referral", referral.id, {"status": [from_status, to_status]})
    return referral


def withdraw_by_child(s: Session, referral: AdvocacyReferral, actor: str) -> bool:
    """The child takes ``referral`` back (whose it is was checked by the caller: ``bot.services.withdrawals``).
    Returns False, changing nothing, when it is no longer open (closed, or already withdrawn)."""
    if referral.status not in CHILD_MAY_WITHDRAW:
        return False
    now = utcnow()
    from_status = referral.status
    referral.status = "withdrawn"
    referral.withdrawn_at = now
    referral.updated_at = now
    referral.history.append(ReferralStatusChange(actor=actor, from_status=from_status, to_status="withdrawn", at=now))
    s.flush()
    audit.record(s, actor, "update", "advocacy_referral", referral.id, {"status": [from_status, "withdrawn"]})
    return True
