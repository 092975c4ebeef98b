"""A safeguarding alert whose words the child kept in a statement they did not share with their social worker is
withheld from that social worker (``safeguarding_alerts.withheld_from_social_worker``), as an alert about the
social worker is (0013). The duty lead still sees it, and decides who else is told.

Adding a column with a constant default changes no row on SQLite or PostgreSQL.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | Sequence[str] | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("safeguarding_alerts", sa.Column("withheld_from_social_worker", sa.Boolean(),
                                                   server_default=sa.false(), nullable=False))


def downgrade() -> None:
    op.drop_column("safeguarding_alerts", "withheld_from_social_worker")
