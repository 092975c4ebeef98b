"""The tracker database (Rasa's ``events`` table): an engine and a transaction scope for Heard's own use
(retention, "delete this chat", subject access). It is the case database unless
``HEARD_TRACKER_DATABASE_URL`` keeps it apart."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection, Engine

from bot.config import get_settings


def tracker_engine(url: str | None = None) -> Engine:
    """The engine of the tracker database (the case database's engine when they are one; cached per URL)."""
    from bot.db.engine import get_engine

    return get_engine(url or get_settings().tracker_database_url)


@contextmanager
def tracker_scope(url: str | None = None) -> Iterator[Connection]:
    """A connection in one transaction on the tracker database, committed at the end (rolled back on error)."""
    with tracker_engine(url).begin() as conn:
        yield conn
