"""Possible safeguarding concerns (migration 0009): a message that got a gentle check-in ("is someone hurting
you?") or was in a language Heard cannot read yet. Low priority: the duty lead reads them in a daily list in the
review app (``/review/concerns``); they never notify anyone. A concern whose child answered yes or not sure also
raised an urgent alert (``alert_id``).

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module, so importing either registers
the table. Foreign keys name tables only, so nothing from ``bot.db.models`` is needed here.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.db.base import Base, UTCDateTime, one_of, utcnow

CONCERN_TIERS = ("concern", "language")
CONCERN_SOURCES = ("lexicon", "classifier", "language")
# What the child answered to the check-in: yes | no | not sure | something else | told more (a clear disclosure).
CONCERN_ANSWERS = ("yes", "no", "not_sure", "unclear", "disclosed")


class SafeguardingConcern(Base):
    __tablename__ = "safeguarding_concerns"
    __table_args__ = (
        one_of("tier", CONCERN_TIERS, "tier"),
        one_of("source", CONCERN_SOURCES, "source"),
        one_of("answer", CONCERN_ANSWERS, "answer"),
        Index("ix_safeguarding_concerns_created_at", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    conversation_ref = Column(String(64), nullable=False, index=True)  # keyed hash; never the conversation id
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=True, index=True)
    # From a child not signed in: the council it goes to (as for alerts); None for a known child and unrouted.
    routed_council_id = Column(Integer, ForeignKey("local_authorities.id"), nullable=True, index=True)
    channel = Column(Text, nullable=False)
    text = Column(Text, nullable=False)  # the child's message, verbatim
    tier = Column(String(16), nullable=False)  # concern (a check-in) | language (another language)
    source = Column(String(16), nullable=False)  # what saw it: lexicon | classifier | language
    category = Column(Text, nullable=True)
    cue = Column(Text, nullable=True)
    language = Column(String(8), nullable=True)  # for tier "language": ar, ckb, ps, fa, ti, vi, sq or other
    answer = Column(String(16), nullable=True)  # CONCERN_ANSWERS; None until the child answers
    answered_at = Column(UTCDateTime, nullable=True)
    alert_id = Column(Integer, ForeignKey("safeguarding_alerts.id", ondelete="SET NULL"), nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)
    reviewed_by = Column(String(100), nullable=True)
    reviewed_at = Column(UTCDateTime, nullable=True)

    child = relationship("Child")
