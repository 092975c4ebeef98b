"""SMS opt-outs (STOP) of numbers that belong to no child, kept in the database by keyed hash.

Before this revision they were kept in Redis (or in one process's memory), so they were lost on a restart
without Redis and not shared between servers. ``python -m bot.cli migrate`` moves any such Redis opt-outs
into this table (``bot.channels.sms_state.move_legacy_opt_outs``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "sms_opt_outs",
        sa.Column("phone_hash", sa.String(length=64), nullable=False),  # HMAC of the number, never the number
        sa.Column("opted_out_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("phone_hash", name=op.f("pk_sms_opt_outs")),
    )


def downgrade() -> None:
    op.drop_table("sms_opt_outs")
