"""Migration 0002 (review app tables) goes up and down cleanly on SQLite and PostgreSQL."""

from __future__ import annotations

from sqlalchemy import inspect

from bot.db.engine import get_engine
from bot.db.migrate import current_revision, downgrade, upgrade


def test_review_tables_up_down_up(db_url):
    upgrade(db_url, "0002")
    assert current_revision(db_url) == "0002"
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert {"authority_settings", "staff_api_tokens"} <= tables
    downgrade(db_url, "0001")
    assert current_revision(db_url) == "0001"
    tables = set(inspect(get_engine(db_url)).get_table_names())
    assert not {"authority_settings", "staff_api_tokens"} & tables
    upgrade(db_url, "0002")
    assert current_revision(db_url) == "0002"


def test_review_models_match_migration(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    import bot.db.review_models  # noqa: F401  (registers the two tables on the shared metadata)
    from bot.db.models import metadata

    upgrade(db_url)
    with get_engine(db_url).connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), metadata)
    assert diff == []
