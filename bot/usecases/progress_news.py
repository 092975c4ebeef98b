"""When staff move a child's request on, the child is told on their channel (issue 15 item 5): by SMS through the
send queue (STOP respected, held between 21:00 and 08:00, lock-screen-safe header) or waiting in the widget the
next time they open it (``bot.services.child_messages``). The words are the same line the chat gives to "what's
happening with my advocate?" (``bot.dialogue.status_lines``); never the child's words or a staff note. Called
inside the use case's transaction, so the child is told only if the change is committed; once per change."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from bot.db.models import Child
from bot.dialogue.status_lines import status_words
from bot.services import child_messages


def tell_child(s: Session, child_id: str | None, *, kind: str, record_id: int, status: str,
               name: str | None = None, due: date | None = None) -> str | None:
    """Queue the news that the child's ``kind`` request ``record_id`` is now ``status``; what
    ``queue_for_child`` returned, or None when there is nobody to tell (anonymous) or nothing to say."""
    child = s.get(Child, child_id) if child_id else None
    if child is None:
        return None
    channel = "sms" if child_messages.sms_number(s, child) else "web"
    words = status_words({"kind": kind, "status": status, "name": name, "due": due}, channel)
    if words is None:
        return None
    return child_messages.queue_for_child(s, child.id, words, kind="progress",
                                          dedupe_key=f"progress:{kind}:{record_id}:{status}")
