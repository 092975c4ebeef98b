"""Audit rows chained by hash (issue 13, item 12).

``audit_events`` gets ``prev_hash`` and ``row_hash`` (``bot.services.audit_chain``): each row's keyed hash
(the "audit-chain" key from ``HEARD_SECRET_KEY``) covers its fields and the hash of the row before it, so
``python -m bot.cli verify-audit`` finds an edited, deleted or forged row. Rows already there are chained
here, in id order, which needs ``HEARD_SECRET_KEY`` when the table is not empty.

On PostgreSQL the function ``heard_audit_chain_tail()`` takes the chain's lock
(``pg_advisory_xact_lock``, held to the end of the transaction) and then reads the last row's hash, in one
round trip: a VOLATILE function's second statement takes a fresh snapshot, so it sees the rows the last
holder of the lock committed. On SQLite the writer lock (``BEGIN IMMEDIATE``) does the same.

The append-only triggers are kept: they are stepped round only while the existing rows are given their hashes
(SQLite: dropped and made again, also because making the columns NOT NULL copies the table, which drops its
triggers; PostgreSQL: disabled and enabled in the same transaction).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from bot.db.base import UTCDateTime

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_MESSAGE = "audit_events is append-only"
SQLITE_AUDIT_TRIGGERS = {  # as made by 0001
    "trg_audit_events_no_update": f"""CREATE TRIGGER trg_audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
    "trg_audit_events_no_delete": f"""CREATE TRIGGER trg_audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
}
PG_TRIGGER = "trg_audit_events_append_only"
# 114784635872257 = 0x686561726401, "heard" 1: the advisory lock key of the audit chain.
PG_TAIL_FUNCTION = """CREATE FUNCTION heard_audit_chain_tail() RETURNS varchar LANGUAGE plpgsql VOLATILE AS $$
    BEGIN
        PERFORM pg_advisory_xact_lock(114784635872257);
        RETURN (SELECT row_hash FROM audit_events ORDER BY id DESC LIMIT 1);
    END $$"""
PAGE = 5000

AUDIT = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("actor", sa.String()),
    sa.column("action", sa.String()),
    sa.column("entity_type", sa.String()),
    sa.column("entity_id", sa.String()),
    sa.column("at", UTCDateTime()),
    sa.column("detail", sa.Text()),
    sa.column("prev_hash", sa.String()),
    sa.column("row_hash", sa.String()),
)


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _lift_triggers() -> None:
    if _is_sqlite():
        for name in SQLITE_AUDIT_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    else:
        op.execute(f"ALTER TABLE audit_events DISABLE TRIGGER {PG_TRIGGER}")


def _restore_triggers() -> None:
    if _is_sqlite():
        for statement in SQLITE_AUDIT_TRIGGERS.values():
            op.execute(statement)
    else:
        op.execute(f"ALTER TABLE audit_events ENABLE TRIGGER {PG_TRIGGER}")


def _chain_existing_rows() -> int:
    """Give every row its prev_hash and row_hash, in id order; returns how many rows were chained."""
    from bot.services.audit_chain import GENESIS, row_hash

    connection = op.get_bind()
    update = (
        AUDIT.update()
        .where(AUDIT.c.id == sa.bindparam("row_id"))
        .values(prev_hash=sa.bindparam("prev"), row_hash=sa.bindparam("hash"))
    )
    prev, last_id, count = GENESIS, None, 0
    while True:
        query = sa.select(AUDIT).order_by(AUDIT.c.id).limit(PAGE)
        if last_id is not None:
            query = query.where(AUDIT.c.id > last_id)
        rows = connection.execute(query).mappings().all()
        if not rows:
            return count
        changes = []
        for row in rows:
            digest = row_hash(row, prev)
            changes.append({"row_id": row["id"], "prev": prev, "hash": digest})
            prev, last_id = digest, row["id"]
        connection.execute(update, changes)
        count += len(rows)


def upgrade() -> None:
    _lift_triggers()
    with op.batch_alter_table("audit_events") as batch:
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("row_hash", sa.String(length=64), nullable=True))
    _chain_existing_rows()
    with op.batch_alter_table("audit_events") as batch:
        batch.alter_column("prev_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("row_hash", existing_type=sa.String(length=64), nullable=False)
    _restore_triggers()
    if not _is_sqlite():
        op.execute(PG_TAIL_FUNCTION)


def downgrade() -> None:
    if not _is_sqlite():
        op.execute("DROP FUNCTION IF EXISTS heard_audit_chain_tail()")
    if _is_sqlite():
        _lift_triggers()  # dropping a column copies the table, which would drop its triggers
    with op.batch_alter_table("audit_events") as batch:
        batch.drop_column("row_hash")
        batch.drop_column("prev_hash")
    if _is_sqlite():
        _restore_triggers()
