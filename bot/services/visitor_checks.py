"""The checks before a visitor may be appointed (issue 16): DBS certificate, references, children's services
and probation checks. ``bot.services.visitors.appoint`` refuses until all four are recorded for the match.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import VisitorMatch, utcnow
from bot.db.visitor_models import CHECK_KINDS, VisitorCheck
from bot.services import audit
from bot.services.errors import InvalidChoice, InvalidTransition, NotFound
from bot.services.text import check_text

CHECK_LABELS = {
    "dbs": "DBS certificate",
    "references": "References",
    "childrens_services": "Children's services check",
    "probation": "Probation check",
}


def missing_checks(s: Session, match_id: int) -> list[str]:
    """The check kinds not yet recorded for the match, in CHECK_KINDS order."""
    done = set(s.execute(select(VisitorCheck.kind).where(VisitorCheck.match_id == match_id)).scalars())
    return [kind for kind in CHECK_KINDS if kind not in done]


def record_check(s: Session, *, match_id: int, kind: str, completed_on: date, actor: str,
                 reference: str | None = None, today: date | None = None) -> VisitorCheck:
    """Record (or correct) one check of a match that is waiting for, or has, the child's yes. Refused for an
    objected, withdrawn or ended match, an unknown kind and a date in the future."""
    if kind not in CHECK_KINDS:
        raise InvalidChoice("kind must be one of " + ", ".join(CHECK_KINDS))
    match = s.get(VisitorMatch, match_id)
    if match is None:
        raise NotFound("no such visitor match")
    if match.status not in ("proposed", "accepted") or match.ended_at is not None:
        raise InvalidTransition(f"checks cannot be recorded on a {match.status} match")
    if completed_on > (today or utcnow().date()):
        raise InvalidChoice("a check cannot be recorded before it is done")
    check_text(reference, "reference")
    check = s.execute(
        select(VisitorCheck).where(VisitorCheck.match_id == match.id, VisitorCheck.kind == kind)
    ).scalar_one_or_none()
    if check is None:
        check = VisitorCheck(match_id=match.id, kind=kind)
        s.add(check)
    check.completed_on = completed_on
    check.reference = reference.strip() if reference and reference.strip() else None
    check.recorded_by = actor
    check.recorded_at = utcnow()
    s.flush()
    audit.record(s, actor, "update", "visitor_check", check.id, {"match": match.id, "kind": kind})
    return check


def require_checks(s: Session, match_id: int) -> None:
    """Raise ``InvalidTransition`` naming what is missing unless every check is recorded."""
    missing = missing_checks(s, match_id)
    if missing:
        names = ", ".join(CHECK_LABELS[kind] for kind in missing)
        raise InvalidTransition(f"checks still to record before appointing: {names}")


def record_checks(s: Session, *, match_id: int, completed: dict[str, date], actor: str) -> list[VisitorCheck]:
    """Record several checks at once (the co-ordinator's form): ``completed`` maps a check kind to its date."""
    return [record_check(s, match_id=match_id, kind=kind, completed_on=on, actor=actor)
            for kind, on in completed.items()]
