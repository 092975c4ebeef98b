"""Run a scheduled job once across several servers: the server whose conditional UPDATE of the job's
``job_leases`` row succeeds runs it, in the same transaction. On PostgreSQL a second server's UPDATE waits for
the row lock, then finds the job just done and changes nothing; on SQLite every writer is serialised already."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.retention_models import JobLease


def claim(s: Session, name: str, holder: str, now: datetime, min_gap: timedelta) -> bool:
    """True (and the job marked done at ``now`` by ``holder``) when the job last ran ``min_gap`` or more ago;
    False when another server ran it since. Commit with the job's work."""
    if s.get(JobLease, name) is None:
        try:
            with s.begin_nested():
                s.add(JobLease(name=name))
        except IntegrityError:
            pass
    due = or_(JobLease.last_finished_at.is_(None), JobLease.last_finished_at <= now - min_gap)
    result = s.execute(
        update(JobLease)
        .where(JobLease.name == name, due)
        .values(holder=holder[:100], last_started_at=now, last_finished_at=now)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1
