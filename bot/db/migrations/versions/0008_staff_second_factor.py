"""Staff sign-in: session version, first-password change, second factor (issue 13, items 8 and 9).

* ``session_version``: a review-app session cookie carries the version it was made under; sign-out, a
  password change and deactivation move it on, so a copied cookie stops working.
* ``must_change_password``: an admin-set first password must be changed at first sign-in.
* ``totp_secret`` (encrypted with a purpose key, never plain), ``totp_last_step`` (a code is used once) and
  ``recovery_codes`` (keyed hashes of the unused single-use recovery codes).

Plain ADD/DROP COLUMN (SQLite 3.35+ and PostgreSQL): no table is rebuilt.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"),
    sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()),
    sa.Column("totp_secret", sa.Text(), nullable=True),
    sa.Column("totp_last_step", sa.Integer(), nullable=True),
    sa.Column("recovery_codes", sa.Text(), nullable=True),
)


def upgrade() -> None:
    for column in COLUMNS:
        op.add_column("staff_users", column.copy())


def downgrade() -> None:
    for column in reversed(COLUMNS):
        op.drop_column("staff_users", column.name)
