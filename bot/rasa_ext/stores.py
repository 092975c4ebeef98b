"""Rasa tracker and lock stores configured from Heard's environment.

`endpoints.yml` names these classes, so one static file serves a laptop (SQLite, in-memory
lock) and a council's cluster (PostgreSQL + Redis): the choice follows `HEARD_DATABASE_URL`
and `HEARD_REDIS_URL`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, InMemoryLockStore, LockError, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from bot.config import get_settings
from bot.rasa_ext import action_validation, minimise

# endpoints.yml makes every Rasa server import this module: the place to speed up Rasa's own checks.
action_validation.install()


class HeardTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the case database (same server, Rasa's own `events` table)."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        for key in ("host", "dialect", "db", "username", "password", "port", "url"):
            kwargs.pop(key, None)
        self._saved: dict[str, list[Any]] = {}  # sender id -> the events of the save in progress
        url = get_settings().tracker_database_url
        if url.startswith("sqlite"):
            from pathlib import Path

            Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        super().__init__(domain=domain, host=url, event_broker=event_broker, **kwargs)
        if self.engine.dialect.name == "sqlite":
            # SQLAlchemy 1.4 gives file SQLite a NullPool: a new connection (and its pragmas) for every
            # message. Keep a few open instead; several processes (Rasa, the action server) share the
            # file, hence WAL and a busy timeout.
            self.engine.dispose()
            self.engine = sa.create_engine(
                self.engine.url,
                poolclass=QueuePool,
                pool_size=2,
                max_overflow=8,
                connect_args={"check_same_thread": False},
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)

    async def save(self, tracker: Any) -> None:
        """Rasa's save, then the transcript kept minimal (``bot.rasa_ext.minimise``): contacts masked in the new
        user messages, the turns of a form just sent redacted, a chat the child asked to delete deleted."""
        session = self.sessionmaker()  # Rasa's own session on its events table (read only)
        try:
            last_id = session.query(sa.func.max(self.SQLEvent.id)).filter(
                self.SQLEvent.sender_id == tracker.sender_id
            ).scalar()
        finally:
            session.close()
        await super().save(tracker)
        new_events = self._saved.pop(tracker.sender_id, [])
        minimise.after_save(self.engine, tracker.sender_id, int(last_id or 0), new_events)

    def _additional_events(self, session: Any, tracker: Any) -> Iterator[Any]:
        """Rasa's events not stored yet (it counts the stored ones), kept for ``save`` so they are counted once.
        One conversation is saved at a time (the lock store), so one entry per conversation is enough."""
        events = list(super()._additional_events(session, tracker))
        self._saved[tracker.sender_id] = events
        return iter(events)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=15000")
    # Conversation state only (the case records use their own connections, fully synchronous): in WAL
    # mode NORMAL never corrupts the file; a power cut may lose the last turns, never a child's record.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


LockChange = Callable[[TicketLock | None], tuple[TicketLock | None, Any]]  # old lock -> (new lock, result)


class AtomicRedisLockStore(RedisLockStore):
    """Rasa's Redis ticket lock with every read-modify-write done atomically.

    Rasa 3.6's ``RedisLockStore`` issues and returns tickets with a plain GET then SET, so two servers that
    take messages of one conversation at the same moment can overwrite each other's ticket, and both go on
    to handle a message at once (the multi-server test lost two of thirteen turns that way). Here each
    change runs in a Redis WATCH/MULTI transaction and is retried if another server changed the lock first.
    """

    def _change(self, conversation_id: str, change: LockChange) -> Any:
        key = self.key_prefix + conversation_id
        outcome: dict[str, Any] = {}

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            lock = TicketLock.from_dict(json.loads(raw)) if raw else None
            new_lock, outcome["value"] = change(lock)
            pipe.multi()
            if new_lock is None:
                pipe.delete(key)
            else:
                pipe.set(key, new_lock.dumps())

        self.red.transaction(transaction, key)
        return outcome.get("value")

    def issue_ticket(self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME) -> int:
        def change(lock: TicketLock | None) -> tuple[TicketLock, int]:
            lock = lock or TicketLock(conversation_id)
            return lock, lock.issue_ticket(lock_lifetime)

        try:
            return self._change(conversation_id, change)
        except Exception as error:  # noqa: BLE001 - Rasa expects a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error

    def update_lock(self, conversation_id: str) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_expired_tickets()
            return lock, None

        self._change(conversation_id, change)

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is not None:
                lock.remove_ticket_for(ticket_number)
            return lock, None

        self._change(conversation_id, change)

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Return the ticket; delete the lock only if nobody else holds a ticket, in the same step."""

        def change(lock: TicketLock | None) -> tuple[TicketLock | None, None]:
            if lock is None:
                return None, None
            lock.remove_ticket_for(ticket_number)
            return (lock if lock.is_someone_waiting() else None), None

        self._change(conversation_id, change)


class HeardLockStore:
    """Returns an atomic Redis lock store when `HEARD_REDIS_URL` is set, else an in-memory one."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        redis_url = get_settings().redis_url
        if not redis_url:
            return InMemoryLockStore()
        parts = urlsplit(redis_url)
        db = int(parts.path.strip("/") or 0)
        return AtomicRedisLockStore(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=db,
            username=parts.username,
            password=parts.password,
            use_ssl=parts.scheme == "rediss",
            key_prefix="heard",
        )
