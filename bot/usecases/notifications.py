"""The notifier's steps that touch the database, each a short transaction of its own (no network I/O
inside): escalate alerts left unacknowledged, claim due notifications, record how a try went.

``session_factory`` (tests, or a notifier bound to another database) replaces the default engine.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.services import alerts, notification_outbox, team_routing
from bot.services.notification_outbox import Delivery

SessionFactory = Callable[[], Session]


@contextmanager
def _transaction(session_factory: SessionFactory | None) -> Iterator[Session]:
    if session_factory is None:
        with session_scope() as session:
            yield session
    else:
        with session_factory() as session, session.begin():
            yield session


def escalate_overdue_alerts(now: datetime, session_factory: SessionFactory | None = None) -> list[int]:
    """Escalate alerts nobody acknowledged in time (once each); returns their ids."""
    with _transaction(session_factory) as session:
        return alerts.escalate_overdue(session, now)


def escalate_overdue_records(now: datetime, session_factory: SessionFactory | None = None) -> list[tuple[str, int]]:
    """Escalate referrals, visitor requests and complaints past their deadline with no action (once each)."""
    with _transaction(session_factory) as session:
        return team_routing.escalate_overdue_records(session, now)


def claim_due_notifications(
    now: datetime, limit: int, session_factory: SessionFactory | None = None
) -> list[Delivery]:
    """Claim up to ``limit`` due notifications for this notifier: (row id, target, payload) each."""
    with _transaction(session_factory) as session:
        return notification_outbox.claim_due(session, now, limit)


def record_notification_attempt(
    outbox_id: int, now: datetime, error: str | None, session_factory: SessionFactory | None = None
) -> None:
    """Mark a claimed notification delivered (``error`` None, audited) or due again after a backoff."""
    with _transaction(session_factory) as session:
        notification_outbox.record_attempt(session, outbox_id, now, error)
