"""Records of the review app: council settings and staff API tokens (migration 0002).

These classes use the shared ``Base``/``metadata`` of ``bot.db.base``; ``bot.db.models`` imports this module,
so importing either registers the two tables and the metadata always matches the migrations. (Foreign keys
name the ``local_authorities`` and ``staff_users`` tables, so this module needs nothing from ``bot.db.models``.)
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text, text

from bot.db.base import Base, UTCDateTime, utcnow

NOTIFIERS = ("default", "log", "webhook", "email", "webhook+email")


class AuthoritySettings(Base):
    """One row per local authority; a missing row means the defaults below (and environment settings)."""

    __tablename__ = "authority_settings"

    local_authority_id = Column(
        Integer, ForeignKey("local_authorities.id", ondelete="CASCADE"), primary_key=True
    )
    retention_days = Column(Integer, nullable=True)  # null = HEARD_RETENTION_DAYS
    notifier = Column(String(20), nullable=False, default="default")  # one of NOTIFIERS
    first_review_working_days = Column(Integer, nullable=False, default=20)
    second_review_months = Column(Integer, nullable=False, default=3)
    later_review_months = Column(Integer, nullable=False, default=6)
    alert_escalation_minutes = Column(Integer, nullable=False, default=15)
    # Migration 0013 (bot.services.team_routing, bot.services.council_hours): each team's contact, an e-mail
    # address or an https webhook URL (None: the server's default target); when a person reads what children
    # send ("HH:MM-HH:MM" on working days; None: HEARD_COUNCIL_HOURS); the complaints procedure's days to
    # acknowledge; working days a visitor request may wait for action before it escalates.
    advocacy_contact = Column(Text, nullable=True)
    iv_contact = Column(Text, nullable=True)
    complaints_contact = Column(Text, nullable=True)
    duty_contact = Column(Text, nullable=True)
    reading_hours = Column(String(20), nullable=True)
    complaint_ack_working_days = Column(Integer, nullable=False, default=10, server_default="10")
    visitor_action_working_days = Column(Integer, nullable=False, default=5, server_default="5")
    # Heard speaks first (migration 0018, bot.services.outreach): working days before a review to invite the child.
    review_outreach_working_days = Column(Integer, nullable=False, default=10, server_default="10")
    updated_by = Column(String(100), nullable=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class StaffApiToken(Base):
    """A bearer token for the JSON API, stored as an HMAC only; the token is shown once when created. Only
    its owner makes it (``created_by`` is the owner); it has scopes and an expiry."""

    __tablename__ = "staff_api_tokens"

    id = Column(Integer, primary_key=True)
    staff_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    label = Column(Text, nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    prefix = Column(String(12), nullable=False)  # first characters, to tell tokens apart
    created_by = Column(String(100), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    last_used_at = Column(UTCDateTime, nullable=True)
    revoked_at = Column(UTCDateTime, nullable=True)
    # Migration 0007 (bot.services.api_tokens): what the token may read (space-separated scopes, e.g.
    # "read:caseload read:statements"; none = only who it belongs to) and when it stops working. A row
    # written without an expiry is already expired (1970).
    scopes = Column(String(200), nullable=False, default="", server_default="")
    expires_at = Column(UTCDateTime, nullable=False, server_default=text("'1970-01-01 00:00:00'"))
