"""Heard speaks first (issue 16): the scheduled outreach job. Every ``HEARD_OUTREACH_INTERVAL_MINUTES`` each web
server runs ``run_outreach``; what is due (``bot.services.outreach``) is queued through
``bot.services.child_messages`` with a dedupe key per occasion, so each message goes once even when two servers
run the job at the same moment (the key is unique in the database), and never between 21:00 and 08:00 (held).
"""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import datetime
from typing import Any

from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import session_scope
from bot.db.models import utcnow
from bot.dialogue.messages import render
from bot.services import outreach

log = logging.getLogger(__name__)


def _render(name: str, channel: str, **values: Any) -> dict[str, Any]:
    return render(name, channel=channel, **values)


def run_outreach(now: datetime | None = None) -> dict[str, int]:
    """Queue everything due now; returns how many went each way (``sms``, ``sms_held``, ``web``, ``duplicate``).
    One transaction per message, so one failure never stops the others."""
    now = now or utcnow()
    with session_scope() as s:
        due = outreach.due_messages(s, now.date())
    counts: Counter[str] = Counter()
    for item in due:
        try:
            with session_scope() as s:
                counts[outreach.send(s, item, _render, now)] += 1
        except (LookupError, SQLAlchemyError) as error:
            counts["failed"] += 1
            log.error("outreach message not queued: %s", type(error).__name__)
    return dict(counts)


def information_given(child_id: str) -> list[dict[str, Any]]:
    """When a child was told about advocacy (for their file)."""
    with session_scope() as s:
        return [{"occasion": r.occasion, "occasion_date": r.occasion_date, "channel": r.channel,
                 "given_at": r.given_at} for r in outreach.information_given(s, child_id)]


async def run_forever(interval_minutes: int) -> None:
    """The web server's background job (cancelled at shutdown)."""
    while True:
        try:
            counts = await asyncio.to_thread(run_outreach)
            if counts:
                log.info("outreach: %s", counts)
        except Exception:  # noqa: BLE001 - the job must outlive one bad run; the next run tries again
            log.exception("outreach run failed")
        await asyncio.sleep(interval_minutes * 60)
