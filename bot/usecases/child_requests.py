"""What a child sends from a finished form: an advocacy referral, their wishes and feelings for a review,
a request for an independent visitor or mentor, and their answer to a proposed visitor.

Each is one committed transaction, so a child is told "sent" only after the record is stored. The
idempotency key makes a retry after a failure (or a double tap) return the first record instead of storing
a second one. The form slots are turned into these arguments by ``bot.dialogue.submissions``.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.db.engine import session_scope
from bot.services import referrals, visitors, wishes


def submit_referral(
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
) -> date:
    """Store an advocacy referral; returns the date by which an advocate answers."""
    with session_scope() as session:
        referral = referrals.submit_referral(
            session,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            child_id=child_id,
            reason=reason,
            words=words,
            contact_how=contact_how,
            contact_when=contact_when,
            tell_social_worker=tell_social_worker,
            anon_name=anon_name,
            local_authority=local_authority,
        )
        return referral.response_due


def submit_wishes(
    *,
    idempotency_key: str,
    conversation_id: str,
    child_id: str | None,
    review_date: date | None,
    review_label: str | None,
    answers: list[tuple[str, str, str]],
    share_with: list[str],
    drafted_at: datetime | None,
) -> None:
    """Store a wishes and feelings statement for the child's review."""
    with session_scope() as session:
        wishes.submit_statement(
            session,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            child_id=child_id,
            review_date=review_date,
            review_label=review_label,
            answers=answers,
            share_with=share_with,
            drafted_at=drafted_at,
        )


def request_visitor(
    *,
    idempotency_key: str,
    conversation_id: str,
    child_id: str | None,
    kind: str,
    wishes: str | None,
    anon_name: str | None = None,
    local_authority: str | None = None,
    contact: str | None = None,
) -> None:
    """Store a request for an independent visitor or a mentor."""
    with session_scope() as session:
        visitors.request_visitor(
            session,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            child_id=child_id,
            kind=kind,
            wishes=wishes,
            anon_name=anon_name,
            local_authority=local_authority,
            contact=contact,
        )


def answer_match(
    *,
    match_id: int | str,
    idempotency_key: str,
    accept: bool,
    reason: str | None = None,
    preferences: str | None = None,
) -> None:
    """Store the child's yes or no to a proposed visitor or mentor."""
    with session_scope() as session:
        visitors.answer_match(
            session,
            match_id=match_id,
            idempotency_key=idempotency_key,
            accept=accept,
            reason=reason,
            preferences=preferences,
        )
