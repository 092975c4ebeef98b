"""Heard's case records (SQLAlchemy 1.4 declarative, written 2.0-style).

Children's data is special-category personal data. Rules kept by these records:

* A child's words are stored verbatim (``Text``, any script, emoji) and never truncated; services refuse
  text longer than ``settings.max_text`` with ``TextTooLong``.
* Phone numbers are never stored: only an HMAC (``phone_hash``) to match an incoming SMS and the last three
  digits for display (``•••• 123``).
* Conversation ids (Rasa sender ids; for SMS these are phone numbers) are never stored: only an HMAC
  (``conversation_ref``, see ``bot.services.audit.conversation_ref``).
* Sign-in codes are stored as HMACs only.
* ``audit_events`` is append-only: database triggers refuse UPDATE and DELETE (see the migration).
* An objected visitor match can never become appointed: database triggers refuse it (see the migration).

All times are timezone-aware UTC (``UTCDateTime``). The declarative base is ``bot.db.base``; the review
app's records (council settings, API tokens) are in ``bot.db.review_models`` and registered by importing this
module.
"""

from __future__ import annotations

import secrets
import string

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import relationship

from bot.db import review_models  # noqa: F401  (the review app's two tables, on the same metadata)
from bot.db import concern_models  # noqa: F401  (possible safeguarding concerns, migration 0009)
from bot.db import sms_models  # noqa: F401  (SMS: each text once, rate limit, pictures; migration 0015)
from bot.db import retention_models  # noqa: F401  (retention policies, legal holds, leases: 0017)
from bot.db import worker_models  # noqa: F401  (staff referrals, wishes differ from the plan: migration 0012)
from bot.db import visitor_models  # noqa: F401  (the visitor lifecycle, migration 0018)
from bot.db import outreach_models  # noqa: F401  (information given to a child, migration 0018)
from bot.db import outbound_models  # noqa: F401  (texts and widget messages to children, migration 0016)
from bot.db import routing_models  # noqa: F401  (complaints, call-backs, alert viewers: migration 0013)
from bot.db.base import Base, UTCDateTime, metadata, one_of, utcnow
from bot.vocabulary import AUDIENCES

# Allowed values (also enforced by CHECK constraints).
# iv_coordinator: visitor and mentor requests; complaints: the council's complaints contact (migration 0013).
STAFF_ROLES = ("social_worker", "iro", "advocacy", "duty", "admin", "iv_coordinator", "complaints")
AGE_BANDS = ("8-10", "11-13", "14-15", "16-17")
READING_LEVELS = ("younger", "older")
CHANNELS = ("web", "sms")
REFERRAL_REASONS = ("review", "cp_conference", "complaint", "listened_to", "other")
REFERRAL_STATUSES = ("new", "acknowledged", "allocated", "closed", "withdrawn")  # withdrawn: by the child (0010)
SHARE_AUDIENCES = AUDIENCES  # who may see a wishes statement (bot.vocabulary)
VISITOR_KINDS = ("independent_visitor", "mentor")
# What a child may ask for: either, or "not sure" (talked over with them; migration 0019). A match is always one.
VISITOR_REQUEST_KINDS = VISITOR_KINDS + ("not_sure",)
VISITOR_REQUEST_STATUSES = ("new", "in_progress", "matched", "closed", "withdrawn")  # withdrawn: by the child
MATCH_STATUSES = ("proposed", "accepted", "objected", "appointed", "withdrawn")
OUTBOX_TARGETS = ("webhook", "email", "log")
# record / record_late: about another record (referral, visitor request, statement, complaint: 0013).
OUTBOX_KINDS = ("alert", "escalation", "security", "record", "record_late")
# An outbox row is about exactly one thing: a safeguarding alert, a security alert or another record.
ONE_SUBJECT = (
    "(CASE WHEN alert_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN security_alert_id IS NULL THEN 0 ELSE 1 END)"
    " + (CASE WHEN record_id IS NULL THEN 0 ELSE 1 END) = 1"
)
# The child register (migration 0011; checked by the register service, not by CHECK constraints).
LEGAL_STATUSES = ("looked_after", "child_protection", "child_in_need", "care_leaver")
PLACEMENT_TYPES = (
    "foster", "kinship", "residential", "secure", "semi_independent", "at_home", "adoptive", "other",
)
AUDIT_ACTIONS = ("create", "read", "update", "export", "purge", "notify", "signin_failed", "refused_read", "refused")


