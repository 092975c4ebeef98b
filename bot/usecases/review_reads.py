"""The one place the review app's reads are audited.

Every use case that shows staff a child's words or record, or lets a statement leave Heard, runs through
``staff_read``: it loads the data in one transaction and writes one audit event per thing seen (``read``) or
taken away (``export``; printed, PDF or pulled by the API). Events from the JSON API carry ``"via": "api"``.

A refused read (``NotFound``: not in the staff member's caseload or council, or no such record) raises out of
``load`` before any event is written, and the transaction is rolled back; if refused reads are to be audited
one day, this is the place to do it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit

T = TypeVar("T")
WEB = "web"
API = "api"


@dataclass(frozen=True)
class Seen:
    """One audit event for something a member of staff saw (``read``) or took away (``export``)."""

    action: str
    entity_type: str
    entity_id: object
    detail: dict[str, Any] | None = None


def child_read(child_id: str, detail: dict[str, Any]) -> Seen:
    """A child's record was opened."""
    return Seen("read", "child", child_id, detail)


def child_export(child_id: str, detail: dict[str, Any]) -> Seen:
    """One or more of a child's statements left Heard."""
    return Seen("export", "child", child_id, detail)


def staff_read(staff: StaffUser, load: Callable[[Session], T], seen: Callable[[T], Iterable[Seen]]) -> T:
    """``load(session)`` in one committed transaction, audited as ``seen(result)`` by ``staff``."""
    with session_scope() as session:
        result = load(session)
        actor = audit.staff_actor(staff.username)
        for event in seen(result):
            audit.record(session, actor, event.action, event.entity_type, event.entity_id, event.detail)
        return result


def nothing_seen(_result: object) -> list[Seen]:
    """For screens that show no child's words (nothing to audit)."""
    return []
