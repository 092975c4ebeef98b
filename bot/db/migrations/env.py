"""Alembic environment: runs migrations on Heard's engine (same SQLite pragmas / PG settings as the app)."""

from __future__ import annotations

from alembic import context

from bot.db.engine import get_engine
from bot.db.models import metadata

config = context.config


def _url() -> str | None:
    return config.attributes.get("url") or config.get_main_option("sqlalchemy.url") or None


def run_migrations_offline() -> None:
    from bot.config import get_settings

    context.configure(url=_url() or get_settings().database_url, target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def _configure(connection: object) -> None:
    # SQLite can roll DDL back too (the engine issues BEGIN itself), so a failed migration leaves no half-done
    # schema on either database.
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=True,
        transactional_ddl=True,
    )


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with get_engine(_url()).connect() as connection:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