def new_child_id() -> str:
    """A random pseudonymous child id: ``c_`` + 10 lowercase letters/digits (about 51 bits)."""
    alphabet = string.ascii_lowercase + string.digits
    return "c_" + "".join(secrets.choice(alphabet) for _ in range(10))


class LocalAuthority(Base):
    __tablename__ = "local_authorities"

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class StaffUser(Base):
    __tablename__ = "staff_users"
    __table_args__ = (one_of("role", STAFF_ROLES, "role"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(200), nullable=False)
    role = Column(String(20), nullable=False)
    local_authority_id = Column(Integer, ForeignKey("local_authorities.id"), nullable=False)
    password_hash = Column(String(255), nullable=True)  # argon2 hash; never a plain password
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # Sign-in and sessions (migration 0008, bot.services.staff and bot.services.second_factor):
    # a session cookie names the version it was made under; sign-out, a password change and deactivation
    # move it on, so every older cookie stops working.
    session_version = Column(Integer, nullable=False, default=1, server_default="1")
    must_change_password = Column(Boolean, nullable=False, default=False, server_default=false())
    totp_secret = Column(Text, nullable=True)  # Fernet token of the TOTP secret (purpose key); never plain
    totp_last_step = Column(Integer, nullable=True)  # last 30-second step used: a code works once
    recovery_codes = Column(Text, nullable=True)  # JSON list of keyed hashes of the unused recovery codes
    # Where this person is told that something waits for them (e.g. a new statement of a child; 0013).
    notify_email = Column(String(254), nullable=True)

    local_authority = relationship("LocalAuthority")


class Child(Base):
    __tablename__ = "children"
    __table_args__ = (
        one_of("age_band", AGE_BANDS, "age_band"),
        one_of("reading_level", READING_LEVELS, "reading_level"),
        one_of("channel", CHANNELS, "channel"),
        Index("uq_children_council_external_id", "local_authority_id", "external_id", unique=True),
    )

    id = Column(String(16), primary_key=True, default=new_child_id)  # pseudonymous, e.g. c_k3j9x0a2bq
    chosen_name = Column(String(100), nullable=False)
    age_band = Column(String(5), nullable=False)
    local_authority_id = Column(Integer, ForeignKey("local_authorities.id"), nullable=False)
    social_worker_id = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    iro_id = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    next_review_date = Column(Date, nullable=True)
    # For the statutory review timescales (council settings): when the child came into care, the date of
    # the last review held and how many have been held.
    entered_care_on = Column(Date, nullable=True)
    last_review_on = Column(Date, nullable=True)
    reviews_held = Column(Integer, nullable=False, default=0, server_default="0")
    audio_on = Column(Boolean, nullable=False, default=False)
    reading_level = Column(String(10), nullable=False, default="younger")
    channel = Column(String(10), nullable=False, default="web")
    sms_opted_out = Column(Boolean, nullable=False, default=False)
    phone_hash = Column(String(64), nullable=True, unique=True)  # HMAC-SHA256 of the E.164 number
    phone_last3 = Column(String(3), nullable=True)  # shown as •••• 123
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # The register (migration 0011): the council's own id, what the procedures and retention need.
    external_id = Column(String(64), nullable=True)  # unique within a council
    date_of_birth = Column(Date, nullable=True)
    legal_status = Column(String(20), nullable=True)  # one of LEGAL_STATUSES
    placement_type = Column(String(30), nullable=True)  # one of PLACEMENT_TYPES
    left_care_on = Column(Date, nullable=True)
    phone_encrypted = Column(Text, nullable=True)  # Fernet token of the E.164 number, for outbound texts only
    sms_consent_at = Column(UTCDateTime, nullable=True)  # when the child's agreement to texts was recorded
    sms_consent_by = Column(String(100), nullable=True)
    parental_contact_last_12m = Column(Boolean, nullable=True)
    communication_needs = Column(Text, nullable=True)
    updated_at = Column(UTCDateTime, nullable=True)

    local_authority = relationship("LocalAuthority")
    social_worker = relationship("StaffUser", foreign_keys=[social_worker_id])
    iro = relationship("StaffUser", foreign_keys=[iro_id])


class ConversationLink(Base):
    """A conversation (Rasa sender id, stored as an HMAC) linked to a child by web sign-in or SMS match."""

    __tablename__ = "conversation_links"
    __table_args__ = (one_of("channel", CHANNELS, "channel"),)

    id = Column(Integer, primary_key=True)
    conversation_ref = Column(String(64), nullable=False, unique=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=False, index=True)
    channel = Column(String(10), nullable=False)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    child = relationship("Child")


class SignInCode(Base):
    """A one-time web sign-in code (``bot.services.signin``): its HMAC, who made it, and what became of it."""

    __tablename__ = "sign_in_codes"

    id = Column(Integer, primary_key=True)
    code_hash = Column(String(64), nullable=False, index=True)  # HMAC of the code; the code is shown once
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=False, index=True)
    issued_by_id = Column(Integer, ForeignKey("staff_users.id"), nullable=True)  # null = system/CLI
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    expires_at = Column(UTCDateTime, nullable=False)
    used_at = Column(UTCDateTime, nullable=True)
    # The web conversation the code signed in (HMAC, as conversation_links), and the one from before sign-in
    # that is linked to the child only if the child says yes (decided once).
    conversation_ref = Column(String(64), nullable=True, index=True)
    earlier_ref = Column(String(64), nullable=True)
    earlier_decided_at = Column(UTCDateTime, nullable=True)
    # Cancelled before use, or its signed-in conversation's link to the child ended, by a member of staff.
    ended_at = Column(UTCDateTime, nullable=True)
    ended_by = Column(String(100), nullable=True)

    child = relationship("Child")
    issued_by = relationship("StaffUser")


