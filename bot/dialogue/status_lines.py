"""Which catalogue line says where a child's request is (``status_<kind>_<status>``): one rule for the chat's
"what's happening with my advocate?" (``actions/status.py``) and for the news sent to the child when staff move
a request on (``bot.usecases.progress_news``)."""

from __future__ import annotations

from typing import Any, Mapping

from bot.dialogue.messages import catalogue, render
from bot.services.read_models.my_requests import due_in_words


def status_message(row: Mapping[str, Any]) -> str | None:
    """The catalogue line for one request: ``status_<kind>_<status>`` (an allocated advocate with no name yet:
    ``status_advocate_allocated_no_name``); None for a state the child is not told about."""
    name = f"status_{row['kind']}_{row['status']}"
    if row["kind"] == "advocate" and row["status"] == "allocated" and not row.get("name"):
        name += "_no_name"
    return name if name in catalogue() else None


def status_words(row: Mapping[str, Any], channel: str | None = None) -> str | None:
    """The words of that line for this request, or None."""
    name = status_message(row)
    if name is None:
        return None
    return render(name, channel=channel, first_name=row.get("name") or "", due=due_in_words(row.get("due")))["text"]
