"""The allocated advocate's first name, for the child (issue 15 item 5): "Sam is your advocate".

One nullable column on ``advocacy_referrals`` (plain ADD COLUMN: the table is not rebuilt): ``advocate_first_name``,
set when the advocacy service allocates a referral (``bot.services.referrals.change_status``), shown to the child
by ``bot.services.read_models.my_requests``. A first name only: never a surname or a contact.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("advocacy_referrals", sa.Column("advocate_first_name", sa.String(length=60), nullable=True))


def downgrade() -> None:
    # Plain DROP COLUMN (SQLite 3.35+): batch mode would copy the table, and the copy's DROP of the old table
    # would cascade-delete referral_status_changes (see 0010).
    op.drop_column("advocacy_referrals", "advocate_first_name")