class SignInFailure(Base):
    """A wrong web sign-in code: by client address (an HMAC, never the address) and time. The limits per
    address and across the whole deployment count these rows, so every server shares them."""

    __tablename__ = "sign_in_failures"
    __table_args__ = (Index("ix_sign_in_failures_address_at", "address_key", "at"),)

    id = Column(Integer, primary_key=True)
    address_key = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class SecurityAlert(Base):
    """One row a kind of security alert (e.g. ``signin_burst``): when its latest burst began and until when
    it counts as going on, so that admins are told once a burst, whichever server sees it."""

    __tablename__ = "security_alerts"

    id = Column(Integer, primary_key=True)
    kind = Column(String(30), nullable=False, unique=True)
    raised_at = Column(UTCDateTime, nullable=True)
    active_until = Column(UTCDateTime, nullable=True)
    times_raised = Column(Integer, nullable=False, default=0)


class SignInAttempt(Base):
    """A failed sign-in attempt, by rate key (an HMAC of the conversation/IP key), for rate limiting."""

    __tablename__ = "sign_in_attempts"
    __table_args__ = (Index("ix_sign_in_attempts_key_at", "rate_key", "at"),)

    id = Column(Integer, primary_key=True)
    rate_key = Column(String(64), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)


class SmsOptOut(Base):
    """A STOP from a phone number that belongs to no child (a child's own is ``Child.sms_opted_out``).

    Keyed by the number's HMAC (``children.any_phone_hash``), never the number. A row means "send nothing to
    this number"; START deletes it. Not purged by age: an opt-out is honoured until the number opts back in.
    """

    __tablename__ = "sms_opt_outs"

    phone_hash = Column(String(64), primary_key=True)
    opted_out_at = Column(UTCDateTime, nullable=False, default=utcnow)


