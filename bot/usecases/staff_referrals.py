"""A social worker refers a child in their caseload for advocacy from the child's page (one transaction;
``bot.services.staff_referrals``). A child outside the caseload, or any other role, is ``NotFound``, audited
as a refused read."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict

from bot.db.engine import session_scope
from bot.db.models import StaffUser, utcnow
from bot.services.errors import NotFound
from bot.services.read_models.access import child_for_staff
from bot.services.staff_referrals import StaffReferral, check_referral, refer_child
from bot.usecases.review_reads import Asked, guarded
from bot.services import team_routing


def idempotency_key(staff: StaffUser, child_id: str, form: StaffReferral) -> str:
    """The same worker sending the same referral for the same child on the same day (a double click, a reload)
    makes one referral."""
    content = json.dumps(asdict(form), default=str, sort_keys=True)
    digest = hashlib.sha256(f"{utcnow().date()}|{content}".encode()).hexdigest()[:32]
    return f"staff-referral:{staff.id}:{child_id}:{digest}"


def refer_for_advocacy(staff: StaffUser, child_id: str, form: StaffReferral) -> list[str]:
    """Refer the child; returns what is missing or wrong (nothing saved), or [] when the referral was made."""
    with guarded(staff, Asked("child", child_id, {"change": "advocacy_referral"})), session_scope() as s:
        if staff.role != "social_worker":
            raise NotFound("no such child")
        child = child_for_staff(s, staff, child_id)
        problems = check_referral(form, utcnow().date())
        if not problems:
            referral = refer_child(s, staff, child, form, idempotency_key(staff, child_id, form))
            team_routing.notify_new(s, "advocacy_referral", referral)  # the advocacy service is told (issue 15)
        return problems
