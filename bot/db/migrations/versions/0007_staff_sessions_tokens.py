"""API token scope and expiry; the council of records from children not signed in (issue 13, items 6-7).

(The staff session version of the same issue is in 0008.)

* ``staff_api_tokens.scopes`` (space-separated, e.g. ``read:caseload read:statements``) and
  ``staff_api_tokens.expires_at``. Every token made before this revision is revoked: an admin made it for
  someone else and may still hold it, and it has neither scope nor expiry. Its owner makes a new one.
* ``routed_council_id`` on ``advocacy_referrals``, ``wishes_statements``, ``visitor_requests`` and
  ``safeguarding_alerts``: the council a record from a child not signed in was sent to
  (``bot.services.council_routing``). Records already stored start unrouted: the triage council
  (``HEARD_TRIAGE_COUNCIL``, or the only council) sees them, else an admin routes them.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

ROUTED_TABLES = ("advocacy_referrals", "wishes_statements", "visitor_requests", "safeguarding_alerts")


# Plain ADD/DROP COLUMN (SQLite 3.35+ and PostgreSQL): no table is rebuilt, so triggers and CHECK
# constraints stay as they are.
def upgrade() -> None:
    op.add_column("staff_api_tokens", sa.Column("scopes", sa.String(length=200), nullable=False, server_default=""))
    op.add_column(
        "staff_api_tokens",
        sa.Column(
            "expires_at",
            sa.DateTime(timezone=True),
            nullable=False,
            server_default=sa.text("'1970-01-01 00:00:00'"),
        ),
    )
    op.execute("UPDATE staff_api_tokens SET revoked_at = CURRENT_TIMESTAMP WHERE revoked_at IS NULL")
    for table in ROUTED_TABLES:
        if op.get_bind().dialect.name == "sqlite":
            # SQLite adds a column with its REFERENCES inline; it cannot add a constraint afterwards.
            op.execute(
                f"ALTER TABLE {table} ADD COLUMN routed_council_id INTEGER "
                f"CONSTRAINT fk_{table}_routed_council_id_local_authorities "
                "REFERENCES local_authorities (id)"
            )
        else:
            op.add_column(table, sa.Column("routed_council_id", sa.Integer(), nullable=True))
            op.create_foreign_key(
                f"fk_{table}_routed_council_id_local_authorities",
                table,
                "local_authorities",
                ["routed_council_id"],
                ["id"],
            )
        op.create_index(f"ix_{table}_routed_council_id", table, ["routed_council_id"])


def downgrade() -> None:
    for table in reversed(ROUTED_TABLES):
        op.drop_index(f"ix_{table}_routed_council_id", table_name=table)
        if op.get_bind().dialect.name != "sqlite":
            op.drop_constraint(f"fk_{table}_routed_council_id_local_authorities", table, type_="foreignkey")
        op.drop_column(table, "routed_council_id")
    op.drop_column("staff_api_tokens", "expires_at")
    op.drop_column("staff_api_tokens", "scopes")
