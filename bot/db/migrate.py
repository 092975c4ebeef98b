"""Run Alembic migrations from Python (``python -m bot.cli migrate`` calls ``upgrade()``)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.config import get_settings

HERE = Path(__file__).resolve().parent


def alembic_config(url: str | None = None) -> Config:
    """An Alembic ``Config`` for ``url`` (default: ``settings.database_url``), no ini file needed."""
    config = Config(str(HERE / "alembic.ini"))
    config.set_main_option("script_location", str(HERE / "migrations"))
    config.attributes["url"] = url or get_settings().database_url
    return config


def upgrade(url: str | None = None, revision: str = "heads") -> None:
    """Upgrade the database at ``url`` to ``revision`` (default: every head)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str | None = None, revision: str = "base") -> None:
    """Downgrade the database at ``url`` to ``revision`` (default: base = empty)."""
    command.downgrade(alembic_config(url), revision)


def current_revision(url: str | None = None) -> str | None:
    """The revision the database at ``url`` is at (None when never migrated)."""
    from alembic.runtime.migration import MigrationContext

    from bot.db.engine import get_engine

    with get_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
