"""Messages Heard sends to a child (migration 0016): SMS texts waiting for the outbound workers, and messages
waiting in the web widget until the child next opens it.

One row is one text message (one "part", which may be several carrier segments) or one widget message.
``bot.services.outbound_queue`` claims and settles SMS rows; ``bot.services.child_messages`` is the one way Heard
speaks to a child first. The number and the words are sealed (Fernet, ``bot.keys`` purposes ``phone-vault`` and
``sms-outbox``) and blanked once the text is settled (sent, failed or dropped); what stays is the keyed hash of the
number (for the order per number), the options a text carried (bot words, for "2" to mean the second one) and
what happened (Twilio's message id, error code, segments).

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text

from bot.db.base import Base, UTCDateTime, one_of, utcnow

OUTBOUND_CHANNELS = ("sms", "web")
# sms: queued -> sending (claimed, with a lease) -> sent | failed | dropped (opted out, no number), or back to
# queued with a later next_attempt_at (retry). web: waiting -> shown.
OUTBOUND_STATUSES = ("queued", "sending", "sent", "failed", "dropped", "waiting", "shown")


class OutboundMessage(Base):
    __tablename__ = "outbound_messages"
    __table_args__ = (
        one_of("channel", OUTBOUND_CHANNELS, "channel"),
        one_of("status", OUTBOUND_STATUSES, "status"),
        Index("ix_outbound_messages_phone_hash_id", "phone_hash", "id"),
        Index("ix_outbound_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_outbound_messages_child_id_status", "child_id", "status"),
    )

    id = Column(Integer, primary_key=True)
    channel = Column(String(10), nullable=False)
    status = Column(String(10), nullable=False)
    kind = Column(String(40), nullable=False)  # reply (to a text) | progress | outreach ... (what sent it)
    # Exactly once per key (e.g. "progress:referral:12:allocated"); only the first part of a message has it.
    dedupe_key = Column(String(200), nullable=True, unique=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True)
    phone_hash = Column(String(64), nullable=True)  # keyed hash of the number: order per number, opt-outs
    phone_encrypted = Column(Text, nullable=True)  # Fernet (phone-vault); blanked once settled
    body_encrypted = Column(Text, nullable=True)  # Fernet (sms-outbox); blanked once settled (sms) or shown (web)
    options_json = Column(Text, nullable=True)  # the numbered options this text carries (bot words only)
    attempts = Column(Integer, nullable=False, default=0, server_default="0")
    next_attempt_at = Column(UTCDateTime, nullable=False, default=utcnow)  # not before (retries, quiet hours)
    lease_until = Column(UTCDateTime, nullable=True)  # a claim older than this is taken again (worker died)
    claimed_by = Column(String(64), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    sent_at = Column(UTCDateTime, nullable=True)  # accepted by Twilio / shown in the widget
    provider_id = Column(String(64), nullable=True)  # Twilio's MessageSid
    error_code = Column(String(20), nullable=True)  # HTTP status / Twilio code of the last failure
    segments = Column(Integer, nullable=True)  # carrier segments of this text (cost)
