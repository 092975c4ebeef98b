"""Audit events kept as long as the records they describe, and records sent before sign-in (issue 17).

* ``audit_checkpoints`` (``bot.db.retention_models.AuditCheckpoint``): where the purge removed a run of old audit
  events, the hashes the chain is verified across (``bot.services.audit_chain``);
* ``retention_policies.audit_years``: a council's audit period (null: the default, docs/data-protection.md);
* the append-only triggers now let a row be deleted when, and only when, a checkpoint covers its id (the purge
  writes the checkpoint first). UPDATE and TRUNCATE are still refused, and so is any other DELETE;
* records sent in a conversation before it was linked to a child (anonymous then) are given that child, as
  ``bot.services.children.link_conversation`` now does at sign-in (no audit event here: the migration has no
  actor; the records keep their conversation reference, so what was done can be seen).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | Sequence[str] | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_MESSAGE = "audit_events is append-only"
COVERED = "SELECT 1 FROM audit_checkpoints c WHERE {row}.id BETWEEN c.first_removed_id AND c.last_removed_id"
SQLITE_NO_DELETE = "trg_audit_events_no_delete"
SQLITE_DELETE_UNLESS_CHECKPOINTED = f"""CREATE TRIGGER {SQLITE_NO_DELETE} BEFORE DELETE ON audit_events
    WHEN NOT EXISTS ({COVERED.format(row="OLD")})
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END"""
SQLITE_NEVER_DELETE = f"""CREATE TRIGGER {SQLITE_NO_DELETE} BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END"""  # as made by 0001
PG_DELETE_UNLESS_CHECKPOINTED = f"""CREATE OR REPLACE FUNCTION heard_audit_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND EXISTS ({COVERED.format(row="OLD")}) THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = '23514';
    END $$"""
PG_NEVER_DELETE = f"""CREATE OR REPLACE FUNCTION heard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = '23514';
    END $$"""  # as made by 0001
# Tables whose rows carry the conversation they came from and, once known, the child.
LINKED_RECORDS = ("advocacy_referrals", "wishes_statements", "visitor_requests", "complaints", "safeguarding_alerts",
                  "safeguarding_concerns", "sms_media_arrivals")
ROUTED_RECORDS = frozenset(LINKED_RECORDS) - {"sms_media_arrivals"}  # those with a routed_council_id


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _give_earlier_records_their_child() -> None:
    """As bot.services.earlier_records at sign-in: a linked conversation's records of no child become the child's,
    except one routed to another council than the child's."""
    links = sa.table("conversation_links", sa.column("child_id"), sa.column("conversation_ref"))
    children = sa.table("children", sa.column("id"), sa.column("local_authority_id"))
    for name in LINKED_RECORDS:
        routed = name in ROUTED_RECORDS
        records = sa.table(name, sa.column("child_id"), sa.column("conversation_ref"),
                           *([sa.column("routed_council_id")] if routed else []))
        child = sa.select(links.c.child_id).where(links.c.conversation_ref == records.c.conversation_ref)
        where = [records.c.child_id.is_(None), records.c.conversation_ref.in_(sa.select(links.c.conversation_ref))]
        if routed:
            council = sa.select(children.c.local_authority_id).where(children.c.id == child.scalar_subquery())
            where.append(sa.or_(records.c.routed_council_id.is_(None),
                                records.c.routed_council_id == council.scalar_subquery()))
        op.execute(records.update().where(*where).values(child_id=child.scalar_subquery()))


def upgrade() -> None:
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("first_removed_id", sa.Integer(), nullable=False),
        sa.Column("last_removed_id", sa.Integer(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("removed", sa.Integer(), nullable=False),
        sa.Column("seal", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_audit_checkpoints"),
        sa.UniqueConstraint("prev_hash", name="uq_audit_checkpoints_prev_hash"),
    )
    op.create_index("ix_audit_checkpoints_last_removed_id", "audit_checkpoints", ["last_removed_id"])
    op.add_column("retention_policies", sa.Column("audit_years", sa.Integer(), nullable=True))
    if _is_sqlite():
        op.execute(f"DROP TRIGGER IF EXISTS {SQLITE_NO_DELETE}")
        op.execute(SQLITE_DELETE_UNLESS_CHECKPOINTED)
    else:
        op.execute(PG_DELETE_UNLESS_CHECKPOINTED)
    _give_earlier_records_their_child()


def downgrade() -> None:
    if _is_sqlite():
        op.execute(f"DROP TRIGGER IF EXISTS {SQLITE_NO_DELETE}")
        op.execute(SQLITE_NEVER_DELETE)
    else:
        op.execute(PG_NEVER_DELETE)
    op.drop_column("retention_policies", "audit_years")
    op.drop_index("ix_audit_checkpoints_last_removed_id", table_name="audit_checkpoints")
    op.drop_table("audit_checkpoints")
