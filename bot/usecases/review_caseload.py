"""A social worker or IRO opens their caseload (the review app's list page, or ``GET /api/v1/children``)."""

from __future__ import annotations

from typing import Any

from bot.db.models import StaffUser
from bot.services.read_models.caseload import caseload
from bot.usecases.review_reads import WEB, Seen, Via, staff_read


def read_caseload(staff: StaffUser, via: Via = WEB) -> list[dict[str, Any]]:
    """One row per child in ``staff``'s caseload, soonest review first; audited as a ``read`` of the caseload."""

    def seen(rows: list[dict[str, Any]]) -> list[Seen]:
        return [Seen("read", "caseload", staff.id, {"children": len(rows)})]

    return staff_read(staff, lambda s: caseload(s, staff), seen, via=via)
