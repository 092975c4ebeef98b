"""Council settings applied: review timescale dates on children, alert escalation, outbox message kind.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


# Plain ADD/DROP COLUMN (SQLite 3.35+ and PostgreSQL): no table is rebuilt, so triggers and CHECK
# constraints stay as they are.
def upgrade() -> None:
    op.add_column("children", sa.Column("entered_care_on", sa.Date(), nullable=True))
    op.add_column("children", sa.Column("last_review_on", sa.Date(), nullable=True))
    op.add_column("children", sa.Column("reviews_held", sa.Integer(), nullable=False, server_default="0"))
    op.add_column("safeguarding_alerts", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "notification_outbox", sa.Column("kind", sa.String(length=12), nullable=False, server_default="alert")
    )


def downgrade() -> None:
    op.drop_column("notification_outbox", "kind")
    op.drop_column("safeguarding_alerts", "escalated_at")
    op.drop_column("children", "reviews_held")
    op.drop_column("children", "last_review_on")
    op.drop_column("children", "entered_care_on")
