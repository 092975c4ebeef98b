"""A child's wishes-and-feelings statements as one member of staff may see them: only the answers the
child chose to share with that role (``bot.services.wishes.visible_answers``), a pressed button in its own words
and the review it is for in words (``plain_words``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from bot.db.models import Child, StaffUser, WishesStatement
from bot.services.errors import NotFound
from bot.services.read_models.access import caseload_filter, child_for_staff, owned
from bot.services.read_models.child_summary import child_summary
from bot.services.read_models.plain_words import answer_words, review_words
from bot.services.plan_marks import plan_mark_view
from bot.services.wishes import visible_answers


def statement_view(statement: WishesStatement, role: str) -> dict[str, Any]:
    """One statement, with the answers ``role`` may see (``visible`` is False when there are none)."""
    answers = visible_answers(statement, role)
    return {
        "id": statement.id,
        "review_date": statement.review_date,
        "review_label": statement.review_label,
        "review_for": review_words(statement.review_label, statement.review_date),  # what staff read
        "drafted_at": statement.drafted_at,
        "sent_at": statement.sent_at,
        "withdrawn_at": statement.withdrawn_at,  # the child took it back; the words stay for the record
        "channel": statement.channel,  # web | sms (migration 0015)
        "share_with": statement.share_with,
        "visible": bool(answers),
        "plan_mark": plan_mark_view(statement) if answers else None,  # "wishes differ from the plan" (0012)
        "answers": [
            {
                "position": a.position,
                "question_key": a.question_key,
                "question": a.question_text,
                "answer": answer_words(a.question_key, a.answer),  # a button's words; the child's own verbatim
            }
            for a in answers
        ],
    }


def child_statements(s: Session, child: Child, role: str) -> list[dict[str, Any]]:
    """Every statement of the child (newest first), as ``role`` may see it."""
    statements = (
        s.execute(
            select(WishesStatement)
            .options(selectinload(WishesStatement.answers), selectinload(WishesStatement.shares))
            .where(owned(WishesStatement, child))
            .order_by(WishesStatement.sent_at.desc(), WishesStatement.id.desc())
        )
        .scalars()
        .all()
    )
    return [statement_view(st, role) for st in statements]


def statement_for_staff(s: Session, staff: StaffUser, child_id: str, statement_id: int) -> dict[str, Any]:
    """One statement of a child in ``staff``'s caseload (``NotFound`` otherwise): the printable page."""
    child = child_for_staff(s, staff, child_id)
    for st in child_statements(s, child, staff.role):
        if st["id"] == statement_id:
            return {"child": child_summary(child), "statement": st}
    raise NotFound("no such statement")


def statements_since(s: Session, staff: StaffUser, since: datetime | None) -> list[dict[str, Any]]:
    """Statements of every child in ``staff``'s caseload sent after ``since`` (visible answers only)."""
    condition = caseload_filter(staff)
    if condition is None:
        return []
    children = s.execute(select(Child).where(condition)).scalars().all()
    result = []
    for child in children:
        for st in child_statements(s, child, staff.role):
            if since is None or st["sent_at"] > since:
                result.append({"child_id": child.id, **st})
    result.sort(key=lambda st: (st["sent_at"], st["id"]))
    return result