class AdvocacyReferral(Base):
    __tablename__ = "advocacy_referrals"
    __table_args__ = (
        one_of("reason", REFERRAL_REASONS, "reason"),
        one_of("status", REFERRAL_STATUSES, "status"),
    )

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    anon_name = Column(String(200), nullable=True)  # when the child is not signed in
    anon_local_authority = Column(String(200), nullable=True)
    conversation_ref = Column(String(64), nullable=False, index=True)
    # From a child not signed in: the council it was sent to (bot.services.council_routing, migration 0007);
    # None for a known child's record (the child's council counts) and while unrouted.
    routed_council_id = Column(
        Integer, ForeignKey("local_authorities.id"), nullable=True, index=True
    )
    reason = Column(String(20), nullable=False)
    words = Column(Text, nullable=False)  # the child's words, verbatim
    contact_how = Column(Text, nullable=True)
    contact_when = Column(Text, nullable=True)
    # Migration 0015: where it came from (web | sms; None before 0015) and, for an SMS self-referral that chose
    # "text me, this number is fine", that number (Fernet, bot.services.phone_vault): the advocacy service only.
    # Since 0022 also any number typed in contact_how (bot.services.phone_vault.seal_contact): contact_how keeps
    # the way only.
    channel = Column(String(10), nullable=True)
    contact_phone_encrypted = Column(Text, nullable=True)
    tell_social_worker = Column(Boolean, nullable=False, default=False)
    status = Column(String(20), nullable=False, default="new")
    response_due = Column(Date, nullable=False)
    withdrawn_at = Column(UTCDateTime, nullable=True)  # the child took it back (status "withdrawn", 0010)
    escalated_at = Column(UTCDateTime, nullable=True)  # no action by its deadline: escalated once (0013)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)
    advocate_first_name = Column(String(60), nullable=True)  # set on allocation; told to the child (0014)

    child = relationship("Child")
    history = relationship(
        "ReferralStatusChange",
        back_populates="referral",
        order_by="ReferralStatusChange.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class ReferralStatusChange(Base):
    __tablename__ = "referral_status_changes"

    id = Column(Integer, primary_key=True)
    referral_id = Column(
        Integer, ForeignKey("advocacy_referrals.id", ondelete="CASCADE"), nullable=False, index=True
    )
    actor = Column(String(100), nullable=False)
    from_status = Column(String(20), nullable=True)  # null for the first ("new") entry
    to_status = Column(String(20), nullable=False)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    note = Column(Text, nullable=True)

    referral = relationship("AdvocacyReferral", back_populates="history")


class WishesStatement(Base):
    __tablename__ = "wishes_statements"

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    conversation_ref = Column(String(64), nullable=False, index=True)
    # From a child not signed in: the council it was sent to (bot.services.council_routing, migration 0007);
    # None for a known child's record (the child's council counts) and while unrouted.
    routed_council_id = Column(
        Integer, ForeignKey("local_authorities.id"), nullable=True, index=True
    )
    review_date = Column(Date, nullable=True)
    review_label = Column(Text, nullable=True)
    channel = Column(String(10), nullable=True)  # web | sms (migration 0015; None before)
    drafted_at = Column(UTCDateTime, nullable=False)
    sent_at = Column(UTCDateTime, nullable=False, default=utcnow)
    # The child took it back (migration 0010): its words stay for the record, marked withdrawn.
    withdrawn_at = Column(UTCDateTime, nullable=True)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    child = relationship("Child")
    answers = relationship(
        "WishesAnswer",
        back_populates="statement",
        order_by="WishesAnswer.position",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )
    shares = relationship(
        "WishesShare",
        back_populates="statement",
        order_by="WishesShare.audience",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )

    @property
    def share_with(self) -> list[str]:
        return sorted(s.audience for s in self.shares)


class WishesShare(Base):
    """Who the child chose to share a statement with: one row per audience."""

    __tablename__ = "wishes_shares"
    __table_args__ = (
        UniqueConstraint("statement_id", "audience", name="uq_wishes_shares_statement_audience"),
        one_of("audience", SHARE_AUDIENCES, "audience"),
    )

    id = Column(Integer, primary_key=True)
    statement_id = Column(Integer, ForeignKey("wishes_statements.id", ondelete="CASCADE"), nullable=False)
    audience = Column(String(20), nullable=False)

    statement = relationship("WishesStatement", back_populates="shares")


class WishesAnswer(Base):
    __tablename__ = "wishes_answers"
    __table_args__ = (
        UniqueConstraint("statement_id", "position", name="uq_wishes_answers_statement_position"),
    )

    id = Column(Integer, primary_key=True)
    statement_id = Column(Integer, ForeignKey("wishes_statements.id", ondelete="CASCADE"), nullable=False)
    position = Column(Integer, nullable=False)
    question_key = Column(String(64), nullable=False)
    question_text = Column(Text, nullable=False)
    answer = Column(Text, nullable=False)  # verbatim

    statement = relationship("WishesStatement", back_populates="answers")


class VisitorRequest(Base):
    __tablename__ = "visitor_requests"
    __table_args__ = (
        one_of("kind", VISITOR_REQUEST_KINDS, "kind"),
        one_of("status", VISITOR_REQUEST_STATUSES, "status"),
    )

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    conversation_ref = Column(String(64), nullable=False, index=True)
    # From a child not signed in: the council it was sent to (bot.services.council_routing, migration 0007);
    # None for a known child's record (the child's council counts) and while unrouted.
    routed_council_id = Column(
        Integer, ForeignKey("local_authorities.id"), nullable=True, index=True
    )
    kind = Column(String(20), nullable=False)  # independent_visitor | mentor | not_sure (0019)
    wishes = Column(Text, nullable=True)  # what kind of person, verbatim
    anon_name = Column(String(200), nullable=True)  # when the child is not signed in
    anon_local_authority = Column(String(200), nullable=True)
    contact = Column(Text, nullable=True)  # how to reach an anonymous child: the way, verbatim, never a number
    # Migration 0022: any phone number in the contact, and "Text me at this number" by SMS, sealed
    # (bot.services.phone_vault.seal_contact): opened on the request's own page for the IV co-ordinator, audited.
    contact_phone_encrypted = Column(Text, nullable=True)
    # Migration 0018 (issue 16): someone the child already knows and would like; what their visitor may be told
    # about them. Both verbatim.
    known_person = Column(Text, nullable=True)
    may_be_told = Column(Text, nullable=True)
    channel = Column(String(10), nullable=True)  # web | sms (migration 0015; None before)
    idempotency_key = Column(String(128), nullable=False, unique=True)
    status = Column(String(20), nullable=False, default="new")
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    withdrawn_at = Column(UTCDateTime, nullable=True)  # the child took it back (status "withdrawn", 0010)
    escalated_at = Column(UTCDateTime, nullable=True)  # no action by its deadline: escalated once (0013)

    child = relationship("Child")


class VisitorMatch(Base):
    """A proposed independent visitor or mentor. An objection closes it for good (database triggers)."""

    __tablename__ = "visitor_matches"
    __table_args__ = (
        one_of("kind", VISITOR_KINDS, "kind"),
        one_of("status", MATCH_STATUSES, "status"),
    )

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=False, index=True)
    proposed_by_id = Column(Integer, ForeignKey("staff_users.id"), nullable=True)
    visitor_name = Column(String(200), nullable=False)
    description = Column(Text, nullable=True)
    kind = Column(String(20), nullable=False)
    status = Column(String(20), nullable=False, default="proposed")
    reason = Column(Text, nullable=True)  # the child's reason, verbatim
    preferences = Column(Text, nullable=True)  # what the child would like instead, verbatim
    answered_at = Column(UTCDateTime, nullable=True)
    answer_idempotency_key = Column(String(128), nullable=True, unique=True)
    # An appointed visitor the child no longer wants (migration 0010): when they asked, and their words,
    # verbatim. Only recorded here; their social worker talks to them (ending a visitor is staff's to do).
    end_requested_at = Column(UTCDateTime, nullable=True)
    end_request_words = Column(Text, nullable=True)
    # The lifecycle (migration 0018, bot.services.visitor_lifecycle): the child asked to meet first; what the
    # visitor may be told about the child (their words); last reviewed; how it ended (ENDED_BY) and why.
    meet_first_at = Column(UTCDateTime, nullable=True)
    may_be_told = Column(Text, nullable=True)
    reviewed_at = Column(UTCDateTime, nullable=True)
    ended_at = Column(UTCDateTime, nullable=True)
    ended_by = Column(String(20), nullable=True)
    end_reason = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    child = relationship("Child")
    proposed_by = relationship("StaffUser")


