"""Retention (issue 17): the scheduled purge (once across several servers), a dry run, the transcript purge,
legal holds and erasure. The rules are in ``bot.services.retention``, ``bot.services.legal_holds`` and
``bot.services.transcripts``; every change is one committed, audited transaction (count-only for a purge).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from datetime import datetime, timedelta
from typing import Any

from bot.db.engine import session_scope
from bot.db.models import LocalAuthority, StaffUser, utcnow
from bot.db.tracker_db import tracker_scope
from bot.services import audit, job_lease, legal_holds, retention, transcripts

log = logging.getLogger(__name__)
JOB = "retention"


def purge_older_than(older_than_days: int, actor: str) -> dict[str, int]:
    """The operator's purge by record age (``bot.cli purge --older-than-days``); never a held child."""
    with session_scope() as session:
        return retention.purge_expired(session, older_than_days, actor)


def _old_transcripts(periods: dict[str, int | None], default_days: int, now: datetime, delete: bool) -> int:
    """Conversations with no message for their transcript period (deleted unless only counted)."""
    count = 0
    with tracker_scope() as conn:
        if not transcripts.has_events_table(conn):
            return 0
        for sender, last in transcripts.last_activity(conn).items():
            ref = audit.conversation_ref(sender)
            days = periods.get(ref, default_days)
            if days is None or last >= (now - timedelta(days=days)).timestamp():
                continue
            count += 1
            if delete:
                transcripts.delete_conversation(conn, sender)
    return count


def purge_due(holder: str, actor: str = "system:retention", *, now: datetime | None = None,
              min_gap: timedelta = timedelta(0)) -> dict[str, Any] | None:
    """Purge everything past its period, if no server did in the last ``min_gap``; None when another did.
    Case records first (one transaction, with the lease), then transcripts, then a count-only audit event."""
    now = now or utcnow()
    with session_scope() as s:
        if not job_lease.claim(s, JOB, holder, now, min_gap):
            return None
        result: dict[str, Any] = retention.purge(s, actor, now=now)
        periods, default_days = retention.transcript_periods(s)
    deleted = _old_transcripts(periods, default_days, now, delete=True)
    with session_scope() as s:
        audit.record(s, actor, "purge", "transcripts", None, {"conversations": deleted})
    result["(transcripts)"] = {"conversations": deleted}
    return result


def purge_by_council(actor: str = "system:retention") -> dict[str, Any]:
    """Purge now (``bot.cli purge``), whatever the last run."""
    return purge_due(f"cli:{socket.gethostname()}:{os.getpid()}", actor) or {}


def dry_run(*, now: datetime | None = None) -> dict[str, Any]:
    """What a purge would delete now, counted (nothing deleted, nothing read out)."""
    now = now or utcnow()
    with session_scope() as s:
        result: dict[str, Any] = retention.purge(s, "dry-run", now=now, dry_run=True)
        periods, default_days = retention.transcript_periods(s)
    result["(transcripts)"] = {"conversations": _old_transcripts(periods, default_days, now, delete=False)}
    return result


async def run_daily(interval_hours: float) -> None:
    """Try the purge now and then every ``interval_hours`` (a background task of each web server); only one
    server purges per interval. Never raises: a failed pass is logged and tried again next time."""
    holder = f"web:{socket.gethostname()}:{os.getpid()}"
    gap = timedelta(hours=interval_hours * 0.9)
    while True:
        try:
            results = await asyncio.to_thread(purge_due, holder, min_gap=gap)
            if results is None:
                log.info("Retention pass: done by another server")
            else:
                deleted = sum(sum(r.values()) for r in results.values())
                log.info("Retention pass: %d expired record(s) and transcript(s) deleted", deleted)
        except Exception as exc:  # noqa: BLE001 - keep the loop alive
            log.error("Retention pass failed (%s); will try again", type(exc).__name__)
        await asyncio.sleep(interval_hours * 3600)


def place_hold(admin: StaffUser, child_id: str, reason: str) -> None:
    """An admin puts a legal hold on a child of their council (audited)."""
    with session_scope() as s:
        legal_holds.council_child(s, child_id, admin.local_authority_id)
        legal_holds.place_hold(s, child_id, reason, audit.staff_actor(admin.username))


def release_hold(admin: StaffUser, child_id: str, hold_id: int, reason: str) -> None:
    with session_scope() as s:
        legal_holds.council_child(s, child_id, admin.local_authority_id)
        legal_holds.release_hold(s, child_id, hold_id, reason, audit.staff_actor(admin.username))


def erase_child(actor: str, child_id: str, reason: str, local_authority_id: int | None = None) -> dict[str, int]:
    """Erase a child's records and transcripts (``OnLegalHold`` under a hold). ``local_authority_id``: the
    admin's council (None from the CLI)."""
    with session_scope() as s:
        if local_authority_id is not None:
            legal_holds.council_child(s, child_id, local_authority_id)
        refs, counts = legal_holds.erase_child(s, child_id, reason, actor)
    with tracker_scope() as conn:
        senders = transcripts.senders_by_ref(conn, refs) if transcripts.has_events_table(conn) else []
        counts["transcript_events"] = sum(transcripts.delete_conversation(conn, s) for s in senders)
    return counts


def erase_child_by_admin(admin: StaffUser, child_id: str, reason: str) -> dict[str, int]:
    return erase_child(audit.staff_actor(admin.username), child_id, reason, admin.local_authority_id)


def holds(admin: StaffUser, child_id: str) -> list[dict[str, Any]]:
    """The child's legal holds, for the admin page (staff's reasons; no child's words)."""
    with session_scope() as s:
        legal_holds.council_child(s, child_id, admin.local_authority_id)
        return [
            {"id": h.id, "reason": h.reason, "placed_by": h.placed_by, "placed_at": h.placed_at,
             "released_at": h.released_at, "released_by": h.released_by}
            for h in legal_holds.holds_of(s, child_id)
        ]


def read_policy(admin: StaffUser) -> dict[str, Any]:
    """The admin's council's retention policy and what a purge would delete now (counts only)."""
    with session_scope() as s:
        current = retention.policy(s, admin.local_authority_id)
        la = s.get(LocalAuthority, admin.local_authority_id)
        council = la.name if la is not None else None
    preview = dry_run()
    return {"policy": current, "limits": retention.POLICY_LIMITS, "would_delete": preview.get(council, {}),
            "transcripts": preview["(transcripts)"]["conversations"],
            "audit_events": preview["(audit)"]["audit_events"]}


def save_policy(admin: StaffUser, values: dict[str, int]) -> None:
    """Change the admin's council's periods (``InvalidChoice`` when out of range); audited."""
    with session_scope() as s:
        retention.set_policy(s, admin.local_authority_id, audit.staff_actor(admin.username), **values)
