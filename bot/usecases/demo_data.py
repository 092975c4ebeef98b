"""Add the demo council, staff and children (``python -m bot.cli seed``; safe to repeat)."""

from __future__ import annotations

from typing import Any

from bot.db.engine import session_scope
from bot.services.seed import seed_demo


def seed_demo_data() -> dict[str, Any]:
    """Seed the demo data in one transaction; returns what was added (ids by name)."""
    with session_scope() as session:
        return seed_demo(session)
