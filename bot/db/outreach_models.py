"""Heard speaks first (issue 16, migration 0018): the record on a child's file that they were told about
advocacy (both procedures require it: on entry to care or a child protection plan, and with each review
invitation). The messages themselves go through the one way Heard speaks to a child
(``bot.services.child_messages``), once per dedupe key.

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module.
"""

from __future__ import annotations

from sqlalchemy import Column, Date, ForeignKey, Integer, String, UniqueConstraint

from bot.db.base import Base, UTCDateTime, one_of, utcnow

INFO_TOPICS = ("advocacy",)
INFO_OCCASIONS = ("entered_care", "cp_plan", "review")


class InformationGiven(Base):
    __tablename__ = "information_given"
    __table_args__ = (
        one_of("topic", INFO_TOPICS, "topic"),
        one_of("occasion", INFO_OCCASIONS, "occasion"),
        UniqueConstraint("child_id", "topic", "occasion", "occasion_date", name="uq_information_given_once"),
    )

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=False, index=True)
    topic = Column(String(20), nullable=False)
    occasion = Column(String(20), nullable=False)
    occasion_date = Column(Date, nullable=False)  # the review date, the date came into care or the plan began
    channel = Column(String(10), nullable=False)  # sms | web: how it was given
    given_at = Column(UTCDateTime, nullable=False, default=utcnow)
