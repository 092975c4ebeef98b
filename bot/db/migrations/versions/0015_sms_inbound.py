"""SMS inbound (issue 19): each text handled once, a per-number rate limit, pictures recorded, the channel on
every record, a number kept (encrypted) where a person must call back.

New tables (see ``bot.db.sms_models``):

* ``sms_inbound_messages``: Twilio's ``MessageSid`` as primary key (a replay is refused by the key), the
  number's keyed hash and when it came (the rate limit counts these); kept 48 hours;
* ``sms_media_arrivals``: a picture arrived (count, content types, when); the picture is never fetched.

New nullable columns (plain ADD COLUMN, no table copy; allowed values checked in code):

* ``channel`` (web | sms) on ``advocacy_referrals``, ``wishes_statements``, ``visitor_requests`` (alerts have
  one already);
* ``phone_encrypted`` on ``safeguarding_alerts``: the number of an alert raised by SMS (Fernet,
  ``bot.services.phone_vault``), shown only to the duty lead, audited;
* ``contact_phone_encrypted`` on ``advocacy_referrals``: an SMS self-referral that chose "text me, this number
  is fine"; shown only to the advocacy service, audited.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | Sequence[str] | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = (
    ("advocacy_referrals", "channel", sa.String(length=10)),
    ("wishes_statements", "channel", sa.String(length=10)),
    ("visitor_requests", "channel", sa.String(length=10)),
    ("safeguarding_alerts", "phone_encrypted", sa.Text()),
    ("advocacy_referrals", "contact_phone_encrypted", sa.Text()),
)


def upgrade() -> None:
    op.create_table(
        "sms_inbound_messages",
        sa.Column("message_sid", sa.String(length=64), primary_key=True),
        sa.Column("phone_hash", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sms_inbound_phone_received", "sms_inbound_messages", ["phone_hash", "received_at"])
    op.create_index("ix_sms_inbound_messages_received_at", "sms_inbound_messages", ["received_at"])
    op.create_table(
        "sms_media_arrivals",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("child_id", sa.String(length=16), sa.ForeignKey("children.id", ondelete="CASCADE"),
                  nullable=True),
        sa.Column("num_media", sa.Integer(), nullable=False),
        sa.Column("content_types", sa.Text(), nullable=True),
        sa.Column("with_words", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_sms_media_arrivals_conversation_ref", "sms_media_arrivals", ["conversation_ref"])
    op.create_index("ix_sms_media_arrivals_child_id", "sms_media_arrivals", ["child_id"])
    for table, name, kind in COLUMNS:
        op.add_column(table, sa.Column(name, kind, nullable=True))


def downgrade() -> None:
    for table, name, _kind in reversed(COLUMNS):
        op.drop_column(table, name)
    op.drop_index("ix_sms_media_arrivals_child_id", table_name="sms_media_arrivals")
    op.drop_index("ix_sms_media_arrivals_conversation_ref", table_name="sms_media_arrivals")
    op.drop_table("sms_media_arrivals")
    op.drop_index("ix_sms_inbound_messages_received_at", table_name="sms_inbound_messages")
    op.drop_index("ix_sms_inbound_phone_received", table_name="sms_inbound_messages")
    op.drop_table("sms_inbound_messages")
