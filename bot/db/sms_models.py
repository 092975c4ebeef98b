"""What the SMS channel keeps about incoming texts (migration 0015, issue 19).

* ``sms_inbound_messages``: each Twilio ``MessageSid`` once (its primary key), so a replayed or retried webhook
  is handled once; with the number's keyed hash (``children.any_phone_hash``, never the number) and when it came,
  so the per-number rate limit counts the texts of the last minute on every server. Rows older than 48 hours
  are deleted (``bot.services.sms_inbound.forget_old``).
* ``sms_media_arrivals``: a picture (MMS) arrived: how many, their content types and when, for the
  conversation (``conversation_ref``) and the child when known. The picture itself is never fetched or
  stored.

On the shared ``Base``; ``bot.db.models`` imports this module. Foreign keys name tables only.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text

from bot.db.base import Base, UTCDateTime, utcnow


class SmsInboundMessage(Base):
    __tablename__ = "sms_inbound_messages"
    __table_args__ = (Index("ix_sms_inbound_phone_received", "phone_hash", "received_at"),)

    message_sid = Column(String(64), primary_key=True)  # Twilio's id of the text: handled once
    phone_hash = Column(String(64), nullable=False)  # keyed hash of the sender's number, never the number
    received_at = Column(UTCDateTime, nullable=False, default=utcnow, index=True)


class SmsMediaArrival(Base):
    __tablename__ = "sms_media_arrivals"

    id = Column(Integer, primary_key=True)
    conversation_ref = Column(String(64), nullable=False, index=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    num_media = Column(Integer, nullable=False)
    content_types = Column(Text, nullable=True)  # e.g. "image/jpeg, image/png" (what Twilio said), never the media
    with_words = Column(Integer, nullable=False, default=0)  # 1 when the text carried words too
    received_at = Column(UTCDateTime, nullable=False, default=utcnow)
