"""A signed-in child changes how Heard talks to them: read aloud, simpler or older wording."""

from __future__ import annotations

from bot.db.engine import session_scope
from bot.services import children


def set_audio(child_id: str, on: bool) -> None:
    """Remember whether the child wants messages read aloud."""
    with session_scope() as session:
        children.set_preferences(session, child_id, audio_on=on)


def set_reading_level(child_id: str, level: str) -> None:
    """Remember the wording the child chose (``children.set_preferences`` checks the level)."""
    with session_scope() as session:
        children.set_preferences(session, child_id, reading_level=level)
