"""Retention by record class (issue 17): what is deleted when, per council, never under a legal hold.

Record classes and their periods (lawful defaults and the regulations: docs/data-protection.md):

* **Case records** of a child (advocacy referrals with their history, wishes statements with answers and
  shares, visitor requests and matches, complaints and every other table with a ``child_id`` (``case_tables``),
  conversation links, sign-in codes, released legal holds, and at last the child's own record): kept until the 75th
  birthday (Care Planning, Placement and Case Review (England) Regulations 2010, reg. 50), or, for a child
  never looked after (``legal_status`` child in need or child protection, never in care), until the birthday
  the council states (``never_looked_after_until_age``, default 25). No date of birth: the 75th birthday of
  the youngest age of the child's age band when they were added (never earlier than the real one). Purged
  on the day after.
* **Records of no child** (sent by a child not signed in): ``fallback_days`` after their last change (the
  council's "keep records for" setting, never less than 2,555 days, today's old default). Open referrals stay.
* **Safeguarding alerts and concerns**: ``safeguarding_years`` after they were raised (default 25), and for a
  known child never before their case records go. An alert nobody acknowledged, or a concern nobody
  reviewed, is never purged (a person must see it first).
* **Audit events** (``bot.services.audit_retention``): ``audit_years`` (default 7) after they were written, once
  the record they describe is gone (or they describe none: a purge's counts); never one about a record that
  exists or naming a child under a legal hold. The chain stays verifiable across what goes (checkpoints).
* **Complaints of no child** are records of no child too (resolved or withdrawn ones; open ones stay).
* **Transcripts** (Rasa's events, ``bot.services.transcripts``): ``transcript_days`` after the conversation's
  last message (default 30); the purge use case applies them.

A **legal hold** on a child stops every purge and erasure of their records. ``purge`` writes one count-only
audit event per council; ``dry_run`` counts the same without deleting. Times are passed in (``now``), so the
rules are tested with frozen time.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.concern_models import SafeguardingConcern
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
from bot.db.retention_models import LegalHold, RetentionPolicy
from bot.db.routing_models import Complaint
from bot.services import audit, audit_retention
from bot.services.errors import InvalidChoice

LOOKED_AFTER_UNTIL_AGE = 75
AUDIT_YEARS = 7  # audit events: years after they were written, once their record is gone (6 at least)
MIN_FALLBACK_DAYS = 2555
MAX_TRANSCRIPT_DAYS = 30  # the bot tells children "about 30 days" (messages.yml: privacy): never longer
NEVER_LOOKED_AFTER = ("child_in_need", "child_protection")
# Case-record tables keyed by child_id. Another part adds its table (e.g. complaints) with ``add_case_table``.
CASE_TABLES: dict[str, Any] = {
    "advocacy_referrals": AdvocacyReferral,
    "wishes_statements": WishesStatement,
    "visitor_requests": VisitorRequest,
    "visitor_matches": VisitorMatch,
    "conversation_links": ConversationLink,
    "sign_in_codes": SignInCode,
}
SAFEGUARDING_TABLES: dict[str, tuple[Any, Any]] = {
    "safeguarding_alerts": (SafeguardingAlert, SafeguardingAlert.acknowledged_at),
    "safeguarding_concerns": (SafeguardingConcern, SafeguardingConcern.reviewed_at),
}
ANONYMOUS_TABLES: dict[str, tuple[Any, Any, tuple[Any, ...]]] = {
    "advocacy_referrals": (
        AdvocacyReferral, AdvocacyReferral.updated_at, (AdvocacyReferral.status.in_(("closed", "withdrawn")),)
    ),
    "wishes_statements": (WishesStatement, WishesStatement.created_at, ()),
    "visitor_requests": (VisitorRequest, VisitorRequest.created_at, ()),
    "complaints": (Complaint, Complaint.updated_at, (Complaint.status.in_(("resolved", "withdrawn")),)),
}


def add_case_table(name: str, model: Any) -> None:
    """The hook for a case-record table of another part (a model with ``child_id``), e.g. complaints."""
    CASE_TABLES[name] = model


def case_tables() -> dict[str, Any]:
    """``CASE_TABLES`` and every other mapped table with a ``child_id`` (complaints, outbound texts, visitor
    considerations...): a child's record goes with the child, unless it is a safeguarding record or a hold."""
    from bot.db.base import Base

    found = dict(CASE_TABLES)
    others = {model for model, _seen in SAFEGUARDING_TABLES.values()} | {LegalHold}
    for mapper in Base.registry.mappers:
        model = mapper.class_
        if "child_id" in model.__table__.columns and model not in others and model not in found.values():
            found[model.__tablename__] = model
    return found


