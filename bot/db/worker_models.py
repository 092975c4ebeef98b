"""What staff add to a child's records (migration 0012): who referred a child for advocacy and how the child
agreed (or why they cannot instruct an advocate), and where a worker marked that a child's wishes differ from
the plan.

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module, so importing either registers
the tables. Foreign keys name tables only, so nothing from ``bot.db.models`` is needed here.
"""

from __future__ import annotations

from sqlalchemy import Boolean, Column, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import backref, relationship

from bot.db.base import Base, UTCDateTime, one_of, utcnow

# instructed: the child asked for it and agreed (who asked, when, how the child agreed);
# non_instructed: the child cannot instruct an advocate (age, disability, ...), with the reason.
REFERRAL_ORIGIN_KINDS = ("instructed", "non_instructed")
AGREEMENT_WAYS = ("in_person", "phone", "video", "in_writing", "other")
NON_INSTRUCTED_GROUNDS = ("age", "disability", "communication", "other")


class ReferralOrigin(Base):
    """An advocacy referral made by a member of staff for a child (one row per such referral). A referral
    without a row was made by the child themselves in the chat."""

    __tablename__ = "referral_origins"
    __table_args__ = (
        one_of("kind", REFERRAL_ORIGIN_KINDS, "kind"),
        one_of("agreed_how", AGREEMENT_WAYS, "agreed_how"),
        one_of("non_instructed_grounds", NON_INSTRUCTED_GROUNDS, "non_instructed_grounds"),
    )

    referral_id = Column(
        Integer, ForeignKey("advocacy_referrals.id", ondelete="CASCADE"), primary_key=True
    )
    kind = Column(String(20), nullable=False)
    referred_by_id = Column(Integer, ForeignKey("staff_users.id"), nullable=False, index=True)
    # instructed: who asked the child, on which day, and how the child said yes
    asked_by = Column(String(200), nullable=True)
    agreed_on = Column(Date, nullable=True)
    agreed_how = Column(String(20), nullable=True)
    # non_instructed: why the child cannot instruct an advocate
    non_instructed_grounds = Column(String(20), nullable=True)
    non_instructed_reason = Column(Text, nullable=True)
    created_at = Column(UTCDateTime, nullable=False, default=utcnow)

    # ``AdvocacyReferral.origin``: this row (None for a child's own referral), without touching bot.db.models.
    referral = relationship("AdvocacyReferral", backref=backref("origin", uselist=False, passive_deletes=True))
    referred_by = relationship("StaffUser")


class StatementPlanMark(Base):
    """A worker (social worker or IRO) says whether a child's wishes in a statement differ from the plan, with a
    note (one row per statement; changed in place, every change audited)."""

    __tablename__ = "statement_plan_marks"

    statement_id = Column(
        Integer, ForeignKey("wishes_statements.id", ondelete="CASCADE"), primary_key=True
    )
    differs = Column(Boolean, nullable=False)
    note = Column(Text, nullable=True)
    marked_by = Column(String(100), nullable=False)  # staff:<username>
    marked_at = Column(UTCDateTime, nullable=False, default=utcnow)

    # ``WishesStatement.plan_mark``: this row, or None, without touching bot.db.models.
    statement = relationship("WishesStatement", backref=backref("plan_mark", uselist=False, passive_deletes=True))
