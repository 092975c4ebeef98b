"""Staff referrals and the IRO panel (issue 15, items 3 and 4): two new tables, no other table changes.

* ``referral_origins``: an advocacy referral made by a member of staff for a child (``bot.db.worker_models``):
  instructed (who asked the child, when, how the child agreed) or non-instructed (the grounds and reason);
* ``statement_plan_marks``: a worker's mark that a child's wishes in a statement differ from the plan, with a note.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KINDS = ("instructed", "non_instructed")
WAYS = ("in_person", "phone", "video", "in_writing", "other")
GROUNDS = ("age", "disability", "communication", "other")


def _one_of(table: str, column: str, values: tuple[str, ...]) -> sa.CheckConstraint:
    quoted = ", ".join(f"'{v}'" for v in values)
    return sa.CheckConstraint(f"{column} IN ({quoted})", name=op.f(f"ck_{table}_{column}"))


def upgrade() -> None:
    op.create_table(
        "referral_origins",
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("referred_by_id", sa.Integer(), nullable=False),
        sa.Column("asked_by", sa.String(length=200), nullable=True),
        sa.Column("agreed_on", sa.Date(), nullable=True),
        sa.Column("agreed_how", sa.String(length=20), nullable=True),
        sa.Column("non_instructed_grounds", sa.String(length=20), nullable=True),
        sa.Column("non_instructed_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        _one_of("referral_origins", "kind", KINDS),
        _one_of("referral_origins", "agreed_how", WAYS),
        _one_of("referral_origins", "non_instructed_grounds", GROUNDS),
        sa.ForeignKeyConstraint(["referral_id"], ["advocacy_referrals.id"], ondelete="CASCADE",
                                name=op.f("fk_referral_origins_referral_id_advocacy_referrals")),
        sa.ForeignKeyConstraint(["referred_by_id"], ["staff_users.id"],
                                name=op.f("fk_referral_origins_referred_by_id_staff_users")),
        sa.PrimaryKeyConstraint("referral_id", name=op.f("pk_referral_origins")),
    )
    op.create_index("ix_referral_origins_referred_by_id", "referral_origins", ["referred_by_id"])
    op.create_table(
        "statement_plan_marks",
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("differs", sa.Boolean(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("marked_by", sa.String(length=100), nullable=False),
        sa.Column("marked_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["statement_id"], ["wishes_statements.id"], ondelete="CASCADE",
                                name=op.f("fk_statement_plan_marks_statement_id_wishes_statements")),
        sa.PrimaryKeyConstraint("statement_id", name=op.f("pk_statement_plan_marks")),
    )


def downgrade() -> None:
    op.drop_table("statement_plan_marks")
    op.drop_index("ix_referral_origins_referred_by_id", table_name="referral_origins")
    op.drop_table("referral_origins")
