"""Outbound messages to children (issue 19): the SMS send queue and messages waiting in the web widget.

One new table, ``outbound_messages`` (``bot.db.outbound_models``); no other table changes.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | Sequence[str] | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "outbound_messages"
CHANNELS = ("sms", "web")
STATUSES = ("queued", "sending", "sent", "failed", "dropped", "waiting", "shown")


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=op.f(f"ck_{TABLE}_{name}"))


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("dedupe_key", sa.String(length=200), nullable=True),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_encrypted", sa.Text(), nullable=True),
        sa.Column("body_encrypted", sa.Text(), nullable=True),
        sa.Column("options_json", sa.Text(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("provider_id", sa.String(length=64), nullable=True),
        sa.Column("error_code", sa.String(length=20), nullable=True),
        sa.Column("segments", sa.Integer(), nullable=True),
        _one_of("channel", CHANNELS, "channel"),
        _one_of("status", STATUSES, "status"),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], ondelete="CASCADE",
                                name=op.f(f"fk_{TABLE}_child_id_children")),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{TABLE}")),
        sa.UniqueConstraint("dedupe_key", name=op.f(f"uq_{TABLE}_dedupe_key")),
    )
    op.create_index(f"ix_{TABLE}_phone_hash_id", TABLE, ["phone_hash", "id"])
    op.create_index(f"ix_{TABLE}_status_next_attempt_at", TABLE, ["status", "next_attempt_at"])
    op.create_index(f"ix_{TABLE}_child_id_status", TABLE, ["child_id", "status"])


def downgrade() -> None:
    op.drop_table(TABLE)
