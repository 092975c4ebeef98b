"""Child sign-in codes and server-issued web conversations (issue 13, items 3-4).

* ``sign_in_codes``: which web conversation a code signed in (HMAC), the conversation from before sign-in that
  waits for the child's yes or no, and who cancelled the code or ended its conversation's link, and when.
* ``sign_in_failures``: wrong codes by client address (HMAC) and time, counted per address and across the
  deployment (the old per-conversation ``sign_in_attempts`` rows stay for the review app's staff sign-in).
* ``security_alerts``: one row a kind of security alert, so that admins are told once a burst.
* ``notification_outbox``: a row is about a safeguarding alert or a security alert (exactly one of them).

Codes issued before this revision (6 digits) can no longer be typed in: the new codes are 8 letters and
numbers. Downgrading deletes the security notifications (the old schema cannot hold them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CODE_COLUMNS = ("conversation_ref", "earlier_ref", "earlier_decided_at", "ended_at", "ended_by")


def upgrade() -> None:
    with op.batch_alter_table("sign_in_codes") as batch:
        batch.add_column(sa.Column("conversation_ref", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("earlier_ref", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("earlier_decided_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ended_by", sa.String(length=100), nullable=True))
    op.create_index("ix_sign_in_codes_conversation_ref", "sign_in_codes", ["conversation_ref"])

    op.create_table(
        "sign_in_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("address_key", sa.String(length=64), nullable=False),  # HMAC of the address
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_failures")),
    )
    op.create_index("ix_sign_in_failures_address_at", "sign_in_failures", ["address_key", "at"])
    op.create_index("ix_sign_in_failures_at", "sign_in_failures", ["at"])

    op.create_table(
        "security_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("times_raised", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_alerts")),
        sa.UniqueConstraint("kind", name=op.f("uq_security_alerts_kind")),
    )

    with op.batch_alter_table("notification_outbox") as batch:
        batch.alter_column("alert_id", existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column("security_alert_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            op.f("fk_notification_outbox_security_alert_id_security_alerts"),
            "security_alerts",
            ["security_alert_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_check_constraint(
            op.f("ck_notification_outbox_one_subject"), "(alert_id IS NULL) <> (security_alert_id IS NULL)"
        )


def downgrade() -> None:
    op.execute("DELETE FROM notification_outbox WHERE alert_id IS NULL")
    with op.batch_alter_table("notification_outbox") as batch:
        batch.drop_constraint(op.f("ck_notification_outbox_one_subject"), type_="check")
        batch.drop_constraint(
            op.f("fk_notification_outbox_security_alert_id_security_alerts"), type_="foreignkey"
        )
        batch.drop_column("security_alert_id")
        batch.alter_column("alert_id", existing_type=sa.Integer(), nullable=False)
    op.drop_table("security_alerts")
    op.drop_index("ix_sign_in_failures_at", table_name="sign_in_failures")
    op.drop_index("ix_sign_in_failures_address_at", table_name="sign_in_failures")
    op.drop_table("sign_in_failures")
    op.drop_index("ix_sign_in_codes_conversation_ref", table_name="sign_in_codes")
    with op.batch_alter_table("sign_in_codes") as batch:
        for name in reversed(CODE_COLUMNS):
            batch.drop_column(name)
