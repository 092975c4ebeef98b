"""Rasa tracker and lock stores configured from Heard's environment.

`endpoints.yml` names these classes, so one static file serves a laptop (SQLite, in-memory
lock) and a council's cluster (PostgreSQL + Redis): the choice follows `HEARD_DATABASE_URL`
and `HEARD_REDIS_URL`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from rasa.core.lock_store import InMemoryLockStore, LockStore, RedisLockStore
from rasa.core.tracker_store import SQLTrackerStore
import sqlalchemy as sa
import sqlalchemy.orm
from sqlalchemy import event
from sqlalchemy.pool import QueuePool

from bot.config import get_settings
from bot.rasa_ext import action_validation

# endpoints.yml makes every Rasa server import this module: the place to speed up Rasa's own checks.
action_validation.install()


class HeardTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store on the case database (same server, Rasa's own `events` table)."""

    def __init__(self, domain: Any = None, event_broker: Any = None, **kwargs: Any) -> None:
        for key in ("host", "dialect", "db", "username", "password", "port", "url"):
            kwargs.pop(key, None)
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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    # Conversation state only (the case records use their own connections, fully synchronous): in WAL
    # mode NORMAL never corrupts the file; a power cut may lose the last turns, never a child's record.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class HeardLockStore:
    """Returns a Redis lock store when `HEARD_REDIS_URL` is set, else an in-memory one."""

    def __new__(cls, endpoint_config: Any = None) -> LockStore:  # type: ignore[misc]
        redis_url = get_settings().redis_url
        if not redis_url:
            return InMemoryLockStore()
        parts = urlsplit(redis_url)
        db = int(parts.path.strip("/") or 0)
        return RedisLockStore(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=db,
            username=parts.username,
            password=parts.password,
            use_ssl=parts.scheme == "rediss",
            key_prefix="heard",
        )
