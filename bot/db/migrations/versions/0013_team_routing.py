"""Requests reach a named team (issue 15 items 2, 6, 7): complaints, call-backs, restricted alerts, team contacts.

* New tables ``complaints``, ``alert_callbacks``, ``alert_viewers`` (``bot.db.routing_models``).
* ``staff_users.role`` may be ``iv_coordinator`` or ``complaints`` (the CHECK changes); ``staff_users.notify_email``.
* ``safeguarding_alerts.about_social_worker``; ``advocacy_referrals.escalated_at``, ``visitor_requests.escalated_at``.
* ``authority_settings``: a contact per team, the hours when a person reads, the complaints procedure's days.
* ``notification_outbox``: a row may be about any record (``record_type``, ``record_id``) for a ``team`` at a
  ``destination``; the CHECK "exactly one subject" counts the new subject too.

Changing a CHECK on SQLite: ``staff_users`` is referenced by foreign keys from many tables (children, sign-in
codes, tokens, sessions, matches...). Copying it (new table, copy, drop, rename) would, with foreign keys on
(they cannot be turned off inside the migration's transaction), run the ON DELETE actions of every referencing
table when the old table is dropped, or refuse the drop. So the table is not copied: SQLite's documented way
for a change that leaves the stored rows as they are (https://www.sqlite.org/lang_altertable.html, "making
other kinds of table schema changes") is used instead: in the same transaction, the table's CREATE TABLE text
in ``sqlite_schema`` is changed (writable_schema), the schema version is moved on, and ``PRAGMA
integrity_check`` must then say "ok". Only the CHECK's text changes; every row of every table stays. Before the
downgrade tightens a CHECK, the rows it would refuse are changed first (staff of the new roles are deactivated
and given the role ``advocacy``, inactive; notifications about other records are deleted), so the stored rows
always satisfy the CHECK that is written. PostgreSQL changes the constraints in place.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_ROLES = ("social_worker", "iro", "advocacy", "duty", "admin")
NEW_ROLES = OLD_ROLES + ("iv_coordinator", "complaints")
OLD_SUBJECT = "(alert_id IS NULL) <> (security_alert_id IS NULL)"
NEW_SUBJECT = (
    "(CASE WHEN alert_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN security_alert_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN record_id IS NULL THEN 0 ELSE 1 END) = 1"
)
SETTINGS_TEXT = ("advocacy_contact", "iv_contact", "complaints_contact", "duty_contact")
OUTBOX_COLUMNS = (
    ("record_type", sa.String(length=30)), ("record_id", sa.Integer()), ("team", sa.String(length=20)),
    ("destination", sa.Text()),
)


def _roles(values: tuple[str, ...]) -> str:
    return "role IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _sqlite_change_check(table: str, old: str, new: str) -> None:
    """SQLite: the CHECK text ``old`` of ``table`` becomes ``new`` in place (the stored rows already satisfy it)."""
    conn = op.get_bind()
    create = conn.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)).scalar_one()
    if create.count(old) != 1:
        raise RuntimeError(f"{table}: expected the constraint {old!r} once in {create!r}")
    version = conn.exec_driver_sql("PRAGMA schema_version").scalar_one()
    conn.exec_driver_sql("PRAGMA writable_schema = ON")
    try:
        conn.exec_driver_sql(
            "UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?", (create.replace(old, new), table))
        conn.exec_driver_sql(f"PRAGMA schema_version = {int(version) + 1}")
    finally:
        conn.exec_driver_sql("PRAGMA writable_schema = OFF")
    result = conn.exec_driver_sql("PRAGMA integrity_check").scalars().all()
    if result != ["ok"]:
        raise RuntimeError(f"{table}: integrity check after the CHECK change: {result[:5]}")


def _check(table: str, name: str, old: str, new: str) -> None:
    if _sqlite():
        _sqlite_change_check(table, f"CONSTRAINT ck_{table}_{name} CHECK ({old})",
                             f"CONSTRAINT ck_{table}_{name} CHECK ({new})")
    else:
        op.drop_constraint(op.f(f"ck_{table}_{name}"), table, type_="check")
        op.create_check_constraint(op.f(f"ck_{table}_{name}"), table, new)


def _new_tables() -> None:
    op.create_table(
        "complaints",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("routed_council_id", sa.Integer(), nullable=True),
        sa.Column("anon_name", sa.Text(), nullable=True),
        sa.Column("anon_local_authority", sa.Text(), nullable=True),
        sa.Column("anon_contact", sa.Text(), nullable=True),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("about", sa.Text(), nullable=False),
        sa.Column("wants", sa.Text(), nullable=True),
        sa.Column("about_children_home", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("about_social_worker", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("wants_advocate", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("acknowledge_due", sa.Date(), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("status IN ('new', 'acknowledged', 'resolved', 'withdrawn')",
                           name=op.f("ck_complaints_status")),
        sa.ForeignKeyConstraint(["child_id"], ["children.id"], ondelete="CASCADE",
                                name=op.f("fk_complaints_child_id_children")),
        sa.ForeignKeyConstraint(["routed_council_id"], ["local_authorities.id"],
                                name=op.f("fk_complaints_routed_council_id_local_authorities")),
        sa.ForeignKeyConstraint(["referral_id"], ["advocacy_referrals.id"], ondelete="SET NULL",
                                name=op.f("fk_complaints_referral_id_advocacy_referrals")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_complaints_idempotency_key")),
    )
    for column in ("child_id", "conversation_ref", "routed_council_id"):
        op.create_index(f"ix_complaints_{column}", "complaints", [column])
    op.create_table(
        "alert_callbacks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("wants_today", sa.Boolean(), nullable=False),
        sa.Column("turns", sa.Text(), nullable=False),
        sa.Column("reach_how", sa.Text(), nullable=True),
        sa.Column("reach_when", sa.Text(), nullable=True),
        sa.Column("anon_name", sa.Text(), nullable=True),
        sa.Column("anon_contact", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["safeguarding_alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_callbacks_alert_id_safeguarding_alerts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_callbacks")),
        sa.UniqueConstraint("alert_id", name=op.f("uq_alert_callbacks_alert_id")),
    )
    op.create_table(
        "alert_viewers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column("added_by", sa.String(length=100), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["alert_id"], ["safeguarding_alerts.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_viewers_alert_id_safeguarding_alerts")),
        sa.ForeignKeyConstraint(["staff_id"], ["staff_users.id"], ondelete="CASCADE",
                                name=op.f("fk_alert_viewers_staff_id_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alert_viewers")),
        sa.UniqueConstraint("alert_id", "staff_id", name="uq_alert_viewers_alert_staff"),
    )
    op.create_index("ix_alert_viewers_alert_id", "alert_viewers", ["alert_id"])


def upgrade() -> None:
    _new_tables()
    op.add_column("staff_users", sa.Column("notify_email", sa.String(length=254), nullable=True))
    op.add_column("safeguarding_alerts",
                  sa.Column("about_social_worker", sa.Boolean(), server_default=sa.false(), nullable=False))
    for table in ("advocacy_referrals", "visitor_requests"):
        op.add_column(table, sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    for name in SETTINGS_TEXT:
        op.add_column("authority_settings", sa.Column(name, sa.Text(), nullable=True))
    op.add_column("authority_settings", sa.Column("reading_hours", sa.String(length=20), nullable=True))
    op.add_column("authority_settings",
                  sa.Column("complaint_ack_working_days", sa.Integer(), server_default="10", nullable=False))
    op.add_column("authority_settings",
                  sa.Column("visitor_action_working_days", sa.Integer(), server_default="5", nullable=False))
    for name, kind in OUTBOX_COLUMNS:
        op.add_column("notification_outbox", sa.Column(name, kind, nullable=True))
    _check("notification_outbox", "one_subject", OLD_SUBJECT, NEW_SUBJECT)
    _check("staff_users", "role", _roles(OLD_ROLES), _roles(NEW_ROLES))


def downgrade() -> None:
    op.execute("UPDATE staff_users SET active = false, role = 'advocacy' "
                "WHERE role IN ('iv_coordinator', 'complaints')")
    _check("staff_users", "role", _roles(NEW_ROLES), _roles(OLD_ROLES))
    op.execute("DELETE FROM notification_outbox WHERE record_id IS NOT NULL")
    _check("notification_outbox", "one_subject", NEW_SUBJECT, OLD_SUBJECT)
    for name, _kind in reversed(OUTBOX_COLUMNS):
        op.drop_column("notification_outbox", name)
    for name in ("visitor_action_working_days", "complaint_ack_working_days", "reading_hours", *SETTINGS_TEXT):
        op.drop_column("authority_settings", name)
    for table in ("visitor_requests", "advocacy_referrals"):
        op.drop_column(table, "escalated_at")
    op.drop_column("safeguarding_alerts", "about_social_worker")
    op.drop_column("staff_users", "notify_email")
    op.drop_index("ix_alert_viewers_alert_id", table_name="alert_viewers")
    op.drop_table("alert_viewers")
    op.drop_table("alert_callbacks")
    for column in ("routed_council_id", "conversation_ref", "child_id"):
        op.drop_index(f"ix_complaints_{column}", table_name="complaints")
    op.drop_table("complaints")
