"""The independent visitor and mentor lifecycle (issue 16, migration 0018): what happens around a match.

* ``visitor_considerations``: the best-interests decision that a child should (or need not) have a visitor,
  with the reason in words, by the social worker or IRO, at or before a review.
* ``visitor_checks``: the checks recorded before a visitor may be appointed (DBS certificate, references,
  children's services and probation checks). ``bot.services.visitors.appoint`` refuses until all are there.
* ``visitor_contacts``: visits and other contact the IV co-ordinator logs for an appointed visitor (about
  monthly is expected; a gap of more than 8 weeks shows on the co-ordinator's queue).

The match itself (``visitor_matches``, ``bot.db.models``) gains: when the child asked to meet first, when it was
last reviewed, what the visitor may be told about the child (the child's words), and how it ended.

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Text, UniqueConstraint

from bot.db.base import Base, UTCDateTime, one_of, utcnow

CHECK_KINDS = ("dbs", "references", "childrens_services", "probation")
CONTACT_KINDS = ("visit", "phone", "message", "other")
ENDED_BY = ("child", "visitor", "council", "aged_out")
DECIDER_ROLES = ("social_worker", "iro")


class VisitorConsideration(Base):
    __tablename__ = "visitor_considerations"
    __table_args__ = (one_of("decided_role", DECIDER_ROLES, "decided_role"),)

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=False, index=True)
    request_id = Column(Integer, ForeignKey("visitor_requests.id", ondelete="SET NULL"), nullable=True)
    should_have = Column(Boolean, nullable=False)  # considered: yes (look for one) / no
    reason = Column(Text, nullable=False)  # in words, by the worker
    review_date = Column(Date, nullable=True)  # the review it was made at or before
    decided_by = Column(String(100), nullable=False)
    decided_role = Column(String(20), nullable=False)
    decided_at = Column(UTCDateTime, nullable=False, default=utcnow)


class VisitorCheck(Base):
    __tablename__ = "visitor_checks"
    __table_args__ = (
        one_of("kind", CHECK_KINDS, "kind"),
        UniqueConstraint("match_id", "kind", name="uq_visitor_checks_match_kind"),
    )

    id = Column(Integer, primary_key=True)
    match_id = Column(Integer, ForeignKey("visitor_matches.id", ondelete="CASCADE"), nullable=False, index=True)
    kind = Column(String(20), nullable=False)
    completed_on = Column(Date, nullable=False)  # e.g. the DBS certificate's date
    reference = Column(Text, nullable=True)  # e.g. certificate number; never a child's words
    recorded_by = Column(String(100), nullable=False)
    recorded_at = Column(UTCDateTime, nullable=False, default=utcnow)


class VisitorContact(Base):
    __tablename__ = "visitor_contacts"
    __table_args__ = (one_of("kind", CONTACT_KINDS, "kind"),)

    id = Column(Integer, primary_key=True)
    match_id = Column(Integer, ForeignKey("visitor_matches.id", ondelete="CASCADE"), nullable=False, index=True)
    contact_on = Column(Date, nullable=False)
    kind = Column(String(10), nullable=False)
    logged_by = Column(String(100), nullable=False)
    logged_at = Column(UTCDateTime, nullable=False, default=utcnow)
