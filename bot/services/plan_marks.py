"""Where a child's wishes differ from the plan (issue 15, item 4): a social worker or IRO marks a statement they
can read, with a note, so the IRO panel shows it before the review. One mark per statement, changed in place;
every change audited (never the note's words). The caller checks access and commits."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from bot.config import get_settings
from bot.db.models import WishesStatement, utcnow
from bot.db.worker_models import StatementPlanMark
from bot.services import audit
from bot.services.errors import InvalidChoice


def mark_statement(s: Session, statement: WishesStatement, differs: bool, note: str | None, actor: str) -> bool:
    """Set whether ``statement``'s wishes differ from the plan, with ``note``; False when nothing changed."""
    note = (note or "").strip() or None
    if note is not None and len(note) > get_settings().max_text:
        raise InvalidChoice(f"Keep the note to {get_settings().max_text} characters.")
    if differs and note is None:
        raise InvalidChoice("Say how the child's wishes differ from the plan.")
    mark = s.get(StatementPlanMark, statement.id)
    if mark is not None and mark.differs == differs and mark.note == note:
        return False
    if mark is None:
        mark = StatementPlanMark(statement_id=statement.id)
        s.add(mark)
    mark.differs, mark.note, mark.marked_by, mark.marked_at = differs, note, actor, utcnow()
    s.flush()
    audit.record(s, actor, "update", "wishes_statement", statement.id, {"differs_from_plan": differs})
    return True


def plan_mark_view(statement: WishesStatement) -> dict[str, Any] | None:
    """The statement's mark for staff, or None when nobody marked it."""
    mark = getattr(statement, "plan_mark", None)
    if mark is None:
        return None
    return {"differs": mark.differs, "note": mark.note, "marked_by": mark.marked_by, "marked_at": mark.marked_at}
