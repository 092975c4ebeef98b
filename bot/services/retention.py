"""Retention: delete case records older than the retention period (audited; audit rows are never deleted).

What is purged when older than the cutoff: closed referrals (by last change), wishes statements, visitor
requests, visitor matches that are not a current appointment (by last change), acknowledged safeguarding
alerts with their outbox rows, conversation links, expired sign-in codes and failed sign-in attempts.
Kept whatever their age: open referrals, unacknowledged alerts (a person must see them first), appointed
matches, child records themselves (the council's case-record policy decides) and the audit log.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from bot.db.models import (
    AdvocacyReferral,
    ConversationLink,
    SafeguardingAlert,
    SignInAttempt,
    SignInCode,
    VisitorMatch,
    VisitorRequest,
    WishesStatement,
    utcnow,
)
from bot.services import audit


def purge_expired(s: Session, older_than_days: int, actor: str) -> dict[str, int]:
    """Delete records older than ``older_than_days`` days; return the number deleted per table."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = utcnow() - timedelta(days=older_than_days)
    statements = {
        "advocacy_referrals": delete(AdvocacyReferral).where(
            AdvocacyReferral.status == "closed", AdvocacyReferral.updated_at < cutoff
        ),
        "wishes_statements": delete(WishesStatement).where(WishesStatement.created_at < cutoff),
        "visitor_requests": delete(VisitorRequest).where(VisitorRequest.created_at < cutoff),
        "visitor_matches": delete(VisitorMatch).where(
            VisitorMatch.status != "appointed", VisitorMatch.updated_at < cutoff
        ),
        "safeguarding_alerts": delete(SafeguardingAlert).where(
            SafeguardingAlert.acknowledged_at.is_not(None), SafeguardingAlert.created_at < cutoff
        ),
        "conversation_links": delete(ConversationLink).where(ConversationLink.created_at < cutoff),
        "sign_in_codes": delete(SignInCode).where(SignInCode.expires_at < cutoff),
        "sign_in_attempts": delete(SignInAttempt).where(SignInAttempt.at < cutoff),
    }
    counts = {}
    for name, statement in statements.items():
        result = s.execute(statement.execution_options(synchronize_session=False))
        counts[name] = int(result.rowcount or 0)
    s.expire_all()
    audit.record(s, actor, "purge", "retention", None, {"older_than_days": older_than_days, **counts})
    return counts
