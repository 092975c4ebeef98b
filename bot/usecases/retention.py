"""Retention: delete case records past their retention period, now (CLI) or once a day (web app).

The rules (what is purged, what is kept whatever its age, each council's period) are in
``bot.services.retention``; every pass is one committed, audited transaction.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from bot.db.engine import session_scope
from bot.services import retention

log = logging.getLogger(__name__)


def purge_older_than(older_than_days: int, actor: str) -> dict[str, int]:
    """Delete every record older than ``older_than_days`` days; returns the number deleted per table."""
    with session_scope() as session:
        return retention.purge_expired(session, older_than_days, actor)


def purge_by_council(actor: str = "system:retention") -> dict[str, dict[str, Any]]:
    """Apply each council's retention period (and ``HEARD_RETENTION_DAYS`` to records of no child)."""
    with session_scope() as session:
        return retention.purge_by_council(session, actor)


async def run_daily(interval_hours: float) -> None:
    """Purge by council now and then every ``interval_hours`` (a background task of the web app). Never
    raises: a failed pass (database down) is logged and tried again at the next interval."""
    while True:
        try:
            results = await asyncio.to_thread(purge_by_council)
            deleted = sum(sum(r["deleted"].values()) for r in results.values())
            log.info("Retention pass: %d expired record(s) deleted", deleted)
        except Exception as exc:  # noqa: BLE001 - keep the loop alive
            log.error("Retention pass failed (%s); will try again", type(exc).__name__)
        await asyncio.sleep(interval_hours * 3600)
