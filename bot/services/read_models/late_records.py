"""Records of the duty lead's council still waiting after their deadline escalated them
(``team_routing.escalate_overdue_records`` told the duty team, whose notification links here:
``review_links.late_record``). The duty team cannot open another team's record, so each is named by what it is,
its number, the team it waits for and since when: never the child's words or name.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import AdvocacyReferral, StaffUser, VisitorRequest
from bot.db.routing_models import Complaint
from bot.services.read_models.access import council_condition
from bot.services.team_routing import TEAM_FOR, TEAM_NAMES, WHAT

# Each kind of record that escalates, and the statuses in which it still waits for its team.
STILL_WAITING = (
    ("advocacy_referral", AdvocacyReferral, ("new", "acknowledged")),
    ("complaint", Complaint, ("new",)),
    ("visitor_request", VisitorRequest, ("new",)),
)


def late_records(s: Session, staff: StaffUser) -> list[dict[str, Any]]:
    """Escalated records of ``staff``'s council still waiting, oldest escalation first."""
    rows = []
    for record_type, model, waiting in STILL_WAITING:
        found = s.execute(
            select(model.id, model.escalated_at).where(
                model.escalated_at.is_not(None), model.status.in_(waiting), council_condition(s, model, staff))
        ).all()
        rows += [{"type": record_type, "id": record_id, "what": WHAT[record_type],
                  "team": TEAM_NAMES[TEAM_FOR[record_type]], "escalated_at": at} for record_id, at in found]
    rows.sort(key=lambda row: (row["escalated_at"], row["type"], row["id"]))
    return rows
