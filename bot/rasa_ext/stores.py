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
from sqlalchemy import event

from bot.config import get_settings


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
            # Several processes (Rasa, the action server) share the file: WAL and a busy timeout.
            event.listen(self.engine, "connect", _sqlite_pragmas)
            self.engine.dispose()


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
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
