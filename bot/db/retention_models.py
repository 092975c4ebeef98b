"""Retention by record class (migrations 0017 and 0020, issue 17): each council's retention policy, legal holds
on a child, the lease that makes the scheduled purge run once across several servers, and the checkpoints the
audit chain is verified across where the purge removed old audit events.

On the shared ``Base`` of ``bot.db.base``; ``bot.db.models`` imports this module, so importing either registers
the tables. Foreign keys name tables only. What each setting means and its lawful default:
``docs/data-protection.md`` and ``bot.services.retention``.
"""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, Integer, String, Text
from sqlalchemy.orm import relationship

from bot.db.base import Base, UTCDateTime, utcnow


class RetentionPolicy(Base):
    """A council's retention periods by record class; a missing row (or a null column) means the default in
    ``bot.services.retention.DEFAULTS``."""

    __tablename__ = "retention_policies"

    local_authority_id = Column(
        Integer, ForeignKey("local_authorities.id", ondelete="CASCADE"), primary_key=True
    )
    # Case records of a child never looked after: kept until this birthday.
    never_looked_after_until_age = Column(Integer, nullable=True)
    # Safeguarding alerts and concerns: kept this many years after they were raised (and never before the
    # child's case records go).
    safeguarding_years = Column(Integer, nullable=True)
    # Conversation transcripts (Rasa's events): deleted this many days after the conversation's last message.
    transcript_days = Column(Integer, nullable=True)
    # Audit events (migration 0020): kept this many years after they were written, once the record they
    # describe is gone (count-only events: after they were written).
    audit_years = Column(Integer, nullable=True)
    updated_by = Column(String(100), nullable=True)
    updated_at = Column(UTCDateTime, nullable=False, default=utcnow)


class LegalHold(Base):
    """A legal hold on a child: while ``released_at`` is null nothing of theirs is purged or erased."""

    __tablename__ = "legal_holds"

    id = Column(Integer, primary_key=True)
    child_id = Column(String(16), ForeignKey("children.id", ondelete="CASCADE"), nullable=False, index=True)
    reason = Column(Text, nullable=False)
    placed_by = Column(String(100), nullable=False)
    placed_at = Column(UTCDateTime, nullable=False, default=utcnow)
    released_by = Column(String(100), nullable=True)
    released_at = Column(UTCDateTime, nullable=True)
    release_reason = Column(Text, nullable=True)

    child = relationship("Child")


class JobLease(Base):
    """One row per scheduled job (e.g. ``retention``): who ran it last and when. A server runs the job only
    when its conditional UPDATE of this row succeeds, so several servers run it once."""

    __tablename__ = "job_leases"

    name = Column(String(50), primary_key=True)
    holder = Column(String(100), nullable=True)
    last_started_at = Column(UTCDateTime, nullable=True)
    last_finished_at = Column(UTCDateTime, nullable=True)


class AuditCheckpoint(Base):
    """Where the purge removed a run of audit events (ids ``first_removed_id`` to ``last_removed_id``, with no
    kept event between them): the hash the run followed (``prev_hash``: the first removed event's) and the
    last removed event's hash (``last_hash``: the next kept event's ``prev_hash``), so the chain is verified
    across the gap (``bot.services.audit_chain``). ``seal`` is a keyed hash of the row: a made-up checkpoint
    does not verify. The append-only trigger lets a row be deleted only inside a checkpoint's range."""

    __tablename__ = "audit_checkpoints"

    id = Column(Integer, primary_key=True)
    made_at = Column(UTCDateTime, nullable=False, default=utcnow)
    first_removed_id = Column(Integer, nullable=False)
    last_removed_id = Column(Integer, nullable=False, index=True)
    prev_hash = Column(String(64), nullable=False, unique=True)
    last_hash = Column(String(64), nullable=False)
    removed = Column(Integer, nullable=False)
    seal = Column(String(64), nullable=False)
