"""What a child sends from a finished form: an advocacy referral, their wishes and feelings for a review,
a request for an independent visitor or mentor, and their answer to a proposed visitor; and, after sending,
taking a record back (``withdraw_sent``) or no longer wanting an appointed visitor (``ask_to_end_visitor``).

Each is one committed transaction, so a child is told "sent" only after the record is stored. The
idempotency key makes a retry after a failure (or a double tap) return the first record instead of storing
a second one. The form slots are turned into these arguments by ``bot.dialogue.submissions``.

Whose request it is comes from the conversation alone (``bot.services.requester``): the child the
conversation is linked to, never a child id or match id the request carries. ``claimed_child_id`` (the child
the conversation shows) is only compared; a request that names another child, or another child's match, or
a match no longer waiting, raises ``NotYours`` after its audit event is committed, and nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.services import referrals, requester, team_routing, visitors, wishes, withdrawals
from bot.services.errors import NotYours, TextTooLong
from bot.usecases.transaction import in_one_transaction

__all__ = ["NotYours", "Stored", "TextTooLong", "answer_match", "ask_to_end_visitor", "request_visitor",
           "submit_referral", "submit_wishes", "withdraw_sent"]


@dataclass(frozen=True)
class Stored:
    """A record a child sent, once it is committed: ``ref`` names it for the conversation (``last_sent``)."""

    ref: str
    response_due: date | None = None  # advocacy referrals: the date an advocate answers by


def submit_referral(
    *,
    idempotency_key: str,
    conversation_id: str,
    claimed_child_id: str | None,
    reason: str,
    words: str,
    contact_how: str | None,
    contact_when: str | None,
    tell_social_worker: bool,
    anon_name: str | None = None,
    local_authority: str | None = None,
    phone_token: str | None = None,
) -> Stored:
    """Store an advocacy referral; returns it with the date by which an advocate answers."""

    def work(session: Session) -> Stored:
        referral = referrals.submit_referral(
            session,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            child_id=requester.requesting_child(session, conversation_id, claimed_child_id, "advocacy referral"),
            reason=reason,
            words=words,
            contact_how=contact_how,
            contact_when=contact_when,
            tell_social_worker=tell_social_worker,
            anon_name=anon_name,
            local_authority=local_authority,
            phone_token=phone_token,
        )
        team_routing.notify_new(session, "advocacy_referral", referral)  # the advocacy service is told
        return Stored(withdrawals.sent_ref("advocacy_referral", referral.id), referral.response_due)

    return in_one_transaction(work)


def submit_wishes(
    *,
    idempotency_key: str,
    conversation_id: str,
    claimed_child_id: str | None,
    review_date: date | None,
    review_label: str | None,
    answers: list[tuple[str, str, str]],
    share_with: list[str],
    drafted_at: datetime | None,
) -> Stored:
    """Store a wishes and feelings statement for the child's review."""

    def work(session: Session) -> Stored:
        statement = wishes.submit_statement(
            session,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            child_id=requester.requesting_child(session, conversation_id, claimed_child_id, "wishes statement"),
            review_date=review_date,
            review_label=review_label,
            answers=answers,
            share_with=share_with,
            drafted_at=drafted_at,
        )
        team_routing.notify_new(session, "wishes_statement", statement)  # their social worker and IRO are told
        return Stored(withdrawals.sent_ref("wishes_statement", statement.id))

    return in_one_transaction(work)


def request_visitor(
    *,
    idempotency_key: str,
    conversation_id: str,
    claimed_child_id: str | None,
    kind: str,
    wishes: str | None,
    anon_name: str | None = None,
    local_authority: str | None = None,
    contact: str | None = None,
    known_person: str | None = None,
    may_be_told: str | None = None,
    phone_token: str | None = None,
) -> Stored:
    """Store a request for an independent visitor or a mentor. A phone number in ``contact``, or "Text me at this
    number" by SMS (``phone_token``, the sealed number of the child's latest text), is kept sealed."""

    def work(session: Session) -> Stored:
        request = visitors.request_visitor(
            session,
            idempotency_key=idempotency_key,
            conversation_id=conversation_id,
            child_id=requester.requesting_child(session, conversation_id, claimed_child_id, "visitor request"),
            kind=kind,
            wishes=wishes,
            anon_name=anon_name,
            local_authority=local_authority,
            contact=contact,
            known_person=known_person,
            may_be_told=may_be_told,
            phone_token=phone_token,
        )
        team_routing.notify_new(session, "visitor_request", request)  # the IV co-ordinator is told
        return Stored(withdrawals.sent_ref("visitor_request", request.id))

    return in_one_transaction(work)


def answer_match(
    *,
    conversation_id: str,
    match_id: object,
    idempotency_key: str,
    accept: bool,
    reason: str | None = None,
    preferences: str | None = None,
) -> None:
    """Store the child's yes or no to a proposed visitor or mentor: only the conversation's child's match,
    only while it waits for their answer (or, a no, while a yes is not yet appointed)."""

    def work(session: Session) -> None:
        visitors.answer_own_match(
            session,
            conversation_id=conversation_id,
            match_id=match_id,
            idempotency_key=idempotency_key,
            accept=accept,
            reason=reason,
            preferences=preferences,
        )

    in_one_transaction(work)


def withdraw_sent(conversation_id: str, sent: object) -> str:
    """Take back what this conversation sent (``sent``: its ``last_sent``, e.g. ``"advocacy_referral:12"``):
    ``withdrawals.WITHDRAWN`` (committed), ``ALREADY`` or ``TOO_LATE``. ``NotYours`` (audited, committed) when
    it is not the conversation's child's, or not this anonymous conversation's own."""
    return in_one_transaction(lambda session: withdrawals.withdraw_own(session, conversation_id, sent))


def ask_to_end_visitor(conversation_id: str, words: str | None) -> bool:
    """The conversation's child no longer wants their appointed visitor: recorded and audited (committed).
    False when they have no appointed visitor (nothing recorded). ``TextTooLong`` for words over the limit."""
    with session_scope() as session:
        return visitors.request_end_of_own_match(session, conversation_id=conversation_id, words=words) is not None
