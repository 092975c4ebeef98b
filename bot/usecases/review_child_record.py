"""A social worker or IRO opens one child's record, prints a statement, or their case-management system pulls
statements through the JSON API. All audited through ``bot.usecases.review_reads`` (refusals too)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bot.db.models import StaffUser
from bot.services.read_models.access import child_for_staff
from bot.services.read_models.child_record import child_record
from bot.services.read_models.last_seen import mark_new_statements
from bot.services.read_models.statements import child_statements, statement_for_staff, statements_since
from bot.usecases.review_reads import WEB, Asked, Seen, Via, child_export, child_read, staff_read


def read_child_record(staff: StaffUser, child_id: str, via: Via = WEB) -> dict[str, Any]:
    """Everything ``staff`` may see about the child (``NotFound`` otherwise). On the web page each visible
    statement is marked ``new`` when sent since ``staff`` last opened the record."""

    def load(s: Session) -> dict[str, Any]:
        record = child_record(s, staff, child_id)
        return record if via.api else mark_new_statements(s, staff, record)

    detail = None if via.api else {"view": "record"}
    return staff_read(
        staff, load, lambda _record: [child_read(child_id, detail)], asked=Asked("child", child_id), via=via
    )


def statement_to_print(staff: StaffUser, child_id: str, statement_id: int, fmt: str) -> dict[str, Any]:
    """One statement for the printable page (``fmt`` "html"); audited as an export."""
    return staff_read(
        staff,
        lambda s: statement_for_staff(s, staff, child_id, statement_id),
        lambda _data: [child_export(child_id, {"statement": statement_id, "format": fmt})],
        asked=Asked("child", child_id, {"statement": statement_id, "format": fmt}),
    )


def export_child_statements(staff: StaffUser, child_id: str, via: Via) -> list[dict[str, Any]]:
    """Every statement of one child (API), as far as the child's sharing choice allows; audited as an export."""

    def load(s: Session) -> list[dict[str, Any]]:
        return child_statements(s, child_for_staff(s, staff, child_id), staff.role)

    def seen(statements: list[dict[str, Any]]) -> list[Seen]:
        return [child_export(child_id, {"statements": [st["id"] for st in statements]})]

    return staff_read(staff, load, seen, asked=Asked("child", child_id, {"statements": "all"}), via=via)


def export_statements_since(staff: StaffUser, since: datetime | None, via: Via) -> list[dict[str, Any]]:
    """Statements of every child in the caseload sent after ``since`` (API feed); one export event per child."""

    def seen(statements: list[dict[str, Any]]) -> list[Seen]:
        by_child: dict[str, list[int]] = {}
        for st in statements:
            by_child.setdefault(st["child_id"], []).append(st["id"])
        return [child_export(child_id, {"statements": ids}) for child_id, ids in by_child.items()]

    return staff_read(staff, lambda s: statements_since(s, staff, since), seen, via=via)