class SafeguardingAlert(Base):
    __tablename__ = "safeguarding_alerts"

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    conversation_ref = Column(String(64), nullable=False, index=True)
    # From a child not signed in: the council it was sent to (bot.services.council_routing, migration 0007);
    # None for a known child's record (the child's council counts) and while unrouted.
    routed_council_id = Column(
        Integer, ForeignKey("local_authorities.id"), nullable=True, index=True
    )
    channel = Column(Text, nullable=False)  # any channel name; an alert is never refused
    # An alert raised by SMS: the number (Fernet, bot.services.phone_vault), so a person can call back; shown
    # decrypted to the duty lead only, audited (migration 0015).
    phone_encrypted = Column(Text, nullable=True)
    text = Column(Text, nullable=False)  # verbatim; never leaves the database except to the review app
    category = Column(Text, nullable=False)
    cue = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    acknowledged_by = Column(String(100), nullable=True)
    acknowledged_at = Column(UTCDateTime, nullable=True)
    ack_note = Column(Text, nullable=True)
    escalated_at = Column(UTCDateTime, nullable=True)  # still unacknowledged after the council's limit
    # The child said it is about their own social worker (0013): that social worker never sees it.
    about_social_worker = Column(Boolean, nullable=False, default=False, server_default=false())
    # Its words are in a statement the child did not share with their social worker (0021): withheld from them too.
    withheld_from_social_worker = Column(Boolean, nullable=False, default=False, server_default=false())

    child = relationship("Child")
    outbox = relationship(
        "NotificationOutbox",
        back_populates="alert",
        order_by="NotificationOutbox.id",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class NotificationOutbox(Base):
    __tablename__ = "notification_outbox"
    __table_args__ = (
        one_of("target", OUTBOX_TARGETS, "target"),
        Index("ix_notification_outbox_due", "delivered_at", "next_attempt_at"),
        CheckConstraint(ONE_SUBJECT, name="one_subject"),
    )

    id = Column(Integer, primary_key=True)
    # About a safeguarding alert, or (kind "security") about a security alert for admins.
    alert_id = Column(Integer, ForeignKey("safeguarding_alerts.id", ondelete="CASCADE"), nullable=True)
    security_alert_id = Column(Integer, ForeignKey("security_alerts.id", ondelete="CASCADE"), nullable=True)
    # Or (0013, kinds record / record_late) about another record, e.g. ("complaint", 3), for one team
    # (``team``) at ``destination`` (an e-mail address or webhook URL; None: the server's default target).
    record_type = Column(String(30), nullable=True)
    record_id = Column(Integer, nullable=True)
    team = Column(String(20), nullable=True)
    destination = Column(Text, nullable=True)
    target = Column(String(10), nullable=False)
    kind = Column(String(12), nullable=False, default="alert", server_default="alert")  # one of OUTBOX_KINDS
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow)
    delivered_at = Column(UTCDateTime, nullable=True)
    last_error = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    alert = relationship("SafeguardingAlert", back_populates="outbox")
    security_alert = relationship("SecurityAlert")


