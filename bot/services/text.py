"""Checks for texts a child typed: stored verbatim, never truncated, limited to ``settings.max_text``."""

from __future__ import annotations

from bot.config import get_settings
from bot.services.errors import TextTooLong


def check_text(value: str | None, field: str, *, required: bool = False) -> str | None:
    """Return ``value`` unchanged if it fits ``settings.max_text`` (counted in Unicode code points).

    Raises ``TextTooLong`` above the limit (never truncates). NUL characters, which PostgreSQL cannot store
    in text, are replaced by U+FFFD so the rest of the message is never lost. ``required`` refuses None.
    """
    if value is None:
        if required:
            raise ValueError(f"{field} is required")
        return None
    if not isinstance(value, str):
        raise TypeError(f"{field} must be text")
    limit = get_settings().max_text
    if len(value) > limit:
        raise TextTooLong(field, len(value), limit)
    return value.replace("\x00", "\ufffd")
