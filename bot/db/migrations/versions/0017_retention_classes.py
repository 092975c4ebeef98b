"""Retention by record class (issue 17): each council's retention policy, legal holds, the purge's lease.

New tables only (nothing copied or altered), so upgrade and downgrade are plain on SQLite and PostgreSQL:

* ``retention_policies``: per council, the periods of the record classes whose default a council may change
  (never-looked-after case records, safeguarding records, transcripts); see docs/data-protection.md;
* ``legal_holds``: a hold on a child (reason, who, when; released with a reason): no purge, no erasure;
* ``job_leases``: one row per scheduled job; the purge runs where a conditional UPDATE of its row succeeds.

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | Sequence[str] | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "retention_policies",
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("never_looked_after_until_age", sa.Integer(), nullable=True),
        sa.Column("safeguarding_years", sa.Integer(), nullable=True),
        sa.Column("transcript_days", sa.Integer(), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["local_authority_id"], ["local_authorities.id"],
            name="fk_retention_policies_local_authority_id_local_authorities", ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("local_authority_id", name="pk_retention_policies"),
    )
    op.create_table(
        "legal_holds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("placed_by", sa.String(length=100), nullable=False),
        sa.Column("placed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_by", sa.String(length=100), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("release_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name="fk_legal_holds_child_id_children", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_legal_holds"),
    )
    op.create_index("ix_legal_holds_child_id", "legal_holds", ["child_id"])
    op.create_table(
        "job_leases",
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("holder", sa.String(length=100), nullable=True),
        sa.Column("last_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name="pk_job_leases"),
    )
    op.bulk_insert(sa.table("job_leases", sa.column("name", sa.String)), [{"name": "retention"}])


def downgrade() -> None:
    op.drop_table("job_leases")
    op.drop_index("ix_legal_holds_child_id", table_name="legal_holds")
    op.drop_table("legal_holds")
    op.drop_table("retention_policies")
