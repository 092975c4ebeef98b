"""The one place the review app's reads are audited: what staff saw, and what they asked for and were refused.

Every use case that shows staff a child's words or record, or lets a statement leave Heard, runs through
``staff_read``: it loads the data in one transaction and writes one audit event per thing seen (``read``) or
taken away (``export``; printed, PDF or pulled by the API).

How the staff member came (``Via``) is in the detail of every event: nothing for the review app's pages;
``{"via": "api", "token_id": <id>}`` for the JSON API, so every event a bearer token causes names the token.

A refused read (``NotFound``: not in the staff member's caseload or council, another role's record, or no such
record; the page or API answers 404 either way) rolls the read back and is audited in a transaction of its own
as ``refused_read`` of what was asked for (``Asked``), by the staff member. Use cases that change a record
check access inside ``guarded``, which audits a refusal the same way, and also a change the staff member may
not make to a record they can see (``NotAllowed``: 403).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import StaffUser
from bot.services import audit
from bot.services.errors import NotAllowed, NotFound

T = TypeVar("T")


@dataclass(frozen=True)
class Via:
    """How a member of staff reached the data: the review app's pages, or the JSON API with one token."""

    api: bool = False
    token_id: int | None = None

    def detail(self) -> dict[str, Any]:
        return {"via": "api", "token_id": self.token_id} if self.api else {}


WEB = Via()


def api(token_id: int) -> Via:
    """A request authenticated by the API token ``token_id``."""
    return Via(api=True, token_id=token_id)


@dataclass(frozen=True)
class Seen:
    """One audit event for something a member of staff saw (``read``) or took away (``export``)."""

    action: str
    entity_type: str
    entity_id: object
    detail: dict[str, Any] | None = None


@dataclass(frozen=True)
class Asked:
    """The record a request asked for, to audit if it is refused."""

    entity_type: str
    entity_id: object
    detail: dict[str, Any] = field(default_factory=dict)


def child_read(child_id: str, detail: dict[str, Any] | None = None) -> Seen:
    """A child's record was opened."""
    return Seen("read", "child", child_id, detail)


def child_export(child_id: str, detail: dict[str, Any]) -> Seen:
    """One or more of a child's statements left Heard."""
    return Seen("export", "child", child_id, detail)


def _detail(detail: dict[str, Any] | None, via: Via) -> dict[str, Any] | None:
    merged = {**(detail or {}), **via.detail()}
    return merged or None


def staff_read(
    staff: StaffUser,
    load: Callable[[Session], T],
    seen: Callable[[T], Iterable[Seen]],
    *,
    asked: Asked | None = None,
    via: Via = WEB,
) -> T:
    """``load(session)`` in one committed transaction, audited as ``seen(result)`` by ``staff``; a refusal
    (``NotFound``) is audited as a ``refused_read`` of ``asked`` and raised again."""
    with guarded(staff, asked, via), session_scope() as session:
        result = load(session)
        actor = audit.staff_actor(staff.username)
        for event in seen(result):
            audit.record(
                session, actor, event.action, event.entity_type, event.entity_id, _detail(event.detail, via)
            )
        return result


def refused(staff: StaffUser, asked: Asked, via: Via = WEB) -> None:
    """Audit that ``staff`` asked for ``asked`` and was refused (a transaction of its own)."""
    with session_scope() as session:
        audit.record(
            session,
            audit.staff_actor(staff.username),
            "refused_read",
            asked.entity_type,
            asked.entity_id,
            _detail(asked.detail, via),
        )


@contextmanager
def guarded(staff: StaffUser, asked: Asked | None, via: Via = WEB) -> Iterator[None]:
    """Run the block; a ``NotFound`` or ``NotAllowed`` out of it is audited as a refused read of ``asked`` and
    raised again. Put it outside the block's ``session_scope()``, so the refused transaction is rolled back first."""
    try:
        yield
    except (NotFound, NotAllowed):
        if asked is not None:
            refused(staff, asked, via)
        raise


def nothing_seen(_result: object) -> list[Seen]:
    """For screens that show no child's words (nothing to audit)."""
    return []
