"""The wishes form feeds advocacy (issue 15 item 4): a child who chose to go to their review with an advocate, or to
have someone say it for them, and then said yes to "Shall I ask for an advocate?", gets an advocacy referral for
that review, stored in the same transaction as their statement (both, or neither).

Whose request it is comes from the conversation alone (``bot.services.requester``), as for every child request;
a child not signed in is never asked (nobody could find them), so there is no anonymous referral here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.services import referrals, requester, wishes, withdrawals
from bot.services.errors import NotYours
from bot.usecases.transaction import in_one_transaction


@dataclass(frozen=True)
class StoredWithReferral:
    """The statement (``ref``, for ``last_sent``) and the referral made with it (its date to answer by)."""

    ref: str
    referral_ref: str
    response_due: date | None


def _store(session: Session, *, idempotency_key: str, conversation_id: str, child_id: str | None,
           statement: dict, attend_words: str) -> StoredWithReferral:
    stored = wishes.submit_statement(session, idempotency_key=idempotency_key, conversation_id=conversation_id,
                                     child_id=child_id, **statement)
    if child_id is None:  # never asked without a child; refuse rather than make a referral nobody can act on
        raise NotYours("an advocate for a review needs a child who signed in")
    review = statement.get("review_label") or "my next review"
    referral = referrals.submit_referral(
        session,
        idempotency_key=f"{idempotency_key}:advocate"[:128],
        conversation_id=conversation_id,
        child_id=child_id,
        reason="review",
        words=f"{attend_words} (review: {review})",
        contact_how=None,
        contact_when=None,
        tell_social_worker=True,  # the statement goes to the social worker anyway; the referral is for that review
    )
    return StoredWithReferral(withdrawals.sent_ref("wishes_statement", stored.id),
                              withdrawals.sent_ref("advocacy_referral", referral.id), referral.response_due)


def submit_wishes_with_referral(
    *,
    idempotency_key: str,
    conversation_id: str,
    claimed_child_id: str | None,
    review_date: date | None,
    review_label: str | None,
    answers: list[tuple[str, str, str]],
    share_with: list[str],
    drafted_at: datetime | None,
    attend_words: str,
) -> StoredWithReferral:
    """Store the statement and an advocacy referral (reason ``review``) for that review, in one transaction.
    ``attend_words``: how the child chose to take part, as the button they pressed said it. The same key again
    returns the first statement and referral. ``NotYours`` (nothing stored) when the conversation has no child."""
    statement = {"review_date": review_date, "review_label": review_label, "answers": answers,
                 "share_with": share_with, "drafted_at": drafted_at}

    def work(session: Session) -> StoredWithReferral:
        child_id = requester.requesting_child(session, conversation_id, claimed_child_id, "wishes statement")
        return _store(session, idempotency_key=idempotency_key, conversation_id=conversation_id,
                      child_id=child_id, statement=statement, attend_words=attend_words)

    return in_one_transaction(work)
