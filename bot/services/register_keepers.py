"""Who keeps which entries of the child register (docs/review-app.md, "The child register"), however they come
(the form, a CSV file, the API):

* an admin keeps every child of their council, and only an admin moves a child between caseloads: names or
  changes who a child's social worker is;
* a social worker keeps only the children on their own caseload: they see and change those entries only, and a
  child they add is on their own caseload. They never name another social worker, or none, for a child.

A child of another caseload is ``NotFound`` (404, exactly like a child that does not exist); naming a social
worker a social worker may not name is ``NotAllowed`` (403). ``bot.usecases.child_register`` audits both as
refused (``review_reads.guarded``).
"""

from __future__ import annotations

from typing import Any

from bot.db.models import Child, StaffUser
from bot.services.errors import NotAllowed

MOVES_CHILDREN = "admin"  # the role that names a child's social worker
NOT_YOURS = "only an administrator can move a child to or from a social worker's caseload"


def keeps(staff: StaffUser, child: Child) -> bool:
    """Whether ``staff`` may see and change ``child``'s register entry (the council is checked by the caller)."""
    return staff.role == MOVES_CHILDREN or (staff.role == "social_worker" and child.social_worker_id == staff.id)


def kept_condition(staff: StaffUser) -> Any:
    """The condition on ``Child`` for the entries ``staff`` keeps within their council (None: all of them)."""
    return None if staff.role == MOVES_CHILDREN else Child.social_worker_id == staff.id


def check_social_worker(staff: StaffUser, values: dict[str, Any]) -> None:
    """``NotAllowed`` when ``staff`` may not set the social worker an entry's clean ``values`` name (a social
    worker's entries always name themself)."""
    if staff.role != MOVES_CHILDREN and "social_worker_id" in values and values["social_worker_id"] != staff.id:
        raise NotAllowed(f"This child's social worker cannot be changed here: {NOT_YOURS}.")
