"""Possible safeguarding concerns (issue 14): messages that got a gentle check-in, or were in another language.

One new table, ``safeguarding_concerns`` (``bot.db.concern_models``); no other table changes, so this revision
is independent of what 0005-0008 add.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TIERS = ("concern", "language")
SOURCES = ("lexicon", "classifier", "language")
ANSWERS = ("yes", "no", "not_sure", "unclear", "disclosed")


def _one_of(column: str, values: tuple[str, ...], name: str) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=op.f(f"ck_safeguarding_concerns_{name}"))


def upgrade() -> None:
    op.create_table(
        "safeguarding_concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("routed_council_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=16), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("category", sa.Text(), nullable=True),
        sa.Column("cue", sa.Text(), nullable=True),
        sa.Column("language", sa.String(length=8), nullable=True),
        sa.Column("answer", sa.String(length=16), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("alert_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=100), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        _one_of("tier", TIERS, "tier"),
        _one_of("source", SOURCES, "source"),
        _one_of("answer", ANSWERS, "answer"),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], ondelete="CASCADE",
                                name=op.f("fk_safeguarding_concerns_child_id_children")),
        sa.ForeignKeyConstraint(["routed_council_id"], ["local_authorities.id"],
                                name=op.f("fk_safeguarding_concerns_routed_council_id_local_authorities")),
        sa.ForeignKeyConstraint(["alert_id"], ["safeguarding_alerts.id"], ondelete="SET NULL",
                                name=op.f("fk_safeguarding_concerns_alert_id_safeguarding_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_concerns")),
    )
    for column in ("conversation_ref", "child_id", "routed_council_id", "created_at"):
        op.create_index(f"ix_safeguarding_concerns_{column}", "safeguarding_concerns", [column])


def downgrade() -> None:
    op.drop_table("safeguarding_concerns")
