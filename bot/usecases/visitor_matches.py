"""Staff propose an independent visitor or mentor to a child (the child is asked next time they talk)."""

from __future__ import annotations

from bot.db.engine import session_scope
from bot.services import visitors


def propose_match(
    child_id: str,
    proposed_by: str | None,
    visitor_name: str,
    description: str | None,
    kind: str = "independent_visitor",
) -> int:
    """Propose a match by staff username ``proposed_by`` (None: the system); returns the match id."""
    with session_scope() as session:
        return int(visitors.propose_match(session, child_id, proposed_by, visitor_name, description, kind).id)