@dataclass(frozen=True)
class Policy:
    """A council's retention periods (``DEFAULTS`` where it set none)."""

    never_looked_after_until_age: int = 25
    safeguarding_years: int = 25
    transcript_days: int = 30
    fallback_days: int = MIN_FALLBACK_DAYS
    audit_years: int = AUDIT_YEARS
    updated_by: str | None = None


# name -> (minimum, maximum), for the admin page
POLICY_LIMITS = {
    "never_looked_after_until_age": (18, 75),
    "safeguarding_years": (6, 100),
    "transcript_days": (1, MAX_TRANSCRIPT_DAYS),
    "audit_years": (6, 100),
}


def policy(s: Session, local_authority_id: int | None) -> Policy:
    """The council's policy (``None``: the defaults and ``HEARD_RETENTION_DAYS``/``HEARD_TRANSCRIPT_DAYS``)."""
    from bot.services.review_admin import council_settings

    settings = get_settings()
    fallback = max(settings.retention_days, MIN_FALLBACK_DAYS)
    transcript_days = min(max(settings.transcript_days, 1), MAX_TRANSCRIPT_DAYS)
    base = Policy(transcript_days=transcript_days, fallback_days=fallback)
    if local_authority_id is None:
        return base
    base = replace(base, fallback_days=max(council_settings(s, local_authority_id).retention_days, MIN_FALLBACK_DAYS))
    row = s.get(RetentionPolicy, local_authority_id)
    if row is None:
        return base
    chosen = {name: getattr(row, name) for name in POLICY_LIMITS if getattr(row, name) is not None}
    return replace(base, **chosen, updated_by=row.updated_by)


def set_policy(s: Session, local_authority_id: int, actor: str, **values: int) -> Policy:
    """Change a council's periods (names of ``POLICY_LIMITS``); audited. ``InvalidChoice`` when out of range."""
    for name, value in values.items():
        if name not in POLICY_LIMITS:
            raise InvalidChoice(f"unknown setting {name}")
        low, high = POLICY_LIMITS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            raise InvalidChoice(f"{name} must be a whole number from {low} to {high}")
    row = s.get(RetentionPolicy, local_authority_id) or RetentionPolicy(local_authority_id=local_authority_id)
    s.add(row)
    for name, value in values.items():
        setattr(row, name, value)
    row.updated_by, row.updated_at = actor, utcnow()
    s.flush()
    audit.record(s, actor, "update", "retention_policy", local_authority_id, {"changed": values})
    return policy(s, local_authority_id)


def add_years(day: date, years: int) -> date:
    """``day`` moved on ``years`` years (29 February becomes 1 March: never earlier)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def looked_after(child: Child) -> bool:
    """True unless the register says the child was never looked after (unknown counts as looked after)."""
    never = child.legal_status in NEVER_LOOKED_AFTER and not (child.entered_care_on or child.left_care_on)
    return not never


def case_records_until(child: Child, rules: Policy) -> date:
    """The last day the child's case records are kept."""
    if child.date_of_birth is not None:
        age = LOOKED_AFTER_UNTIL_AGE if looked_after(child) else rules.never_looked_after_until_age
        return add_years(child.date_of_birth, age)
    youngest = int(child.age_band.split("-")[0])
    return add_years(child.created_at.date(), LOOKED_AFTER_UNTIL_AGE - youngest)


def held_children(s: Session) -> set[str]:
    """Ids of the children under a legal hold now."""
    return set(s.execute(select(LegalHold.child_id).where(LegalHold.released_at.is_(None))).scalars())


def is_held(s: Session, child_id: str) -> bool:
    query = select(LegalHold.id).where(LegalHold.child_id == child_id, LegalHold.released_at.is_(None))
    return s.execute(query.limit(1)).first() is not None


def expired_children(s: Session, local_authority_id: int, rules: Policy, today: date) -> list[str]:
    """The council's children, not held, whose case records are past their last day."""
    held = held_children(s)
    kids = s.execute(select(Child).where(Child.local_authority_id == local_authority_id)).scalars()
    return sorted(c.id for c in kids if c.id not in held and today > case_records_until(c, rules))


