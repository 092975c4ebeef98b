"""Raise a safeguarding alert so that a person is told; never lose it, even with the database down.

This is the one way to raise an alert. The alert and one notification row per target are committed
together (``bot.services.alerts.raise_alert``); ``bot.safeguarding.notifier`` delivers the rows. If the case
database cannot take the alert, it is written to the spool folder on disk (``bot.safeguarding.alert_spool``)
and ``flush_alert_spool`` moves it into the database when it is back (the notifier loop calls it every few
seconds).
"""

from __future__ import annotations

import logging
from typing import Any, Callable

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.safeguarding import alert_spool
from bot.services import alerts

logger = logging.getLogger(__name__)


def raise_safeguarding_alert(
    *,
    conversation_id: str,
    child_id: str | None,
    channel: str,
    text: str,
    category: str | None,
    cue: str | None,
) -> int | None:
    """Store the alert and its notifications (committed); returns the alert's id, or None when the
    database could not take it and it was spooled to disk instead."""
    fields = dict(conversation_id=conversation_id, child_id=child_id, channel=channel, text=text,
                  category=category, cue=cue)
    try:
        with session_scope() as session:
            return int(alerts.raise_alert(session, **fields).id)
    except SQLAlchemyError as error:
        logger.error("safeguarding alert spooled to disk, database unavailable: %s", type(error).__name__)
        alert_spool.spool(fields)
        return None


def drain_spool(kind: str, store: Callable[[Session, dict[str, Any]], Any]) -> int:
    """Move the records of ``kind`` spooled to disk into the database with ``store``, one transaction each,
    stopping at the first the database still refuses; returns how many were moved."""
    moved = 0
    for path, fields in alert_spool.spooled(kind):
        try:
            with session_scope() as session:
                store(session, fields)
        except SQLAlchemyError:
            break
        path.unlink()
        moved += 1
    return moved


def flush_alert_spool() -> int:
    """Move alerts spooled to disk into the database (``drain_spool``); returns how many were moved."""
    return drain_spool(alert_spool.ALERT, lambda session, fields: alerts.raise_alert(session, **fields))
