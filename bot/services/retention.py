"""Retention: delete case records older than the retention period (audited; audit rows are never deleted).

What is purged when older than the cutoff: closed referrals (by last change), wishes statements, visitor
requests, visitor matches that are not a current appointment (by last change), acknowledged safeguarding
alerts with their outbox rows, conversation links, expired sign-in codes and failed sign-in attempts.
Kept whatever their age: open referrals, unacknowledged alerts (a person must see them first), appointed
matches, child records themselves (the council's case-record policy decides), the audit log, and SMS
opt-outs of numbers of no child (``sms_opt_outs``: a keyed hash only, honoured until the number sends START,
which deletes it).

``purge_by_council`` applies each council's own retention period (admin settings) to its children's records,
and ``HEARD_RETENTION_DAYS`` to records that belong to no child (anonymous self-referrals, sign-in attempts).
``bot.usecases.retention`` runs it in a transaction: once a day in the web app
(``HEARD_PURGE_INTERVAL_HOURS``), or now with ``python -m bot.cli purge``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import (
    AdvocacyReferral,
    Child,
    ConversationLink,
    LocalAuthority,
    SafeguardingAlert,
    SignInAttempt,
    SignInCode,
    VisitorMatch,
    VisitorRequest,
    WishesStatement,
    utcnow,
)
from bot.services import audit

Scope = Callable[[Any], Any]  # model -> a WHERE condition choosing whose records are purged


def _purge(s: Session, older_than_days: int, scope: Scope | None, *, unowned: bool = True) -> dict[str, int]:
    """Delete what is past ``older_than_days``. With ``scope``, child records only where it holds; records
    that belong to no child by their nature (sign-in attempts) only when ``unowned``."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = utcnow() - timedelta(days=older_than_days)
    statements = {
        "advocacy_referrals": (
            AdvocacyReferral,
            [AdvocacyReferral.status.in_(("closed", "withdrawn")), AdvocacyReferral.updated_at < cutoff],
        ),
        "wishes_statements": (WishesStatement, [WishesStatement.created_at < cutoff]),
        "visitor_requests": (VisitorRequest, [VisitorRequest.created_at < cutoff]),
        "visitor_matches": (VisitorMatch, [VisitorMatch.status != "appointed", VisitorMatch.updated_at < cutoff]),
        "safeguarding_alerts": (
            SafeguardingAlert,
            [SafeguardingAlert.acknowledged_at.is_not(None), SafeguardingAlert.created_at < cutoff],
        ),
        "conversation_links": (ConversationLink, [ConversationLink.created_at < cutoff]),
        "sign_in_codes": (SignInCode, [SignInCode.expires_at < cutoff]),
        "sign_in_attempts": (SignInAttempt, [SignInAttempt.at < cutoff]),
    }
    counts = {}
    for name, (model, conditions) in statements.items():
        if not hasattr(model, "child_id"):
            if not unowned:
                continue
        elif scope is not None:
            conditions = [*conditions, scope(model)]
        result = s.execute(delete(model).where(*conditions).execution_options(synchronize_session=False))
        counts[name] = int(result.rowcount or 0)
    s.expire_all()
    return counts


def purge_expired(s: Session, older_than_days: int, actor: str) -> dict[str, int]:
    """Delete every record older than ``older_than_days`` days; return the number deleted per table."""
    counts = _purge(s, older_than_days, None)
    audit.record(s, actor, "purge", "retention", None, {"older_than_days": older_than_days, **counts})
    return counts


def purge_by_council(s: Session, actor: str) -> dict[str, dict[str, Any]]:
    """Apply each council's retention period to its children's records, and ``HEARD_RETENTION_DAYS`` to
    records linked to no child. Returns, per council name, the period used and the counts deleted."""
    from bot.services.review_admin import council_settings

    results: dict[str, dict[str, Any]] = {}
    for la in s.execute(select(LocalAuthority).order_by(LocalAuthority.id)).scalars().all():
        days = council_settings(s, la.id).retention_days
        children = select(Child.id).where(Child.local_authority_id == la.id)
        counts = _purge(s, days, lambda model, ids=children: model.child_id.in_(ids), unowned=False)
        results[la.name] = {"older_than_days": days, "deleted": counts}
        audit.record(s, actor, "purge", "retention", str(la.id), {"older_than_days": days, **counts})
    default_days = get_settings().retention_days
    orphans = _purge(s, default_days, lambda model: model.child_id.is_(None))
    results["(no child)"] = {"older_than_days": default_days, "deleted": orphans}
    audit.record(s, actor, "purge", "retention", None, {"older_than_days": default_days, **orphans})
    return results