def _targets(s: Session, council: int | None, now: datetime) -> list[tuple[str, Any, list[Any]]]:
    """(table, model, WHERE conditions) of everything past its period for one council (None: records routed
    to no council), in the order they are deleted."""
    rules = policy(s, council)
    gone = expired_children(s, council, rules, now.date()) if council is not None else []
    safeguarding_cutoff = now - timedelta(days=365.25 * rules.safeguarding_years)
    fallback_cutoff = now - timedelta(days=rules.fallback_days)
    targets: list[tuple[str, Any, list[Any]]] = []
    for name, (model, seen) in SAFEGUARDING_TABLES.items():
        old = [seen.is_not(None), model.created_at < safeguarding_cutoff]
        targets.append((name, model, [*old, model.child_id.in_(gone)]))
        anonymous = [model.child_id.is_(None), model.routed_council_id == council]
        targets.append((f"{name} (no child)", model, [*old, *anonymous]))
    for name, (model, changed, extra) in ANONYMOUS_TABLES.items():
        where = [model.child_id.is_(None), model.routed_council_id == council, changed < fallback_cutoff, *extra]
        targets.append((f"{name} (no child)", model, where))
    for name, model in case_tables().items():
        targets.append((name, model, [model.child_id.in_(gone)]))
    targets.append(("legal_holds (released)", LegalHold, [LegalHold.child_id.in_(gone)]))
    left = [model.child_id for model, _seen in SAFEGUARDING_TABLES.values()]
    keep = [Child.id.not_in(select(column).where(column.is_not(None))) for column in left]
    targets.append(("children", Child, [Child.id.in_(gone), *keep]))
    if council is None:
        targets.append(("sign_in_attempts", SignInAttempt, [SignInAttempt.at < fallback_cutoff]))
    return targets


def _run(s: Session, council: int | None, now: datetime, dry_run: bool) -> dict[str, int]:
    counts: dict[str, int] = {}
    for name, model, where in _targets(s, council, now):
        if dry_run:
            primary = list(model.__table__.primary_key.columns)[0]
            counted = s.execute(select(func.count(primary)).where(*where)).scalar_one()
        else:
            counted = s.execute(delete(model).where(*where).execution_options(synchronize_session=False)).rowcount
        counts[name] = counts.get(name, 0) + int(counted or 0)
    return counts


def audit_periods(s: Session, councils: list[int]) -> audit_retention.AuditPeriods:
    """Each council's audit period, and the longest of them all and the default."""
    by_council = {council: policy(s, council).audit_years for council in councils}
    return audit_retention.AuditPeriods(by_council, max([policy(s, None).audit_years, *by_council.values()]))


def purge(s: Session, actor: str, *, now: datetime | None = None, dry_run: bool = False) -> dict[str, dict[str, int]]:
    """Delete (or, ``dry_run``, only count) every record past its class's period, per council name (and
    "(no council)"), then the audit events past theirs ("(audit)"). A real run adds one count-only audit
    event per council (the audit events' counts go in the one of no council)."""
    now = now or utcnow()
    s.flush()
    below_id = audit_retention.newest_id(s) + 1  # this run's own events are never removed by it
    councils = [(la.id, la.name) for la in s.execute(select(LocalAuthority).order_by(LocalAuthority.id)).scalars()]
    results: dict[str, dict[str, int]] = {}
    for council, name in councils:
        results[name] = _run(s, council, now, dry_run)
        if not dry_run:
            audit.record(s, actor, "purge", "retention", str(council), results[name])
    results["(no council)"] = _run(s, None, now, dry_run)
    periods = audit_periods(s, [council for council, _name in councils])
    removed, checkpoints = audit_retention.remove_old_events(s, now, periods, held_children(s), below_id,
                                                             dry_run=dry_run)
    results["(audit)"] = {"audit_events": removed}
    if not dry_run:  # the audit events' counts go with the records of no council
        counts = {**results["(no council)"], "audit_events": removed, "audit_checkpoints": checkpoints}
        audit.record(s, actor, "purge", "retention", None, counts)
        s.expire_all()
    return results


def purge_expired(s: Session, older_than_days: int, actor: str) -> dict[str, int]:
    """An operator's purge by record age (``bot.cli purge --older-than-days``), the old rule: closed
    referrals, statements, visitor requests, matches not appointed, acknowledged alerts, links, expired
    sign-in codes and sign-in attempts older than ``older_than_days``; never a child under a legal hold."""
    if older_than_days < 0:
        raise ValueError("older_than_days must be 0 or more")
    cutoff = utcnow() - timedelta(days=older_than_days)
    held = held_children(s)
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
        if hasattr(model, "child_id") and held:
            conditions = [*conditions, model.child_id.is_(None) | model.child_id.not_in(held)]
        result = s.execute(delete(model).where(*conditions).execution_options(synchronize_session=False))
        counts[name] = int(result.rowcount or 0)
    s.expire_all()
    audit.record(s, actor, "purge", "retention", None, {"older_than_days": older_than_days, **counts})
    return counts


def transcript_periods(s: Session) -> tuple[dict[str, int | None], int]:
    """For the transcript purge: each linked conversation's reference -> its council's transcript days (None:
    its child is under a legal hold, keep), and the days for conversations linked to no child."""
    held = held_children(s)
    periods: dict[str, int | None] = {}
    rows = s.execute(select(ConversationLink.conversation_ref, Child.id, Child.local_authority_id).join(Child))
    by_council: dict[int, int] = {}
    for ref, child_id, council in rows:
        if council not in by_council:
            by_council[council] = policy(s, council).transcript_days
        periods[ref] = None if child_id in held else by_council[council]
    return periods, policy(s, None).transcript_days
