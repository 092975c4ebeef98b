"""Initial schema: case records, audit log, outbox; append-only audit and objection-final triggers.

Revision ID: 0001
Revises:
Create Date: 2026-11-23

Two rules are kept by the database itself, on SQLite and PostgreSQL alike (a CHECK constraint cannot see
the previous value of a row, so these are triggers):

* ``audit_events`` is append-only: UPDATE and DELETE (and on PostgreSQL TRUNCATE) are refused.
* ``visitor_matches``: a child's objection closes the match for good. Once ``status = 'objected'`` the
  status can never change again, so an objected match can never become ``appointed``; a match can only be
  appointed after the child accepted it; a new match must start as ``proposed``.

Both raise an integrity error (SQLite ``RAISE(ABORT)``; PostgreSQL SQLSTATE 23514) which SQLAlchemy
surfaces as ``sqlalchemy.exc.IntegrityError``.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

AUDIT_MESSAGE = "audit_events is append-only"
OBJECTED_MESSAGE = "visitor match was objected to by the child: it is closed and can never be appointed"
ACCEPT_FIRST_MESSAGE = "visitor match can only be appointed after the child accepted it"
INSERT_MESSAGE = "a new visitor match must start as proposed"

SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER trg_audit_events_no_update BEFORE UPDATE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
    f"""CREATE TRIGGER trg_audit_events_no_delete BEFORE DELETE ON audit_events
    BEGIN SELECT RAISE(ABORT, '{AUDIT_MESSAGE}'); END""",
    f"""CREATE TRIGGER trg_visitor_matches_objection_final BEFORE UPDATE OF status ON visitor_matches
    WHEN OLD.status = 'objected' AND NEW.status <> 'objected'
    BEGIN SELECT RAISE(ABORT, '{OBJECTED_MESSAGE}'); END""",
    f"""CREATE TRIGGER trg_visitor_matches_appoint_after_accept BEFORE UPDATE OF status ON visitor_matches
    WHEN NEW.status = 'appointed' AND OLD.status NOT IN ('accepted', 'appointed', 'objected')
    BEGIN SELECT RAISE(ABORT, '{ACCEPT_FIRST_MESSAGE}'); END""",
    f"""CREATE TRIGGER trg_visitor_matches_insert_proposed BEFORE INSERT ON visitor_matches
    WHEN NEW.status <> 'proposed'
    BEGIN SELECT RAISE(ABORT, '{INSERT_MESSAGE}'); END""",
]
SQLITE_TRIGGER_NAMES = [
    "trg_audit_events_no_update",
    "trg_audit_events_no_delete",
    "trg_visitor_matches_objection_final",
    "trg_visitor_matches_appoint_after_accept",
    "trg_visitor_matches_insert_proposed",
]

POSTGRES_TRIGGERS = [
    f"""CREATE FUNCTION heard_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION '{AUDIT_MESSAGE}' USING ERRCODE = '23514';
    END $$""",
    """CREATE TRIGGER trg_audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION heard_audit_append_only()""",
    """CREATE TRIGGER trg_audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION heard_audit_append_only()""",
    f"""CREATE FUNCTION heard_visitor_match_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            IF NEW.status <> 'proposed' THEN
                RAISE EXCEPTION '{INSERT_MESSAGE}' USING ERRCODE = '23514';
            END IF;
        ELSIF OLD.status = 'objected' AND NEW.status <> 'objected' THEN
            RAISE EXCEPTION '{OBJECTED_MESSAGE}' USING ERRCODE = '23514';
        ELSIF NEW.status = 'appointed' AND OLD.status NOT IN ('accepted', 'appointed') THEN
            RAISE EXCEPTION '{ACCEPT_FIRST_MESSAGE}' USING ERRCODE = '23514';
        END IF;
        RETURN NEW;
    END $$""",
    """CREATE TRIGGER trg_visitor_matches_guard BEFORE INSERT OR UPDATE ON visitor_matches
    FOR EACH ROW EXECUTE FUNCTION heard_visitor_match_guard()""",
]


def _create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    statements = POSTGRES_TRIGGERS if dialect == "postgresql" else SQLITE_TRIGGERS
    for statement in statements:
        op.execute(statement)


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS trg_visitor_matches_guard ON visitor_matches")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_no_truncate ON audit_events")
        op.execute("DROP TRIGGER IF EXISTS trg_audit_events_append_only ON audit_events")
        op.execute("DROP FUNCTION IF EXISTS heard_visitor_match_guard()")
        op.execute("DROP FUNCTION IF EXISTS heard_audit_append_only()")
    else:
        for name in SQLITE_TRIGGER_NAMES:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("entity_type", sa.String(length=50), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    op.create_index("ix_audit_events_entity", "audit_events", ["entity_type", "entity_id"])

    op.create_table(
        "local_authorities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_local_authorities")),
        sa.UniqueConstraint("name", name=op.f("uq_local_authorities_name")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rate_key", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    op.create_index("ix_sign_in_attempts_key_at", "sign_in_attempts", ["rate_key", "at"])

    op.create_table(
        "staff_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "role IN ('social_worker', 'iro', 'advocacy', 'duty', 'admin')", name=op.f("ck_staff_users_role")
        ),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["local_authorities.id"],
            name=op.f("fk_staff_users_local_authority_id_local_authorities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_users")),
        sa.UniqueConstraint("username", name=op.f("uq_staff_users_username")),
    )
    op.create_table(
        "children",
        sa.Column("id", sa.String(length=16), nullable=False),
        sa.Column("chosen_name", sa.String(length=100), nullable=False),
        sa.Column("age_band", sa.String(length=5), nullable=False),
        sa.Column("local_authority_id", sa.Integer(), nullable=False),
        sa.Column("social_worker_id", sa.Integer(), nullable=True),
        sa.Column("iro_id", sa.Integer(), nullable=True),
        sa.Column("next_review_date", sa.Date(), nullable=True),
        sa.Column("audio_on", sa.Boolean(), nullable=False),
        sa.Column("reading_level", sa.String(length=10), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("sms_opted_out", sa.Boolean(), nullable=False),
        sa.Column("phone_hash", sa.String(length=64), nullable=True),
        sa.Column("phone_last3", sa.String(length=3), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "age_band IN ('8-10', '11-13', '14-15', '16-17')", name=op.f("ck_children_age_band")
        ),
        sa.CheckConstraint("channel IN ('web', 'sms')", name=op.f("ck_children_channel")),
        sa.CheckConstraint("reading_level IN ('younger', 'older')", name=op.f("ck_children_reading_level")),
        sa.ForeignKeyConstraint(["iro_id"], ["staff_users.id"], name=op.f("fk_children_iro_id_staff_users")),
        sa.ForeignKeyConstraint(
            ["local_authority_id"],
            ["local_authorities.id"],
            name=op.f("fk_children_local_authority_id_local_authorities"),
        ),
        sa.ForeignKeyConstraint(
            ["social_worker_id"], ["staff_users.id"], name=op.f("fk_children_social_worker_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_children")),
        sa.UniqueConstraint("phone_hash", name=op.f("uq_children_phone_hash")),
    )
    op.create_table(
        "advocacy_referrals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("anon_name", sa.String(length=200), nullable=True),
        sa.Column("anon_local_authority", sa.String(length=200), nullable=True),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=20), nullable=False),
        sa.Column("words", sa.Text(), nullable=False),
        sa.Column("contact_how", sa.Text(), nullable=True),
        sa.Column("contact_when", sa.Text(), nullable=True),
        sa.Column("tell_social_worker", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("response_due", sa.Date(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "reason IN ('review', 'cp_conference', 'complaint', 'listened_to', 'other')",
            name=op.f("ck_advocacy_referrals_reason"),
        ),
        sa.CheckConstraint(
            "status IN ('new', 'acknowledged', 'allocated', 'closed')",
            name=op.f("ck_advocacy_referrals_status"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_advocacy_referrals_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_advocacy_referrals")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_advocacy_referrals_idempotency_key")),
    )
    op.create_index("ix_advocacy_referrals_child_id", "advocacy_referrals", ["child_id"])
    op.create_index("ix_advocacy_referrals_conversation_ref", "advocacy_referrals", ["conversation_ref"])

    op.create_table(
        "conversation_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("channel IN ('web', 'sms')", name=op.f("ck_conversation_links_channel")),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_conversation_links_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversation_links")),
        sa.UniqueConstraint("conversation_ref", name=op.f("uq_conversation_links_conversation_ref")),
    )
    op.create_index("ix_conversation_links_child_id", "conversation_links", ["child_id"])

    op.create_table(
        "safeguarding_alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("channel", sa.Text(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("category", sa.Text(), nullable=False),
        sa.Column("cue", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=100), nullable=True),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ack_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_safeguarding_alerts_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_safeguarding_alerts")),
    )
    op.create_index("ix_safeguarding_alerts_child_id", "safeguarding_alerts", ["child_id"])
    op.create_index("ix_safeguarding_alerts_conversation_ref", "safeguarding_alerts", ["conversation_ref"])

    op.create_table(
        "sign_in_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["child_id"], ["children.id"], name=op.f("fk_sign_in_codes_child_id_children"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["issued_by_id"], ["staff_users.id"], name=op.f("fk_sign_in_codes_issued_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_codes")),
    )
    op.create_index("ix_sign_in_codes_child_id", "sign_in_codes", ["child_id"])
    op.create_index("ix_sign_in_codes_code_hash", "sign_in_codes", ["code_hash"])

    op.create_table(
        "visitor_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=False),
        sa.Column("proposed_by_id", sa.Integer(), nullable=True),
        sa.Column("visitor_name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("preferences", sa.Text(), nullable=True),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answer_idempotency_key", sa.String(length=128), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('independent_visitor', 'mentor')", name=op.f("ck_visitor_matches_kind")),
        sa.CheckConstraint(
            "status IN ('proposed', 'accepted', 'objected', 'appointed', 'withdrawn')",
            name=op.f("ck_visitor_matches_status"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_visitor_matches_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["proposed_by_id"], ["staff_users.id"], name=op.f("fk_visitor_matches_proposed_by_id_staff_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor_matches")),
        sa.UniqueConstraint("answer_idempotency_key", name=op.f("uq_visitor_matches_answer_idempotency_key")),
    )
    op.create_index("ix_visitor_matches_child_id", "visitor_matches", ["child_id"])

    op.create_table(
        "visitor_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("wishes", sa.Text(), nullable=True),
        sa.Column("anon_name", sa.String(length=200), nullable=True),
        sa.Column("anon_local_authority", sa.String(length=200), nullable=True),
        sa.Column("contact", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('independent_visitor', 'mentor')", name=op.f("ck_visitor_requests_kind")
        ),
        sa.CheckConstraint(
            "status IN ('new', 'in_progress', 'matched', 'closed')", name=op.f("ck_visitor_requests_status")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_visitor_requests_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visitor_requests")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_visitor_requests_idempotency_key")),
    )
    op.create_index("ix_visitor_requests_child_id", "visitor_requests", ["child_id"])
    op.create_index("ix_visitor_requests_conversation_ref", "visitor_requests", ["conversation_ref"])

    op.create_table(
        "wishes_statements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("child_id", sa.String(length=16), nullable=True),
        sa.Column("conversation_ref", sa.String(length=64), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("review_label", sa.Text(), nullable=True),
        sa.Column("drafted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"],
            ["children.id"],
            name=op.f("fk_wishes_statements_child_id_children"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishes_statements")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_wishes_statements_idempotency_key")),
    )
    op.create_index("ix_wishes_statements_child_id", "wishes_statements", ["child_id"])
    op.create_index("ix_wishes_statements_conversation_ref", "wishes_statements", ["conversation_ref"])

    op.create_table(
        "notification_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("alert_id", sa.Integer(), nullable=False),
        sa.Column("target", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "target IN ('webhook', 'email', 'log')", name=op.f("ck_notification_outbox_target")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"],
            ["safeguarding_alerts.id"],
            name=op.f("fk_notification_outbox_alert_id_safeguarding_alerts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_outbox")),
    )
    op.create_index("ix_notification_outbox_due", "notification_outbox", ["delivered_at", "next_attempt_at"])

    op.create_table(
        "referral_status_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=True),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["referral_id"],
            ["advocacy_referrals.id"],
            name=op.f("fk_referral_status_changes_referral_id_advocacy_referrals"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_referral_status_changes")),
    )
    op.create_index("ix_referral_status_changes_referral_id", "referral_status_changes", ["referral_id"])

    op.create_table(
        "wishes_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("question_key", sa.String(length=64), nullable=False),
        sa.Column("question_text", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["wishes_statements.id"],
            name=op.f("fk_wishes_answers_statement_id_wishes_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishes_answers")),
        sa.UniqueConstraint("statement_id", "position", name="uq_wishes_answers_statement_position"),
    )
    op.create_table(
        "wishes_shares",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("statement_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "audience IN ('social_worker', 'iro', 'carer', 'parent', 'advocate')",
            name=op.f("ck_wishes_shares_audience"),
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"],
            ["wishes_statements.id"],
            name=op.f("fk_wishes_shares_statement_id_wishes_statements"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wishes_shares")),
        sa.UniqueConstraint("statement_id", "audience", name="uq_wishes_shares_statement_audience"),
    )

    _create_triggers()


def downgrade() -> None:
    _drop_triggers()
    op.drop_table("wishes_shares")
    op.drop_table("wishes_answers")
    op.drop_table("referral_status_changes")
    op.drop_table("notification_outbox")
    op.drop_table("wishes_statements")
    op.drop_table("visitor_requests")
    op.drop_table("visitor_matches")
    op.drop_table("sign_in_codes")
    op.drop_table("safeguarding_alerts")
    op.drop_table("conversation_links")
    op.drop_table("advocacy_referrals")
    op.drop_table("children")
    op.drop_table("staff_users")
    op.drop_table("sign_in_attempts")
    op.drop_table("local_authorities")
    op.drop_table("audit_events")
