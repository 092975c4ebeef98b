"""The child register (issue 15): what a council knows about a child, so children can be added for real.

New nullable columns on ``children`` (plain ADD COLUMN: the table is not rebuilt):

* ``external_id``: the council's own id for the child (case system), unique within a council;
* ``date_of_birth``, ``legal_status``, ``placement_type``, ``left_care_on``: for the register, retention
  (a case record is kept until the 75th birthday) and who should be considered for a visitor;
* ``phone_encrypted``: a Fernet token of the E.164 number (``bot.keys`` purpose key) for outbound texts; the
  HMAC in ``phone_hash`` still matches incoming texts; ``sms_consent_at`` / ``sms_consent_by``: when and by whom
  the child's agreement to be texted was recorded;
* ``parental_contact_last_12m``, ``communication_needs``: what the procedures name when a visitor should be
  considered;
* ``updated_at``: last change.

Allowed values of ``legal_status`` and ``placement_type`` are in ``bot.db.models`` and checked by the register
service (a CHECK on an added column would need a table copy on SQLite).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("external_id", sa.String(length=64)),
    ("date_of_birth", sa.Date()),
    ("legal_status", sa.String(length=20)),
    ("placement_type", sa.String(length=30)),
    ("left_care_on", sa.Date()),
    ("phone_encrypted", sa.Text()),
    ("sms_consent_at", sa.DateTime(timezone=True)),
    ("sms_consent_by", sa.String(length=100)),
    ("parental_contact_last_12m", sa.Boolean()),
    ("communication_needs", sa.Text()),
    ("updated_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    for name, kind in COLUMNS:
        op.add_column("children", sa.Column(name, kind, nullable=True))
    op.create_index(
        "uq_children_council_external_id", "children", ["local_authority_id", "external_id"], unique=True
    )


def downgrade() -> None:
    op.drop_index("uq_children_council_external_id", table_name="children")
    for name, _kind in reversed(COLUMNS):
        op.drop_column("children", name)
