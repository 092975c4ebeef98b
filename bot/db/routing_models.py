"""Records of issue 15 items 2, 6 and 7 (migration 0013): complaints, call-backs after a disclosure, and who may
see a restricted safeguarding alert.

* ``complaints``: a child's complaint, as a complaint (what it is about and what they want to happen, verbatim),
  routed to the council's complaints contact (``bot.services.complaints``), acknowledged by a due date.
* ``alert_callbacks``: a child who said "yes, please" to someone to talk to after a disclosure (one per alert):
  "wants contact today", the last few turns of the conversation, how and when they can be reached safely, and for
  a child not signed in a name and a safe way to reach them (``bot.services.call_backs``); a phone number in
  them is sealed (``contact_phone_encrypted``, migration 0023).
* ``alert_viewers``: a duty lead restricted who sees an alert; only the staff listed here (and admins never
  more than them) see it (``bot.services.alert_visibility``).

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module. Foreign keys name tables only.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint, false
from sqlalchemy.orm import relationship

from bot.db.base import Base, UTCDateTime, one_of, utcnow

COMPLAINT_STATUSES = ("new", "acknowledged", "resolved", "withdrawn")
# The named teams of a council that records are routed to (council settings hold a contact for each).
TEAMS = ("advocacy", "iv", "complaints", "duty")


class Complaint(Base):
    __tablename__ = "complaints"
    __table_args__ = (one_of("status", COMPLAINT_STATUSES, "status"),)

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    conversation_ref = Column(String(64), nullable=False, index=True)  # keyed hash; never the conversation id
    # From a child not signed in: the council it was sent to (bot.services.council_routing); None for a known
    # child (the child's council counts) and while unrouted.
    routed_council_id = Column(Integer, ForeignKey("local_authorities.id"), nullable=True, index=True)
    anon_name = Column(Text, nullable=True)
    anon_local_authority = Column(Text, nullable=True)
    anon_contact = Column(Text, nullable=True)  # how to reach a child not signed in: the way, never a number
    # Migration 0022: any phone number in the contact, and "Text me at this number" by SMS, sealed
    # (bot.services.phone_vault.seal_contact): opened on the complaint's own page for the complaints team, audited.
    contact_phone_encrypted = Column(Text, nullable=True)
    channel = Column(Text, nullable=False)
    about = Column(Text, nullable=False)  # what the complaint is about, verbatim
    wants = Column(Text, nullable=True)  # what the child wants to happen, verbatim
    about_children_home = Column(Boolean, nullable=False, default=False, server_default=false())
    about_social_worker = Column(Boolean, nullable=False, default=False, server_default=false())
    wants_advocate = Column(Boolean, nullable=False, default=False, server_default=false())
    referral_id = Column(Integer, ForeignKey("advocacy_referrals.id", ondelete="SET NULL"), nullable=True)
    status = Column(String(20), nullable=False, default="new")
    acknowledge_due = Column(Date, nullable=False)
    acknowledged_by = Column(String(100), nullable=True)
    acknowledged_at = Column(UTCDateTime, nullable=True)
    resolved_at = Column(UTCDateTime, nullable=True)
    withdrawn_at = Column(UTCDateTime, nullable=True)
    note = Column(Text, nullable=True)  # staff's latest note
    escalated_at = Column(UTCDateTime, nullable=True)  # not acknowledged by its due date
    idempotency_key = Column(String(128), nullable=False, unique=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)

    child = relationship("Child")


class AlertCallback(Base):
    __tablename__ = "alert_callbacks"

    id = Column(Integer, primary_key=True)
    alert_id = Column(
        Integer, ForeignKey("safeguarding_alerts.id", ondelete="CASCADE"), nullable=False, unique=True
    )
    wants_today = Column(Boolean, nullable=False, default=True)
    turns = Column(Text, nullable=False)  # JSON list of {"who": "child"|"bot", "text": ...}, verbatim
    reach_how = Column(Text, nullable=True)  # how the child can be reached safely: the way, never a number
    reach_when = Column(Text, nullable=True)  # when, verbatim
    anon_name = Column(Text, nullable=True)  # a child not signed in: a name
    anon_contact = Column(Text, nullable=True)  # ... and a safe way to reach them: the way, never a number
    # Migration 0023: every phone number in reach_how and anon_contact, sealed together
    # (bot.services.phone_vault.seal_contacts): opened on the alert's own page for the duty lead, audited.
    contact_phone_encrypted = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)


class AlertViewer(Base):
    """A restricted alert is seen only by the staff listed for it."""

    __tablename__ = "alert_viewers"
    __table_args__ = (UniqueConstraint("alert_id", "staff_id", name="uq_alert_viewers_alert_staff"),)

    id = Column(Integer, primary_key=True)
    alert_id = Column(
        Integer, ForeignKey("safeguarding_alerts.id", ondelete="CASCADE"), nullable=False, index=True
    )
    staff_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False)
    added_by = Column(String(100), nullable=False)
    added_at = Column(UTCDateTime, nullable=False, default=utcnow)