class AuditEvent(Base):
    """Who did what to which record. Append-only (triggers) and hash-chained. ``detail`` never holds a child's
    words."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_entity", "entity_type", "entity_id"),)

    id = Column(Integer, primary_key=True)
    actor = Column(String(100), nullable=False)  # child:<id> | conversation:<ref12> | staff:<user> | system
    action = Column(String(20), nullable=False)
    entity_type = Column(String(50), nullable=False)
    entity_id = Column(String(64), nullable=True)
    at = Column(UTCDateTime, nullable=False, default=utcnow)
    detail = Column(Text, nullable=True)
    # The hash chain (migration 0005, bot.services.audit_chain): the row_hash of the row before (64 zeros for
    # the first) and an HMAC of this row's fields and prev_hash, filled in at flush.
    prev_hash = Column(String(64), nullable=False)
    row_hash = Column(String(64), nullable=False)


__all__ = [
    "AGE_BANDS",
    "AUDIT_ACTIONS",
    "LEGAL_STATUSES",
    "PLACEMENT_TYPES",
    "CHANNELS",
    "MATCH_STATUSES",
    "OUTBOX_TARGETS",
    "READING_LEVELS",
    "REFERRAL_REASONS",
    "REFERRAL_STATUSES",
    "SHARE_AUDIENCES",
    "STAFF_ROLES",
    "VISITOR_KINDS",
    "VISITOR_REQUEST_KINDS",
    "VISITOR_REQUEST_STATUSES",
    "AdvocacyReferral",
    "AuditEvent",
    "Base",
    "Child",
    "ConversationLink",
    "LocalAuthority",
    "NotificationOutbox",
    "ReferralStatusChange",
    "SafeguardingAlert",
    "SecurityAlert",
    "SignInAttempt",
    "SignInCode",
    "SignInFailure",
    "SmsOptOut",
    "StaffUser",
    "UTCDateTime",
    "VisitorMatch",
    "VisitorRequest",
    "WishesAnswer",
    "WishesShare",
    "WishesStatement",
    "metadata",
    "new_child_id",
    "utcnow",
]
