"""Independent visitors from first thought to last visit, and Heard speaks first (issue 16).

* three new tables for the lifecycle (``bot.db.visitor_models``): considerations, checks, contacts;
* plain ADD COLUMNs on ``visitor_matches`` (meet first, what the visitor may be told, reviewed, how it ended):
  the table is not rebuilt, so the triggers that keep an objection final stay exactly as they are;
* ``visitor_requests.known_person`` and ``may_be_told``: someone the child already knows and would like, and
  what their visitor may be told about them (the child's words, verbatim);
* ``information_given`` (``bot.db.outreach_models``): the record that a child was told about advocacy;
* ``authority_settings.review_outreach_working_days``: how many working days before a review Heard invites the
  child to share their wishes (default 10).

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | Sequence[str] | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECK_KINDS = ("dbs", "references", "childrens_services", "probation")
CONTACT_KINDS = ("visit", "phone", "message", "other")
MATCH_COLUMNS = (
    ("meet_first_at", sa.DateTime(timezone=True)),
    ("may_be_told", sa.Text()),
    ("reviewed_at", sa.DateTime(timezone=True)),
    ("ended_at", sa.DateTime(timezone=True)),
    ("ended_by", sa.String(length=20)),
    ("end_reason", sa.Text()),
)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


def upgrade() -> None:
    op.create_table(
        "visitor_considerations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("child_id", sa.String(length=16),
                  sa.ForeignKey("children.id", ondelete="CASCADE",
                                name=op.f("fk_visitor_considerations_child_id_children")), nullable=False),
        sa.Column("request_id", sa.Integer(),
                  sa.ForeignKey("visitor_requests.id", ondelete="SET NULL",
                                name=op.f("fk_visitor_considerations_request_id_visitor_requests")),
                  nullable=True),
        sa.Column("should_have", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=False),
        sa.Column("decided_role", sa.String(length=20), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("decided_role", ("social_worker", "iro")),
                           name=op.f("ck_visitor_considerations_decided_role")),
    )
    op.create_index("ix_visitor_considerations_child_id", "visitor_considerations", ["child_id"])
    op.create_table(
        "visitor_checks",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("match_id", sa.Integer(),
                  sa.ForeignKey("visitor_matches.id", ondelete="CASCADE",
                                name=op.f("fk_visitor_checks_match_id_visitor_matches")), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("reference", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", CHECK_KINDS), name=op.f("ck_visitor_checks_kind")),
        sa.UniqueConstraint("match_id", "kind", name="uq_visitor_checks_match_kind"),
    )
    op.create_index("ix_visitor_checks_match_id", "visitor_checks", ["match_id"])
    op.create_table(
        "visitor_contacts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("match_id", sa.Integer(),
                  sa.ForeignKey("visitor_matches.id", ondelete="CASCADE",
                                name=op.f("fk_visitor_contacts_match_id_visitor_matches")), nullable=False),
        sa.Column("contact_on", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("logged_by", sa.String(length=100), nullable=False),
        sa.Column("logged_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("kind", CONTACT_KINDS), name=op.f("ck_visitor_contacts_kind")),
    )
    op.create_index("ix_visitor_contacts_match_id", "visitor_contacts", ["match_id"])
    for name, kind in MATCH_COLUMNS:
        op.add_column("visitor_matches", sa.Column(name, kind, nullable=True))
    op.add_column("visitor_requests", sa.Column("known_person", sa.Text(), nullable=True))
    op.add_column("visitor_requests", sa.Column("may_be_told", sa.Text(), nullable=True))
    op.create_table(
        "information_given",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("child_id", sa.String(length=16),
                  sa.ForeignKey("children.id", ondelete="CASCADE",
                                name=op.f("fk_information_given_child_id_children")), nullable=False),
        sa.Column("topic", sa.String(length=20), nullable=False),
        sa.Column("occasion", sa.String(length=20), nullable=False),
        sa.Column("occasion_date", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("given_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(_in("topic", ("advocacy",)), name=op.f("ck_information_given_topic")),
        sa.CheckConstraint(_in("occasion", ("entered_care", "cp_plan", "review")),
                           name=op.f("ck_information_given_occasion")),
        sa.UniqueConstraint("child_id", "topic", "occasion", "occasion_date", name="uq_information_given_once"),
    )
    op.create_index("ix_information_given_child_id", "information_given", ["child_id"])
    op.add_column("authority_settings", sa.Column("review_outreach_working_days", sa.Integer(), nullable=False,
                                                  server_default="10"))


def downgrade() -> None:
    op.drop_column("authority_settings", "review_outreach_working_days")
    op.drop_table("information_given")
    op.drop_column("visitor_requests", "may_be_told")
    op.drop_column("visitor_requests", "known_person")
    for name, _kind in reversed(MATCH_COLUMNS):
        op.drop_column("visitor_matches", name)
    for table in ("visitor_contacts", "visitor_checks", "visitor_considerations"):
        op.drop_table(table)
