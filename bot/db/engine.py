"""Database engines and transactions.

SQLite (development, small deployments): WAL journal, foreign keys on, 5 s busy timeout. Every transaction
starts with ``BEGIN IMMEDIATE`` (the pysqlite driver's own transaction handling is switched off), so that
SAVEPOINTs work and a read-then-write transaction can never fail half-way because another process wrote in
between: writers simply queue for up to 5 s.

The SQLite file (and its -wal/-shm files) is 0600 and a folder made for it 0700: children's records are
readable by Heard's own user only.

PostgreSQL: ``pool_pre_ping`` so a restarted server does not lose a child's message.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.config import get_settings

logger = logging.getLogger(__name__)
_engines: dict[str, Engine] = {}
_lock = threading.Lock()


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves (see module docstring)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=15000")  # the send queue and outreach add writers: wait, never fail
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _private_database_file(database: str) -> None:
    """Make the SQLite file readable by this user only: its folder (when made here) 0700, the file 0600.

    SQLite gives the -wal and -shm files the main file's mode, so they are private too. A file an older Heard
    made readable by others is tightened."""
    path = Path(database).expanduser().resolve()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDONLY | os.O_CREAT, 0o600))  # made 0600, never 0644 first
    for file in (path.with_name(path.name + suffix) for suffix in ("", "-wal", "-shm", "-journal")):
        try:
            if file.exists() and file.stat().st_mode & 0o077:
                file.chmod(0o600)
        except OSError:
            logger.warning("Could not make %s readable by its owner only", file.name)


def _create(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:" and not database.startswith("file:"):
            _private_database_file(database)
        engine = create_engine(url, future=True, connect_args={"check_same_thread": False})
        _configure_sqlite(engine)
        return engine
    return create_engine(url, future=True, pool_pre_ping=True)


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``settings.database_url``), created once per URL."""
    url = url or get_settings().database_url
    with _lock:
        engine = _engines.get(url)
        if engine is None:
            engine = _create(url)
            _engines[url] = engine
        return engine


def session_factory(engine: Engine | None = None) -> sessionmaker:
    """A ``sessionmaker`` for ``engine`` (default engine if None)."""
    return sessionmaker(bind=engine or get_engine(), future=True, expire_on_commit=False)


@contextmanager
def session_scope(engine: Engine | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error (and re-raise).

    Objects stay usable after the block (``expire_on_commit=False``).
    """
    session = session_factory(engine)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def dispose_engines() -> None:
    """Close every pooled connection and forget the engines (tests, forked workers)."""
    with _lock:
        for engine in _engines.values():
            engine.dispose()
        _engines.clear()
