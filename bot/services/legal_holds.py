"""Legal holds and erasure of a known child's records (issue 17). Admin actions with a reason, audited (the
reason is staff's words; no child's words go in the audit log). The caller commits.

Erasure deletes the child's case records and their own record; safeguarding alerts and concerns are kept
(Heard must be able to show a disclosure was acted on) and stay with the council with no child named.
Refused while a legal hold is on. The transcripts of the child's conversations are deleted by the use case
(they are in the tracker database).
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.db.models import Child, ConversationLink, utcnow
from bot.db.retention_models import LegalHold
from bot.services import audit, retention
from bot.services.errors import InvalidChoice, NotFound, ServiceError


class OnLegalHold(ServiceError):
    """The child's records are under a legal hold: nothing may be erased."""


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidChoice("Give a reason.")
    return reason[:2000]


def council_child(s: Session, child_id: str, local_authority_id: int) -> Child:
    """The child, if in the council (``NotFound`` otherwise: another council's child is not shown)."""
    child = s.get(Child, child_id)
    if child is None or child.local_authority_id != local_authority_id:
        raise NotFound("no such child")
    return child


def holds_of(s: Session, child_id: str) -> list[LegalHold]:
    return list(s.execute(select(LegalHold).where(LegalHold.child_id == child_id).order_by(LegalHold.id)).scalars())


def place_hold(s: Session, child_id: str, reason: str, actor: str) -> LegalHold:
    hold = LegalHold(child_id=child_id, reason=_reason(reason), placed_by=actor)
    s.add(hold)
    s.flush()
    audit.record(s, actor, "update", "child", child_id, {"legal_hold": "placed", "hold": hold.id})
    return hold


def release_hold(s: Session, child_id: str, hold_id: int, reason: str, actor: str) -> LegalHold:
    hold = s.get(LegalHold, hold_id)
    if hold is None or hold.child_id != child_id or hold.released_at is not None:
        raise NotFound("no such hold")
    hold.release_reason, hold.released_by, hold.released_at = _reason(reason), actor, utcnow()
    s.flush()
    audit.record(s, actor, "update", "child", child_id, {"legal_hold": "released", "hold": hold.id})
    return hold


def erase_child(s: Session, child_id: str, reason: str, actor: str) -> tuple[list[str], dict[str, int]]:
    """Erase a child's records (not their safeguarding records). Returns the child's conversation references
    (for their transcripts) and counts per table. ``OnLegalHold`` under a hold."""
    reason = _reason(reason)
    child = s.get(Child, child_id)
    if child is None:
        raise NotFound("no such child")
    if retention.is_held(s, child_id):
        raise OnLegalHold("This child's records are under a legal hold. Release the hold first.")
    refs = list(s.execute(select(ConversationLink.conversation_ref).where(ConversationLink.child_id == child_id))
                .scalars())
    counts: dict[str, int] = {}
    for name, (model, _seen) in retention.SAFEGUARDING_TABLES.items():
        kept = s.execute(
            update(model).where(model.child_id == child_id)
            .values(child_id=None, routed_council_id=child.local_authority_id)
            .execution_options(synchronize_session=False)
        )
        counts[f"{name} kept"] = int(kept.rowcount or 0)
    for name, model in retention.case_tables().items():
        counts[name] = len(s.execute(select(model.child_id).where(model.child_id == child_id)).all())
    s.delete(child)  # the case records and holds go with it (ON DELETE CASCADE)
    s.flush()
    audit.record(s, actor, "purge", "child", child_id, {"erased": counts, "reason": reason})
    return refs, counts
