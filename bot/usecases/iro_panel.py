"""The IRO panel (read, audited per child through ``review_reads.staff_read``) and a worker's mark that a
child's wishes differ from the plan (social worker or IRO of the child, on a statement the child shared with
them; ``NotFound`` otherwise, audited as a refused read)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from bot.db.engine import session_scope
from bot.db.models import StaffUser, WishesStatement
from bot.services import audit
from bot.services.errors import NotFound
from bot.services.plan_marks import mark_statement
from bot.services.read_models.access import child_for_staff, owned
from bot.services.read_models.iro_panel import iro_panel
from bot.services.wishes import visible_answers
from bot.usecases.review_reads import Asked, Seen, child_read, guarded, staff_read


def read_iro_panel(staff: StaffUser) -> list[dict[str, Any]]:
    """The IRO's panel; one ``read`` of each child's record shown."""

    def seen(rows: list[dict[str, Any]]) -> list[Seen]:
        return [child_read(row["id"], {"view": "iro_panel"}) for row in rows]

    return staff_read(staff, lambda s: iro_panel(s, staff), seen)


def mark_differs_from_plan(
    staff: StaffUser, child_id: str, statement_id: int, differs: bool, note: str | None
) -> bool:
    """Mark (or unmark) one of the child's statements; False when nothing changed. ``InvalidChoice`` for a
    mark without a note."""
    asked = Asked("child", child_id, {"change": "differs_from_plan", "statement": statement_id})
    with guarded(staff, asked), session_scope() as s:
        child = child_for_staff(s, staff, child_id)
        statement = s.get(WishesStatement, statement_id)
        if statement is None or statement.withdrawn_at is not None or not visible_answers(statement, staff.role):
            raise NotFound("no such statement")
        mine = select(WishesStatement.id).where(WishesStatement.id == statement_id, owned(WishesStatement, child))
        if s.execute(mine).first() is None:
            raise NotFound("no such statement")
        return mark_statement(s, statement, differs, note, audit.staff_actor(staff.username))
